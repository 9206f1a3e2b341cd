package png_test

import "testing"

// BenchmarkDecodeRGB256 decodes a 256x256 8-bit RGB PNG.
func BenchmarkDecodeRGB256(b *testing.B) {
	pngCodec.BenchFile(b, "alpha_submission_2025/clean/clean-0405.png")
}

// BenchmarkDecodeRGBA256 decodes a 256x256 8-bit RGBA PNG.
func BenchmarkDecodeRGBA256(b *testing.B) {
	pngCodec.BenchFile(b, "alpha_submission_2025/stego/humanity_light_alpha_002.png")
}

// BenchmarkDecodeConfig reads only the header of a 256x256 RGB PNG.
func BenchmarkDecodeConfig(b *testing.B) {
	pngCodec.BenchConfig(b, "alpha_submission_2025/clean/clean-0405.png")
}

// BenchmarkRefuseHuge measures refusing a header that declares an image
// over the limits (it must cost microseconds and allocate nothing large).
func BenchmarkRefuseHuge(b *testing.B) {
	pngCodec.BenchRefuse(b, hugeHeader())
}

// hugeHeader returns a PNG whose IHDR declares 100000x100000.
func hugeHeader() []byte { return mkPNG(100000, 100000, 8, 2, deflate(make([]byte, 64))) }
