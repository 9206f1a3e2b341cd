//go:build unix

package index

import (
	"context"
	"syscall"
	"testing"
	"time"
)

// BenchmarkSplitShare100k re-indexes a generated tree of 100,000 unchanged
// files (the reindex a server runs) and assigns its splits again, and
// reports the process CPU time of each per operation: on a shared machine
// CPU time says more than wall time. The re-index includes one split
// assignment of its own.
func BenchmarkSplitShare100k(b *testing.B) {
	const n = 100_000
	root := benchTree(b, n)
	prev, err := Build(context.Background(), root, Options{Workers: benchWorkers, HeaderOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	samples := make([]Sample, len(prev.Samples))
	var rebuild, splits time.Duration
	for b.Loop() {
		t0 := cpuTime(b)
		if _, err := Build(context.Background(), root, Options{Workers: benchWorkers, HeaderOnly: true, Previous: prev}); err != nil {
			b.Fatal(err)
		}
		t1 := cpuTime(b)
		copy(samples, prev.Samples)
		splitProblems(samples, SplitConfig{})
		t2 := cpuTime(b)
		rebuild += t1 - t0
		splits += t2 - t1
	}
	b.ReportMetric(float64(rebuild.Milliseconds())/float64(b.N), "reindex-cpu-ms/op")
	b.ReportMetric(float64(splits.Milliseconds())/float64(b.N), "splits-cpu-ms/op")
}

// cpuTime returns the user and system CPU time of the process so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
