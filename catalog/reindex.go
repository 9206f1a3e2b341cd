package catalog

import (
	"context"
	"fmt"
	"time"

	"github.com/starlight/dataserver/index"
)

// Result is what one reindex changed.
type Result struct {
	// Previous is the view replaced, nil on the first load.
	Previous *View
	// Current is the new current view.
	Current *View
	// Changes lists added, removed and changed paths and the new problems.
	Changes index.Changes
	// Took is how long the build took.
	Took time.Duration
	// SplitMoves are the samples whose split changed, by path.
	SplitMoves []SplitMove
}

// Reindex rescans the tree in the background, swaps the new snapshot in
// atomically and returns what changed. While one runs, another call fails at
// once with ErrReindexRunning. The build goes on when ctx ends (only Close
// stops it); the caller then gets ctx's error and the swap still happens.
func (c *Catalog) Reindex(ctx context.Context) (*Result, error) {
	c.mu.Lock()
	if c.building {
		c.mu.Unlock()
		return nil, ErrReindexRunning
	}
	if c.baseCtx.Err() != nil {
		c.mu.Unlock()
		return nil, ErrClosed
	}
	c.building = true
	done := make(chan struct{})
	c.buildDone = done
	prev := c.current
	c.mu.Unlock()

	var res *Result
	var err error
	go func() {
		defer close(done)
		res, err = c.build(prev)
		c.mu.Lock()
		c.building = false
		c.mu.Unlock()
	}()
	select {
	case <-done:
		return res, err
	case <-ctx.Done():
		return nil, fmt.Errorf("stopped waiting for the reindex of %s (it goes on): %w", c.root, ctx.Err())
	}
}

// Reindexing tells whether a reindex is running now.
func (c *Catalog) Reindexing() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.building
}

func (c *Catalog) build(prev *View) (*Result, error) {
	start := c.opts.Now()
	opts := c.opts.Index
	if prev != nil {
		opts.Previous = prev.Snapshot
	}
	c.progress.start(start)
	defer c.progress.running.Store(false)
	report := opts.Progress
	opts.Progress = func(done, total int) {
		c.progress.set(done, total)
		if report != nil {
			report(done, total)
		}
	}
	snap, err := c.opts.Build(c.baseCtx, c.root, opts)
	if err != nil {
		return nil, fmt.Errorf("indexing %s: %w", c.root, err)
	}
	if snap == nil {
		return nil, fmt.Errorf("indexing %s returned no snapshot", c.root)
	}
	v := newView(snap)
	res := &Result{Previous: prev, Current: v, Took: c.opts.Now().Sub(start)}
	if prev != nil {
		res.Changes = index.Diff(prev.Snapshot, snap)
		res.SplitMoves = splitMoves(prev.Snapshot, snap)
	} else {
		res.Changes = index.Diff(nil, snap)
	}
	c.swap(v)
	return res, nil
}
