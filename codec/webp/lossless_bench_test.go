package webp

import (
	"bytes"
	"testing"

	"golang.org/x/image/vp8l"
)

// BenchmarkLossless decodes the lossless streams of the shared trees
// (every eighth of the trainset) with x/image/vp8l and with the lossless
// decoder; img/s is streams per second per core.
func BenchmarkLossless(b *testing.B) {
	var streams [][]byte
	for _, s := range losslessStreams(b) {
		if len(s) > 4000 {
			streams = append(streams, s)
		}
	}
	if len(streams) == 0 {
		b.Skip("NO LARGE LOSSLESS STREAMS (../shared/corpus, ../shared/trainset): skipping")
	}
	b.Run("x-image-vp8l", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			for _, s := range streams {
				if _, err := vp8l.Decode(bytes.NewReader(s)); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.N*len(streams))/b.Elapsed().Seconds(), "img/s")
	})
	b.Run("own", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			for _, s := range streams {
				l := lbits{data: s}
				l.read(8)
				w, h := int(l.read(14))+1, int(l.read(14))+1
				if _, err := decodeVP8LStream(s, w, h); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.N*len(streams))/b.Elapsed().Seconds(), "img/s")
	})
}
