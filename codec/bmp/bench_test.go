package bmp_test

import "testing"

// BenchmarkDecodeBGR256 decodes a 256x256 24-bit BMP.
func BenchmarkDecodeBGR256(b *testing.B) {
	bmpCodec.BenchFile(b, "gamma_submission_2025/clean/edge-1-bmp-24.bmp")
}

// BenchmarkDecodeP256 decodes a 256x256 8-bit paletted BMP.
func BenchmarkDecodeP256(b *testing.B) {
	bmpCodec.BenchFile(b, "gamma_submission_2025/clean/edge-1-bmp-8-palette.bmp")
}

// BenchmarkRefuseHuge measures refusing a header that declares an image
// over the limits (it must cost microseconds and allocate nothing large).
func BenchmarkRefuseHuge(b *testing.B) {
	bmpCodec.BenchRefuse(b, hugeHeader())
}

// hugeHeader returns a BMP whose header declares 100000x100000.
func hugeHeader() []byte { return mkBMP(100000, 100000, 24, 0, nil, ramp(64)) }
