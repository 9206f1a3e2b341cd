package extract_test

import (
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/extract"
	"github.com/starlight/dataserver/internal/corpustest"
)

// BenchmarkTrainset extracts every ../shared/trainset image of one format
// per iteration on one goroutine, as `dataserver digest` does (streams and
// their digests); img/s is images per wall second, img/cpu-s per second
// of the process's CPU time (the figure to trust on a busy machine). Run
// it with GOMAXPROCS=1 pinned to one core to compare with the reference's
// figures.
func BenchmarkTrainset(b *testing.B) {
	benchFormats(b, corpustest.TrainsetFiles)
}

// BenchmarkCorpusFormat is BenchmarkTrainset over the corpus.
func BenchmarkCorpusFormat(b *testing.B) {
	benchFormats(b, corpustest.Files)
}

func benchFormats(b *testing.B, files func(testing.TB, codec.Format) []corpustest.File) {
	for _, f := range []codec.Format{codec.FormatPNG, codec.FormatJPEG, codec.FormatGIF, codec.FormatWEBP} {
		b.Run(string(f), func(b *testing.B) {
			fs := files(b, f)
			if len(fs) == 0 {
				b.Skipf("no %s files", f)
			}
			b.ReportAllocs()
			b.ResetTimer()
			cpu := corpustest.CPUTime()
			for i := 0; i < b.N; i++ {
				for _, file := range fs {
					s, err := extract.Extract(file.Data, extract.Options{})
					if err != nil {
						continue // the trainset's damaged files count as extracted
					}
					_ = s.Digest()
				}
			}
			cpu = corpustest.CPUTime() - cpu
			b.ReportMetric(float64(b.N*len(fs))/b.Elapsed().Seconds(), "img/s")
			if cpu > 0 {
				b.ReportMetric(float64(b.N*len(fs))/cpu.Seconds(), "img/cpu-s")
			}
			b.ReportMetric(0, "ns/op")
		})
	}
}
