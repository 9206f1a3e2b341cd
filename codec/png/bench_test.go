package png_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/codec/png"
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
		if _, err := png.Decode(data, codec.DefaultLimits); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeRGB256 decodes a 256x256 8-bit RGB PNG.
func BenchmarkDecodeRGB256(b *testing.B) {
	benchFile(b, "alpha_submission_2025/clean/clean-0405.png")
}

// BenchmarkDecodeRGBA256 decodes a 256x256 8-bit RGBA PNG.
func BenchmarkDecodeRGBA256(b *testing.B) {
	benchFile(b, "alpha_submission_2025/stego/humanity_light_alpha_002.png")
}

// BenchmarkDecodeConfig reads only the header of a 256x256 RGB PNG.
func BenchmarkDecodeConfig(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(corpustest.Datasets(b), "alpha_submission_2025/clean/clean-0405.png"))
	if err != nil {
		b.Skipf("corpus file missing: %v", err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := png.DecodeConfig(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRefuseHuge measures refusing a header that declares an image
// over the limits (it must cost microseconds and allocate nothing large).
func BenchmarkRefuseHuge(b *testing.B) {
	data := hugeHeader()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := png.Decode(data, codec.DefaultLimits); err == nil {
			b.Fatal("huge header accepted")
		}
	}
}

// hugeHeader returns a PNG whose IHDR declares 100000x100000.
func hugeHeader() []byte { return mkPNG(100000, 100000, 8, 2, deflate(make([]byte, 64))) }
