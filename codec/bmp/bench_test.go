package bmp_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/codec/bmp"
	"github.com/starlight/dataserver/internal/corpustest"
)

// benchFile decodes one corpus file repeatedly.
func benchFile(b *testing.B, rel string) {
	data, err := os.ReadFile(filepath.Join(corpustest.Datasets(b), rel))
	if err != nil {
		b.Skipf("corpus file missing: %v", err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := bmp.Decode(data, codec.DefaultLimits); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeBGR256 decodes a 256x256 24-bit BMP.
func BenchmarkDecodeBGR256(b *testing.B) {
	benchFile(b, "gamma_submission_2025/clean/edge-1-bmp-24.bmp")
}

// BenchmarkDecodeP256 decodes a 256x256 8-bit paletted BMP.
func BenchmarkDecodeP256(b *testing.B) {
	benchFile(b, "gamma_submission_2025/clean/edge-1-bmp-8-palette.bmp")
}

// BenchmarkRefuseHuge measures refusing a header that declares an image
// over the limits (it must cost microseconds and allocate nothing large).
func BenchmarkRefuseHuge(b *testing.B) {
	data := hugeHeader()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := bmp.Decode(data, codec.DefaultLimits); err == nil {
			b.Fatal("huge header accepted")
		}
	}
}

// hugeHeader returns a BMP whose header declares 100000x100000.
func hugeHeader() []byte { return mkBMP(100000, 100000, 24, 0, nil, ramp(64)) }
