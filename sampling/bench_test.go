package sampling

import (
	"fmt"
	"testing"
)

// A snapshot of a hundred thousand samples.
var big = corpusShape(40000, [5]int{6000, 3000, 12000, 9000, 10000}, 20000)

func BenchmarkNewPools(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		NewPools(big)
	}
}

func BenchmarkNew(b *testing.B) {
	pools := NewPools(big)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(pools, Params{Seed: 1, BatchSize: 256, World: 8, Rank: 3, ClassBalance: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBatch seeks to batches at the start, middle and end of the epoch:
// the cost per batch does not grow with the batch index.
func BenchmarkBatch(b *testing.B) {
	s := mustNew(b, big, Params{Seed: 1, Epoch: 9, BatchSize: 256, World: 2, Rank: 1, ClassBalance: true})
	last := s.BatchesPerEpoch() - 1
	for _, at := range []int{0, last / 2, last} {
		b.Run(fmt.Sprintf("b=%d", at), func(b *testing.B) {
			dst := make([]Draw, 0, 256)
			b.ReportAllocs()
			for b.Loop() {
				dst = s.AppendBatch(dst[:0], at)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/256, "ns/draw")
		})
	}
}

func BenchmarkPermutationAt(b *testing.B) {
	p := NewPermutation(1_000_003, 77)
	var i, sink uint64
	b.ReportAllocs()
	for b.Loop() {
		sink += p.At(i)
		i++
		if i == p.Len() {
			i = 0
		}
	}
	_ = sink
}

func BenchmarkCursor(b *testing.B) {
	c := sampleCursors[0]
	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = c.Encode()
		}
	})
	s := c.Encode()
	b.Run("parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ParseCursor(s); err != nil {
				b.Fatal(err)
			}
		}
	})
}
