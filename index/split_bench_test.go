package index

import (
	"context"
	"testing"
)

// BenchmarkSplits100k assigns the splits of a generated tree of 100,000
// files (groups, hash, copies, leak check), the part of Build that splits
// add; compare with BenchmarkBuild100k and BenchmarkRebuild100k, or read
// BenchmarkSplitShare100k, which measures both in CPU time.
func BenchmarkSplits100k(b *testing.B) {
	const n = 100_000
	root := benchTree(b, n)
	s, err := Build(context.Background(), root, Options{Workers: benchWorkers, HeaderOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	samples := make([]Sample, len(s.Samples))
	for b.Loop() {
		copy(samples, s.Samples)
		if probs := splitProblems(samples, SplitConfig{}); len(probs) != 0 {
			b.Fatalf("problems: %v", probs[:min(3, len(probs))])
		}
	}
	b.ReportMetric(float64(len(samples))*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
}
