package codectest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/internal/corpustest"
)

// corpusFile reads the corpus file rel (slash-separated, relative to the
// datasets root); the benchmark is skipped when the corpus is absent and
// fails when the file is missing from it.
func corpusFile(b *testing.B, rel string) []byte {
	b.Helper()
	data, err := os.ReadFile(filepath.Join(corpustest.Datasets(b), filepath.FromSlash(rel)))
	if err != nil {
		b.Fatalf("corpus file: %v", err)
	}
	return data
}

// BenchFile decodes the corpus file rel repeatedly.
func (c Codec) BenchFile(b *testing.B, rel string) {
	b.Helper()
	c.BenchData(b, corpusFile(b, rel))
}

// BenchData decodes data repeatedly, reporting allocations and throughput.
func (c Codec) BenchData(b *testing.B, data []byte) {
	b.Helper()
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := c.Decode(data, codec.DefaultLimits); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchConfig reads only the header of the corpus file rel, repeatedly.
func (c Codec) BenchConfig(b *testing.B, rel string) {
	b.Helper()
	data := corpusFile(b, rel)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.DecodeConfig(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchRefuse measures refusing data, whose header declares an image over
// the default limits (it must cost microseconds and allocate nothing large).
func (c Codec) BenchRefuse(b *testing.B, data []byte) {
	b.Helper()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Decode(data, codec.DefaultLimits); err == nil {
			b.Fatal("huge header accepted")
		}
	}
}
