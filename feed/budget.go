package feed

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// ErrBudget reports a stream that could not reserve memory for its batches
// within the wait bound: the server is holding all it may for other
// streams. Retrying later can succeed.
var ErrBudget = errors.New("memory budget exhausted")

// budget is the one memory budget of everything a feed holds for batches:
// every stream's reservation (one batch it may always hold), the further
// batches assembled ahead, each batch charged from assembly until the
// transport has written it, and the memory cache. Streams reserve in turn,
// first come first served; bytes go to further batches and to the cache
// only while no stream waits, and the cache gives bytes back (yield) before
// a waiting stream is refused. A waiter selects on wait() together with its
// other events.
type budget struct {
	mu      sync.Mutex
	max     int64
	used    int64
	queue   []*waiter // streams waiting for a reservation, in arrival order
	changed chan struct{}
	// yield, when set, asks the cache to free about n bytes and returns
	// the bytes freed; it is called without mu held.
	yield    func(n int64) int64
	refusals atomic.Uint64
}

// waiter is one stream in the queue; it has a size so that every waiter
// has an address of its own (zero-size allocations may share one).
type waiter struct{ n int64 }

func newBudget(max int64) *budget {
	return &budget{max: max, changed: make(chan struct{})}
}

// tryAcquire takes exactly n bytes when they are free and no stream waits
// for a reservation.
func (b *budget) tryAcquire(n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.queue) > 0 || b.used+n > b.max {
		return false
	}
	b.used += n
	return true
}

// reserve takes n bytes (capped at the whole budget, so that a batch larger
// than the budget can still be served alone) in arrival order, asking the
// cache to yield when they are not free, and waits at most wait for them.
// It returns the bytes taken, or an error wrapping ErrBudget after the wait
// (or ctx's error).
func (b *budget) reserve(ctx context.Context, n int64, wait time.Duration) (int64, error) {
	n = min(n, b.max)
	me := &waiter{n: n}
	b.mu.Lock()
	b.queue = append(b.queue, me)
	b.mu.Unlock()
	defer b.leave(me)
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		b.mu.Lock()
		first := b.queue[0] == me
		short := b.used + n - b.max
		if first && short <= 0 {
			b.used += n
			b.mu.Unlock()
			return n, nil
		}
		changed := b.changed
		b.mu.Unlock()
		if first && b.yield != nil && b.yield(short) > 0 {
			continue
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-t.C:
			b.refusals.Add(1)
			used := b.inUse()
			return 0, fmt.Errorf("%w: %d bytes for one batch not free within %s (budget %d bytes, %d in use); retry later, or ask for smaller batches (batch_size, streams, pack_bits)",
				ErrBudget, n, wait, b.max, used)
		}
	}
}

// leave takes a waiter off the queue and wakes the others (the head may
// have changed).
func (b *budget) leave(me *waiter) {
	b.mu.Lock()
	for i, w := range b.queue {
		if w == me {
			b.queue = append(b.queue[:i], b.queue[i+1:]...)
			break
		}
	}
	b.broadcast()
	b.mu.Unlock()
}

// release returns n bytes and wakes the waiters.
func (b *budget) release(n int64) {
	if n == 0 {
		return
	}
	b.mu.Lock()
	b.used -= n
	b.broadcast()
	b.mu.Unlock()
}

// broadcast wakes every waiter; mu must be held.
func (b *budget) broadcast() {
	close(b.changed)
	b.changed = make(chan struct{})
}

// wait returns a channel closed at the next release or queue change.
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

// reservation is the one batch's worth of budget a stream holds from Open
// to Close: lent to one batch at a time (slot holds a token while it is
// not lent), and given back to the budget once the stream is closed and
// the batch holding it, if any, is released.
type reservation struct {
	b      *budget
	mu     sync.Mutex
	n      int64
	closed bool
	slot   chan struct{}
}

func newReservation(b *budget, n int64) *reservation {
	r := &reservation{b: b, n: n, slot: make(chan struct{}, 1)}
	r.slot <- struct{}{}
	return r
}

// giveBack ends the loan of the reservation to a batch.
func (r *reservation) giveBack() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		r.b.release(r.n)
		r.n = 0
		return
	}
	select {
	case r.slot <- struct{}{}:
	default:
	}
}

// close gives the reservation back to the budget now if no batch holds
// it, else when that batch is released. The stream takes no more loans.
func (r *reservation) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	r.closed = true
	select {
	case <-r.slot:
		r.b.release(r.n)
		r.n = 0
	default: // lent: giveBack releases it
	}
}
