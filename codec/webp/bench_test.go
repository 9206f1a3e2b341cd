package webp_test

import "testing"

// BenchmarkDecodeLossy decodes a lossy WebP.
func BenchmarkDecodeLossy(b *testing.B) {
	webpCodec.BenchFile(b, "gamma_submission_2025/clean/edge-1-webp-lossy.webp")
}

// BenchmarkDecodeLossyAlpha decodes a lossy WebP with an ALPH plane.
func BenchmarkDecodeLossyAlpha(b *testing.B) {
	webpCodec.BenchFile(b, "gamma_submission_2025/clean/edge-1-webp-lossy-alpha.webp")
}

// BenchmarkDecodeLossless decodes a lossless WebP.
func BenchmarkDecodeLossless(b *testing.B) {
	webpCodec.BenchFile(b, "alpha_submission_2025/clean/clean-0456.webp")
}

// BenchmarkDecodeLosslessAlpha decodes a lossless WebP with alpha.
func BenchmarkDecodeLosslessAlpha(b *testing.B) {
	webpCodec.BenchFile(b, "alpha_submission_2025/stego/humanity_light_alpha_001.webp")
}

// BenchmarkDecodeConfig reads only the container and bitstream headers.
func BenchmarkDecodeConfig(b *testing.B) {
	webpCodec.BenchConfig(b, "alpha_submission_2025/stego/humanity_light_exif_002.webp")
}
