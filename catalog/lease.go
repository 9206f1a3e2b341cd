package catalog

import (
	"fmt"
	"sync"
)

// Lease keeps one view alive for a running stream: a pinned snapshot id
// resolves to it as long as any lease on it is open.
type Lease struct {
	c    *Catalog
	view *View
	once sync.Once
}

// View returns the leased view.
func (l *Lease) View() *View { return l.view }

// Release ends the lease; it is safe to call more than once.
func (l *Lease) Release() {
	l.once.Do(func() {
		c := l.c
		c.mu.Lock()
		defer c.mu.Unlock()
		h := c.leases[l.view.ID()]
		if h == nil {
			return
		}
		h.refs--
		if h.refs <= 0 {
			delete(c.leases, l.view.ID())
		}
	})
}

// Acquire leases the view with the given snapshot id, or the current view
// when id is empty. It fails with ErrNotReady before the first snapshot and
// with ErrSnapshotGone when id is neither current nor held by a lease.
func (c *Catalog) Acquire(id string) (*Lease, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var v *View
	switch {
	case c.current == nil:
		return nil, ErrNotReady
	case id == "" || id == c.current.ID():
		v = c.current
	default:
		h := c.leases[id]
		if h == nil {
			return nil, fmt.Errorf("%w: %s (current is %s)", ErrSnapshotGone, id, c.current.ID())
		}
		v = h.view
	}
	h := c.leases[v.ID()]
	if h == nil {
		h = &held{view: v}
		c.leases[v.ID()] = h
	}
	h.refs++
	return &Lease{c: c, view: v}, nil
}

// Held returns the ids of the snapshots held by leases, current or not.
func (c *Catalog) Held() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.leases))
	for id := range c.leases {
		out = append(out, id)
	}
	return out
}
