package feedback

import (
	"fmt"
	"os"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/starlight/dataserver/sampling"
)

// FileName is the store's file name in the state directory.
const FileName = "feedback.db"

// Options configure a Store. Zero values take the defaults below.
type Options struct {
	// Path is the bbolt file. Empty keeps the store in a temporary file
	// removed at Close: nothing survives a restart.
	Path string
	// MaxRuns bounds the runs kept; a new run evicts the one updated least
	// recently. Default DefaultMaxRuns.
	MaxRuns int
	// MaxAge evicts a run not updated (no report, no freeze) for that long.
	// Default DefaultMaxAge; negative keeps runs whatever their age.
	MaxAge time.Duration
	// MaxFrozen bounds the frozen tables kept per run (those of the newest
	// epochs); a stream or resume of an older mined epoch fails with
	// ErrUnknownState. Default DefaultMaxFrozen.
	MaxFrozen int
	// Alpha is the weight of a new loss in the moving average, in (0, 1].
	// Default DefaultAlpha.
	Alpha float64
	// HardestEvery is how often a run's hardest samples are recomputed at
	// most (Stats, metrics); default DefaultHardestEvery, negative always.
	HardestEvery time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Defaults of Options.
const (
	DefaultMaxRuns      = 16
	DefaultMaxAge       = 30 * 24 * time.Hour
	DefaultMaxFrozen    = 8
	DefaultAlpha        = 0.3
	DefaultHardestEvery = 10 * time.Second
	// maxCachedTables bounds the decoded frozen tables held in memory.
	maxCachedTables = 8
)

// Store is the loss feedback of every run. Its methods are safe for
// concurrent use; writes are serialized, each a single bbolt transaction
// committed (fsync'd) before the call returns.
type Store struct {
	opts Options
	db   *bolt.DB
	temp string

	mu      sync.Mutex
	closed  bool
	runs    map[string]*runMeta
	tables  map[string]*sampling.LossTable
	hardest map[string]*hardestCache
	swept   time.Time
}

// The bbolt layout: bucket "runs" holds a bucket per run name, which holds
// the key "meta" (runMeta) and the buckets "sum" (raw content id -> summary),
// "frozen" (big-endian epoch -> table id, "" for an empty table) and
// "tables" (table id -> sampling.LossTable encoding).
var (
	bucketRuns   = []byte("runs")
	keyMeta      = []byte("meta")
	bucketSum    = []byte("sum")
	bucketFrozen = []byte("frozen")
	bucketTables = []byte("tables")
)

// Open opens (creating when absent) the store at opts.Path, or a temporary
// one, drops the runs older than MaxAge and loads the runs' figures.
func Open(opts Options) (*Store, error) {
	opts = opts.withDefaults()
	if opts.Alpha <= 0 || opts.Alpha > 1 {
		return nil, fmt.Errorf("%w: moving average weight %v outside (0, 1]", ErrInvalid, opts.Alpha)
	}
	s := &Store{opts: opts, runs: map[string]*runMeta{}, tables: map[string]*sampling.LossTable{}, hardest: map[string]*hardestCache{}}
	path := opts.Path
	if path == "" {
		f, err := os.CreateTemp("", "dataserver-feedback-*.db")
		if err != nil {
			return nil, fmt.Errorf("%w: temporary file: %v", ErrStore, err)
		}
		f.Close()
		path, s.temp = f.Name(), f.Name()
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		s.removeTemp()
		return nil, fmt.Errorf("%w: opening %s: %v (is another server using it?)", ErrStore, path, err)
	}
	s.db = db
	if err := s.load(); err != nil {
		db.Close()
		s.removeTemp()
		return nil, err
	}
	return s, nil
}

func (o Options) withDefaults() Options {
	if o.MaxRuns <= 0 {
		o.MaxRuns = DefaultMaxRuns
	}
	if o.MaxAge == 0 {
		o.MaxAge = DefaultMaxAge
	}
	if o.MaxFrozen <= 0 {
		o.MaxFrozen = DefaultMaxFrozen
	}
	if o.Alpha == 0 {
		o.Alpha = DefaultAlpha
	}
	if o.HardestEvery == 0 {
		o.HardestEvery = DefaultHardestEvery
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// load reads every run's figures and evicts the expired runs.
func (s *Store) load() error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		runs, err := tx.CreateBucketIfNotExists(bucketRuns)
		if err != nil {
			return err
		}
		return runs.ForEachBucket(func(name []byte) error {
			m, err := decodeMeta(runs.Bucket(name).Get(keyMeta))
			if err != nil {
				return fmt.Errorf("run %q: %v", name, err)
			}
			s.runs[string(name)] = m
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("%w: reading %s: %v", ErrStore, s.db.Path(), err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.db.Update(func(tx *bolt.Tx) error { return s.sweep(tx) })
}

// Close closes the store file (and removes a temporary one).
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	err := s.db.Close()
	s.removeTemp()
	return err
}

func (s *Store) removeTemp() {
	if s.temp != "" {
		os.Remove(s.temp)
	}
}

// Path returns the store file's path.
func (s *Store) Path() string { return s.db.Path() }

// Persistent tells whether the store outlives the process.
func (s *Store) Persistent() bool { return s.temp == "" }

// Size returns the bytes of the store file.
func (s *Store) Size() int64 {
	var n int64
	s.db.View(func(tx *bolt.Tx) error {
		n = tx.Size()
		return nil
	})
	return n
}

// update runs fn in a write transaction under the store's lock.
func (s *Store) update(fn func(tx *bolt.Tx) error) error {
	if s.closed {
		return ErrClosed
	}
	return s.db.Update(fn)
}
