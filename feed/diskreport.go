package feed

import (
	"sync"
	"time"
)

// DiskProblem is a disk cache failure, reported to Config.OnDiskProblem.
// Each is also counted in Stats; none stops serving (the image is then
// extracted from its file).
type DiskProblem struct {
	// Kind is DiskCorrupt, DiskReadFailed or DiskWriteFailed.
	Kind string
	// ID is the content id of the entry.
	ID string
	// Err says what went wrong.
	Err error
	// Suppressed counts the problems of this kind since the last report
	// that were not reported (reports are rate-limited).
	Suppressed uint64
}

// Kinds of DiskProblem.
const (
	// DiskCorrupt: an entry failed its checksum or layout check; it was removed.
	DiskCorrupt = "corrupt"
	// DiskReadFailed: an entry could not be read; it was dropped.
	DiskReadFailed = "read-failed"
	// DiskWriteFailed: an entry could not be written (a full disk, say).
	DiskWriteFailed = "write-failed"
)

// DiskReportEvery is the least time between two reports of one kind.
const DiskReportEvery = 10 * time.Second

// diskReporter hands problems to a callback, at most one per kind per
// DiskReportEvery, counting those it holds back.
type diskReporter struct {
	fn  func(DiskProblem)
	now func() time.Time

	mu         sync.Mutex
	last       map[string]time.Time
	suppressed map[string]uint64
}

func newDiskReporter(fn func(DiskProblem)) *diskReporter {
	return &diskReporter{fn: fn, now: time.Now, last: map[string]time.Time{}, suppressed: map[string]uint64{}}
}

func (r *diskReporter) report(p DiskProblem) {
	if r == nil || r.fn == nil {
		return
	}
	r.mu.Lock()
	now := r.now()
	if last, ok := r.last[p.Kind]; ok && now.Sub(last) < DiskReportEvery {
		r.suppressed[p.Kind]++
		r.mu.Unlock()
		return
	}
	r.last[p.Kind] = now
	p.Suppressed = r.suppressed[p.Kind]
	r.suppressed[p.Kind] = 0
	r.mu.Unlock()
	r.fn(p)
}
