package feed

import "sync"

// budget is the global byte budget of prefetched batches. Acquisition never
// blocks: a waiter selects on changed() together with its other events.
type budget struct {
	mu      sync.Mutex
	max     int64
	used    int64
	changed chan struct{}
}

func newBudget(max int64) *budget {
	return &budget{max: max, changed: make(chan struct{})}
}

// tryAcquire takes n bytes (capped at the whole budget, so one oversized
// batch can still pass alone) when they are free.
func (b *budget) tryAcquire(n int64) (int64, bool) {
	n = min(n, b.max)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used+n > b.max {
		return 0, false
	}
	b.used += n
	return n, true
}

// release returns n bytes and wakes the waiters.
func (b *budget) release(n int64) {
	if n == 0 {
		return
	}
	b.mu.Lock()
	b.used -= n
	close(b.changed)
	b.changed = make(chan struct{})
	b.mu.Unlock()
}

// wait returns a channel closed at the next release.
func (b *budget) wait() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.changed
}

func (b *budget) inUse() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used
}
