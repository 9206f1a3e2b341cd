package feed

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// TestReserveWaitsThenRefuses: a reservation that does not fit waits for
// its bound, then fails with ErrBudget and is counted; one released in time
// is granted.
func TestReserveWaitsThenRefuses(t *testing.T) {
	b := newBudget(100)
	if n, err := b.reserve(context.Background(), 80, time.Second); err != nil || n != 80 {
		t.Fatalf("first reservation: %d, %v", n, err)
	}
	_, err := b.reserve(context.Background(), 80, 20*time.Millisecond)
	if !errors.Is(err, ErrBudget) {
		t.Fatalf("second reservation: %v, want ErrBudget", err)
	}
	if b.refusals.Load() != 1 || b.inUse() != 80 {
		t.Fatalf("refusals %d, in use %d", b.refusals.Load(), b.inUse())
	}
	go func() {
		time.Sleep(20 * time.Millisecond)
		b.release(80)
	}()
	if n, err := b.reserve(context.Background(), 80, time.Minute); err != nil || n != 80 {
		t.Fatalf("reservation after a release: %d, %v", n, err)
	}
}

// TestReserveCapsAtBudget: a batch larger than the whole budget reserves
// the whole budget, so it can still be served alone.
func TestReserveCapsAtBudget(t *testing.T) {
	b := newBudget(100)
	if n, err := b.reserve(context.Background(), 1000, time.Second); err != nil || n != 100 {
		t.Fatalf("oversized reservation: %d, %v", n, err)
	}
}

// TestWaitersGoFirst: while a stream waits for its reservation, neither
// prefetch nor the cache may take bytes, and waiters are served in order.
func TestWaitersGoFirst(t *testing.T) {
	b := newBudget(100)
	b.reserve(context.Background(), 60, time.Second)
	got := make(chan string, 2)
	for _, name := range []string{"first", "second"} {
		go func() {
			if _, err := b.reserve(context.Background(), 60, time.Minute); err != nil {
				got <- err.Error()
				return
			}
			got <- name
		}()
		for {
			b.mu.Lock()
			n := len(b.queue)
			b.mu.Unlock()
			if (name == "first" && n == 1) || n == 2 {
				break
			}
			time.Sleep(time.Millisecond)
		}
	}
	if b.tryAcquire(10) {
		t.Fatal("prefetch took bytes while streams wait")
	}
	b.release(60)
	if g := <-got; g != "first" {
		t.Fatalf("granted %s first", g)
	}
	b.release(60)
	if g := <-got; g != "second" {
		t.Fatalf("then %s", g)
	}
}

// TestCacheYieldsToStreams: cache entries hold budget bytes, and a stream
// that needs them evicts them instead of being refused.
func TestCacheYieldsToStreams(t *testing.T) {
	size := int64(fakeStreams(0).Bytes()) + packedExtra
	b := newBudget(4 * size)
	c := newMemCache(4*size, b)
	for i := 0; i < 4; i++ {
		c.put(fmt.Sprint(i), fakeStreams(byte(i)))
	}
	if used, n := c.stats(); used != 4*size || n != 4 || b.inUse() != 4*size {
		t.Fatalf("cache %d bytes in %d entries, budget in use %d", used, n, b.inUse())
	}
	if n, err := b.reserve(context.Background(), 2*size, 10*time.Millisecond); err != nil || n != 2*size {
		t.Fatalf("reservation against a full cache: %d, %v", n, err)
	}
	used, n := c.stats()
	if n != 2 || b.inUse() != 4*size {
		t.Fatalf("after yielding: cache %d bytes in %d entries, budget in use %d", used, n, b.inUse())
	}
	if _, ok := c.get("0"); ok {
		t.Fatal("the oldest entry was kept")
	}
	c.put("new", fakeStreams(7))
	if _, ok := c.get("new"); ok {
		t.Fatal("the cache stored an entry with the budget full")
	}
}

// TestReservationOutlivesCloseWhileLent: a stream closed while a batch holds
// its reservation gives it back only when that batch is released.
func TestReservationOutlivesCloseWhileLent(t *testing.T) {
	b := newBudget(100)
	n, _ := b.reserve(context.Background(), 40, time.Second)
	r := newReservation(b, n)
	<-r.slot // lent to a batch
	r.close()
	if b.inUse() != 40 {
		t.Fatalf("in use %d after close with the reservation lent", b.inUse())
	}
	r.giveBack()
	if b.inUse() != 0 {
		t.Fatalf("in use %d after the batch was released", b.inUse())
	}
	r.giveBack()
	r.close()
	if b.inUse() != 0 {
		t.Fatalf("in use %d after repeated releases", b.inUse())
	}
	r2 := newReservation(b, 30)
	b.used += 30
	r2.close()
	if b.inUse() != 0 {
		t.Fatalf("in use %d after closing an unlent reservation", b.inUse())
	}
}
