package catalog

import (
	"sync/atomic"
	"time"
)

// Progress is how far the running index build is.
type Progress struct {
	// Running tells whether a build (first load or reindex) is running.
	Running bool
	// Done and Total count the files of the tree handled and found; Total
	// is 0 while the tree is still being listed.
	Done, Total int
	// Started is when the running build began.
	Started time.Time
	// Rate is the files handled per second since Started.
	Rate float64
	// ETA is the time left at Rate; 0 when unknown.
	ETA time.Duration
}

// progress holds the counters of the running build.
type progress struct {
	running      atomic.Bool
	done, total  atomic.Int64
	startedNanos atomic.Int64
}

func (p *progress) start(now time.Time) {
	p.done.Store(0)
	p.total.Store(0)
	p.startedNanos.Store(now.UnixNano())
	p.running.Store(true)
}

func (p *progress) set(done, total int) {
	p.total.Store(int64(total))
	p.done.Store(int64(done))
}

// Progress returns how far the running build is; Running is false when
// none runs (the other fields then describe the last build).
func (c *Catalog) Progress() Progress {
	p := &c.progress
	out := Progress{Running: p.running.Load(), Done: int(p.done.Load()), Total: int(p.total.Load())}
	if n := p.startedNanos.Load(); n != 0 {
		out.Started = time.Unix(0, n)
	}
	if el := c.opts.Now().Sub(out.Started).Seconds(); out.Running && el > 0 {
		out.Rate = float64(out.Done) / el
		if out.Rate > 0 && out.Total > out.Done {
			out.ETA = time.Duration(float64(out.Total-out.Done) / out.Rate * float64(time.Second))
		}
	}
	return out
}
