// Package catalog holds the live snapshot of a dataset tree: the current
// index, swapped atomically by a background Reindex, the older snapshots
// still leased by running streams, and the counts a dashboard reads.
package catalog

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/starlight/dataserver/index"
)

// BuildFunc builds the snapshot of a tree; index.Build is the real one.
type BuildFunc func(ctx context.Context, root string, opts index.Options) (*index.Snapshot, error)

// Options configure a Catalog.
type Options struct {
	// Build builds snapshots; nil means index.Build.
	Build BuildFunc
	// Index are the options passed to every build (Previous is set by the
	// catalog).
	Index index.Options
	// OnSwap, when set, is called after every swap with the new current view
	// (also after the first load).
	OnSwap func(*View)
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Catalog is the live, swappable snapshot of one tree. Its methods are safe
// for concurrent use.
type Catalog struct {
	root  string
	opts  Options
	ready chan struct{}
	once  sync.Once

	mu        sync.Mutex
	current   *View
	leases    map[string]*held
	building  bool
	buildDone chan struct{}
	progress  progress

	baseCtx context.Context
	cancel  context.CancelFunc
}

// held is a snapshot kept alive by the streams leasing it.
type held struct {
	view *View
	refs int
}

// ErrNotReady reports that no snapshot has been built yet.
var ErrNotReady = errors.New("the first index of the tree is not ready yet; retry in a moment (health turns SERVING when it is)")

// ErrReindexRunning reports a Reindex refused because another one is running.
var ErrReindexRunning = errors.New("a reindex is already running; retry when it has finished")

// ErrSnapshotGone reports a pinned snapshot id that is neither current nor
// still held by a running stream.
var ErrSnapshotGone = errors.New("the snapshot is no longer current nor held by a stream (leave snapshot_id and the cursor out to start over on the current one)")

// ErrClosed reports a call on a closed catalog.
var ErrClosed = errors.New("the server is shutting down; retry on another replica or after the restart")

// New returns a catalog of the tree at root. It holds no snapshot until Load
// (or a Reindex) succeeds.
func New(root string, opts Options) *Catalog {
	if opts.Build == nil {
		opts.Build = index.Build
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Catalog{
		root:    root,
		opts:    opts,
		ready:   make(chan struct{}),
		leases:  map[string]*held{},
		baseCtx: ctx,
		cancel:  cancel,
	}
}

// Root returns the tree's root directory.
func (c *Catalog) Root() string { return c.root }

// Ready is closed once the first snapshot is in place.
func (c *Catalog) Ready() <-chan struct{} { return c.ready }

// Current returns the current view, or nil before the first snapshot.
func (c *Catalog) Current() *View {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.current
}

// Load builds the first snapshot (or rebuilds it, like Reindex) and waits
// for it. It fails only when the tree's root cannot be read or ctx ends.
func (c *Catalog) Load(ctx context.Context) error {
	_, err := c.Reindex(ctx)
	return err
}

// Set installs a snapshot built elsewhere as the current one, as a finished
// reindex would; tests and tools use it.
func (c *Catalog) Set(s *index.Snapshot) *View {
	v := newView(s)
	c.swap(v)
	return v
}

// Close cancels a running reindex. Leases stay valid.
func (c *Catalog) Close() {
	c.cancel()
}

func (c *Catalog) swap(v *View) *View {
	c.mu.Lock()
	old := c.current
	c.current = v
	first := old == nil
	c.mu.Unlock()
	if first {
		c.readyOnce()
	}
	if c.opts.OnSwap != nil {
		c.opts.OnSwap(v)
	}
	return old
}

func (c *Catalog) readyOnce() {
	c.once.Do(func() { close(c.ready) })
}

// Age returns how old the current snapshot is, 0 before the first.
func (c *Catalog) Age() time.Duration {
	v := c.Current()
	if v == nil {
		return 0
	}
	return c.opts.Now().Sub(v.Snapshot.Created)
}

// String names the catalog by its root, for logs.
func (c *Catalog) String() string {
	return fmt.Sprintf("catalog of %s", c.root)
}
