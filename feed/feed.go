// Package feed turns batch schedules into columnar batches: it extracts the
// streams of each image in a worker pool sized to the cores, keeps them in a
// byte-bounded cache keyed by content id and extractor version (in memory,
// optionally also on disk), assembles whole-batch tensors, and prefetches a
// bounded number of batches per stream under a global memory budget.
package feed

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/starlight/dataserver/extract"
)

// Config sizes a Feed. Zero values take the Default* constants below, the
// one place these defaults are written (the server's configuration and the
// serve command's flags take them from here).
type Config struct {
	// Workers is the number of images extracted at once; 0 means GOMAXPROCS.
	Workers int
	// Prefetch is the number of batches a stream assembles ahead of its
	// consumer; 0 means DefaultPrefetch, negative means none.
	Prefetch int
	// MemoryBudget bounds everything held for batches, all streams
	// together: each stream's reservation of one batch, the batches
	// assembled ahead, those on their way out until the transport has
	// written them, and the memory cache (which yields first); 0 means
	// DefaultMemoryBudget.
	MemoryBudget int64
	// BudgetWait bounds how long Open waits for a stream's reservation
	// before failing with ErrBudget; 0 means DefaultBudgetWait.
	BudgetWait time.Duration
	// CacheBytes bounds the in-memory stream cache, within MemoryBudget;
	// 0 means DefaultCacheBytes, negative disables it.
	CacheBytes int64
	// CacheDir, when set, also keeps extracted streams on disk there, so a
	// restart does not decode again.
	CacheDir string
	// DiskCacheBytes bounds the disk cache; 0 means DefaultDiskCacheBytes.
	DiskCacheBytes int64
	// OnDiskProblem, when set, hears of disk cache failures (corrupted
	// entries, failed reads and writes), at most one per kind every
	// DiskReportEvery; Stats counts them all.
	OnDiskProblem func(DiskProblem)
	// Extract bounds each extraction.
	Extract extract.Options
	// OnExtract, when set, is called after each extraction with its duration.
	OnExtract func(d time.Duration, err error)
	// Losses, when set, holds the loss tables mining draws by (mining.go);
	// without it a mined request is refused.
	Losses LossTables
}

// Defaults applied by New.
const (
	// DefaultPrefetch is the batches a stream assembles ahead: 2.
	DefaultPrefetch = 2
	// DefaultMemoryBudget bounds everything held for batches, the memory
	// cache included: 1536 MiB.
	DefaultMemoryBudget = 1536 << 20
	// DefaultBudgetWait is how long a stream waits for its reservation: 20 s.
	DefaultBudgetWait = 20 * time.Second
	// DefaultCacheBytes bounds the in-memory stream cache: 1 GiB.
	DefaultCacheBytes = 1 << 30
	// DefaultDiskCacheBytes bounds the disk stream cache: 8 GiB.
	DefaultDiskCacheBytes = 8 << 30
)

// Feed extracts, caches and assembles; one Feed serves every stream of a
// server. Its methods are safe for concurrent use.
type Feed struct {
	cfg     Config
	mem     *memCache
	disk    *diskCache
	workers chan struct{}
	budget  *budget
	bufs    bufPool

	mu       sync.Mutex
	inflight map[string]*call

	hits, misses, diskHits, extractErrors atomic.Uint64
	// warmed counts the images handed over already extracted (Warm).
	warmed atomic.Uint64
	lat    latency
}

// call is one extraction in flight that concurrent loaders of the same image wait for.
type call struct {
	done chan struct{}
	s    *extract.Streams
	err  error
}

// ErrSample reports an image that could not be read or extracted.
var ErrSample = errors.New("sample unavailable")

// New returns a Feed; it opens (and cleans) the disk cache when configured.
func New(cfg Config) (*Feed, error) {
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if cfg.Prefetch == 0 {
		cfg.Prefetch = DefaultPrefetch
	} else if cfg.Prefetch < 0 {
		cfg.Prefetch = 0
	}
	if cfg.MemoryBudget <= 0 {
		cfg.MemoryBudget = DefaultMemoryBudget
	}
	if cfg.BudgetWait <= 0 {
		cfg.BudgetWait = DefaultBudgetWait
	}
	if cfg.CacheBytes == 0 {
		cfg.CacheBytes = DefaultCacheBytes
	} else if cfg.CacheBytes < 0 {
		cfg.CacheBytes = 0
	}
	if cfg.DiskCacheBytes <= 0 {
		cfg.DiskCacheBytes = DefaultDiskCacheBytes
	}
	bud := newBudget(cfg.MemoryBudget)
	f := &Feed{
		cfg:      cfg,
		mem:      newMemCache(cfg.CacheBytes, bud),
		workers:  make(chan struct{}, cfg.Workers),
		budget:   bud,
		bufs:     bufPool{max: min(cfg.MemoryBudget/4, maxIdleBufferBytes)},
		inflight: map[string]*call{},
	}
	if cfg.CacheDir != "" {
		d, err := openDiskCache(cfg.CacheDir, extract.Version, cfg.DiskCacheBytes, cfg.OnDiskProblem)
		if err != nil {
			return nil, err
		}
		f.disk = d
	}
	return f, nil
}

// Config returns the configuration in force, defaults applied.
func (f *Feed) Config() Config { return f.cfg }

func cacheKey(id string) string { return extract.Version + "/" + id }

// String describes the feed's workers and cache size, for logs.
func (f *Feed) String() string {
	return fmt.Sprintf("feed(%d workers, cache %d bytes)", f.cfg.Workers, f.cfg.CacheBytes)
}
