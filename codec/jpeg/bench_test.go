package jpeg_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/codec/jpeg"
	"github.com/starlight/dataserver/internal/corpustest"
)

// benchFiles names one corpus file per kind of JPEG.
var benchFiles = []struct{ name, rel string }{
	{"baseline420", "alpha_submission_2025/clean/clean-0404.jpg"},
	{"baseline422", "gamma_submission_2025/clean/edge-1-jpeg-422.jpg"},
	{"baseline444", "gamma_submission_2025/clean/edge-1-jpeg-444.jpg"},
	{"gray", "gamma_submission_2025/clean/edge-1-jpeg-gray.jpg"},
	{"cmyk", "gamma_submission_2025/clean/edge-1-jpeg-cmyk.jpg"},
	{"progressive420", "gamma_submission_2025/clean/edge-1-jpeg-progressive.jpg"},
	{"odd301x257", "gamma_submission_2025/clean/edge-1-jpeg-odd-301x257.jpg"},
	{"small97x61", "gamma_submission_2025/clean/edge-1-jpeg-small-97x61.jpeg"},
}

// BenchmarkDecode decodes one corpus file of each kind.
func BenchmarkDecode(b *testing.B) {
	root := filepath.Join(corpustest.Dir(b), "datasets")
	for _, f := range benchFiles {
		data, err := os.ReadFile(filepath.Join(root, f.rel))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(f.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for i := 0; i < b.N; i++ {
				if _, err := jpeg.Decode(data, codec.DefaultLimits); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeSmoothing decodes a small incomplete progressive fixture,
// whose output goes through block smoothing (no corpus file does).
func BenchmarkDecodeSmoothing(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "smooth-partial-50x100-420.jpg"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		if _, err := jpeg.Decode(data, codec.DefaultLimits); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeConfig reads only the header of a baseline file.
func BenchmarkDecodeConfig(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(corpustest.Dir(b), "datasets", benchFiles[0].rel))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := jpeg.DecodeConfig(data); err != nil {
			b.Fatal(err)
		}
	}
}
