package webp_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/codec/webp"
	"github.com/starlight/dataserver/internal/corpustest"
)

func benchFile(b *testing.B, rel string) {
	data, err := os.ReadFile(filepath.Join(corpustest.Datasets(b), filepath.FromSlash(rel)))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := webp.Decode(data, codec.DefaultLimits); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeLossy(b *testing.B) {
	benchFile(b, "gamma_submission_2025/clean/edge-1-webp-lossy.webp")
}

func BenchmarkDecodeLossyAlpha(b *testing.B) {
	benchFile(b, "gamma_submission_2025/clean/edge-1-webp-lossy-alpha.webp")
}

func BenchmarkDecodeLossless(b *testing.B) {
	benchFile(b, "alpha_submission_2025/clean/clean-0456.webp")
}

func BenchmarkDecodeLosslessAlpha(b *testing.B) {
	benchFile(b, "alpha_submission_2025/stego/humanity_light_alpha_001.webp")
}

func BenchmarkDecodeConfig(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(corpustest.Datasets(b), "alpha_submission_2025/stego/humanity_light_exif_002.webp"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := webp.DecodeConfig(data); err != nil {
			b.Fatal(err)
		}
	}
}
