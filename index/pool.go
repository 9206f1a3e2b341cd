package index

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
)

// parallel runs fn(0..n-1) on workers goroutines and calls tick on the
// calling goroutine once per finished call. It stops handing out work when
// ctx is done and returns ctx's error then.
func parallel(ctx context.Context, workers, n int, fn func(i int), tick func()) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers > n {
		workers = n
	}
	var next atomic.Int64
	done := make(chan struct{}, 4*workers+1)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				fn(i)
				done <- struct{}{}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(done)
	}()
	for range done {
		tick()
	}
	return ctx.Err()
}
