package index

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/extract"
	"github.com/starlight/dataserver/internal/guard"
)

// StoreVersion is the layout version of the persistent index; a store
// written under another version is moved aside and rebuilt.
const StoreVersion = 1

// storeMagic is the value of the meta bucket's "magic" key.
const storeMagic = "starlight-dataserver index store"

var (
	bucketMeta  = []byte("meta")
	bucketFiles = []byte("files")
	keyMagic    = []byte("magic")
	keyVersion  = []byte("version")
	keyRoot     = []byte("root")
)

// StoreEvent is something the store did that an operator should hear of.
type StoreEvent struct {
	// Kind is StoreMovedAside or StoreWriteFailed.
	Kind string
	// Path is the store's file.
	Path string
	// MovedTo is where an untrusted store was moved ("" when not moved).
	MovedTo string
	// Err says what was wrong.
	Err error
}

// Kinds of StoreEvent.
const (
	// StoreMovedAside: the store was corrupted, foreign or of another
	// version; it was moved aside and a new one started.
	StoreMovedAside = "moved-aside"
	// StoreWriteFailed: the results of a build could not be written; the
	// next build writes every record again.
	StoreWriteFailed = "write-failed"
)

// Store keeps what indexing learnt about each file of one tree (content id,
// header facts, decode outcome, payload check, problems) in a bbolt file
// under a cache directory, so that a restart over an unchanged tree reads
// no image. A record is reused only when the file's path, size, mtime,
// inode and ctime and the checks asked for are unchanged (as with
// Options.Previous); the whole store is tied to StoreVersion, the
// extractor's version, the tree's root and the size and decode limits, and
// every record carries a checksum. Anything else found is moved aside and
// rebuilt, never trusted. Its methods are safe for concurrent use.
type Store struct {
	path   string
	root   string
	want   string
	report func(StoreEvent)

	mu sync.Mutex
	db *bolt.DB
	// synced is false after a failed write: the next save writes all.
	synced bool
}

// StorePath returns the store file of the tree at root under dir.
func StorePath(dir, root string) string {
	abs, err := filepath.Abs(root)
	if err != nil {
		abs = root
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(dir, "index", hex.EncodeToString(sum[:8])+".db")
}

// OpenStore opens (or creates) the persistent index of the tree at root
// under dir, for builds with opts' MaxFileSize and Limits. A store that
// cannot be trusted is moved aside (report hears of it) and a new one is
// created; an error means no store could be opened at all (the directory
// is not writable, another process holds the file).
func OpenStore(dir, root string, opts Options, report func(StoreEvent)) (*Store, error) {
	if report == nil {
		report = func(StoreEvent) {}
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		abs = root
	}
	s := &Store{path: StorePath(dir, root), root: abs, want: storeSettings(opts), report: report}
	if err := os.MkdirAll(filepath.Dir(s.path), 0o755); err != nil {
		return nil, fmt.Errorf("index store: %w", err)
	}
	db, err := s.openChecked()
	if err != nil {
		if errors.Is(err, errStoreBusy) {
			return nil, err
		}
		if db, err = s.moveAside(err); err != nil {
			return nil, err
		}
	}
	s.db = db
	return s, nil
}

// storeSettings names what the stored results depend on besides the files.
func storeSettings(opts Options) string {
	max := opts.MaxFileSize
	if max <= 0 {
		max = extract.DefaultMaxFileSize
	}
	lim := opts.Limits
	if lim == (codec.Limits{}) {
		lim = codec.DefaultLimits
	}
	return fmt.Sprintf("store %d; extractor %s; max file %d; limits %+v", StoreVersion, extract.Version, max, lim)
}

var errStoreBusy = errors.New("index store: held by another process")

// openChecked opens the file and checks its meta bucket; a new file gets one.
func (s *Store) openChecked() (db *bolt.DB, err error) {
	err = storeSafe(func() error {
		var oerr error
		db, oerr = bolt.Open(s.path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
		return oerr
	})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("%w: %s", errStoreBusy, s.path)
	}
	if err != nil {
		return nil, fmt.Errorf("index store: opening %s: %w", s.path, err)
	}
	// Checked in a read transaction: an Update would commit (and fsync)
	// at every start; only a new file is written to.
	empty := false
	err = storeSafe(func() error {
		return db.View(func(tx *bolt.Tx) error {
			meta := tx.Bucket(bucketMeta)
			if meta == nil {
				if hasBuckets(tx) {
					return errors.New("index store: no meta bucket; not a store of this server")
				}
				empty = true
				return nil
			}
			if got := string(meta.Get(keyMagic)); got != storeMagic {
				return fmt.Errorf("index store: magic %q, not %q", trim(got), storeMagic)
			}
			if got := string(meta.Get(keyVersion)); got != s.want {
				return fmt.Errorf("index store: written for %q, now %q", trim(got), s.want)
			}
			if got := string(meta.Get(keyRoot)); got != s.root {
				return fmt.Errorf("index store: written for root %q, not %q", trim(got), s.root)
			}
			if tx.Bucket(bucketFiles) == nil {
				return errors.New("index store: files bucket missing")
			}
			return nil
		})
	})
	if err == nil && empty {
		err = storeSafe(func() error { return db.Update(s.initMeta) })
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func hasBuckets(tx *bolt.Tx) bool {
	found := false
	tx.ForEach(func([]byte, *bolt.Bucket) error { found = true; return nil })
	return found
}

func (s *Store) initMeta(tx *bolt.Tx) error {
	meta, err := tx.CreateBucket(bucketMeta)
	if err != nil {
		return err
	}
	for k, v := range map[string]string{string(keyMagic): storeMagic, string(keyVersion): s.want, string(keyRoot): s.root} {
		if err := meta.Put([]byte(k), []byte(v)); err != nil {
			return err
		}
	}
	_, err = tx.CreateBucket(bucketFiles)
	return err
}

// moveAside renames the untrusted file to <path>.bad (replacing an older
// one), reports why, and opens a new store.
func (s *Store) moveAside(why error) (*bolt.DB, error) {
	aside := s.path + ".bad"
	if err := os.Rename(s.path, aside); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("index store: moving %s aside: %w (it was untrusted: %v)", s.path, err, why)
	}
	s.report(StoreEvent{Kind: StoreMovedAside, Path: s.path, MovedTo: aside, Err: why})
	return s.openChecked()
}

// Path returns the store's file.
func (s *Store) Path() string { return s.path }

// Close closes the store's file.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.db == nil {
		return nil
	}
	err := s.db.Close()
	s.db = nil
	return err
}

// storeSafe runs fn, a bbolt call, at the store's boundary: bbolt panics
// on some damaged pages, and such a panic becomes an error (logged with its
// stack and counted by package guard) so the store is moved aside, never
// trusted.
func storeSafe(fn func() error) (err error) {
	defer guard.Recover("index store", &err)
	return fn()
}

func trim(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
