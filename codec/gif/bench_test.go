package gif_test

import "testing"

// BenchmarkDecodeP256 decodes a 256x256 paletted GIF.
func BenchmarkDecodeP256(b *testing.B) {
	gifCodec.BenchFile(b, "alpha_submission_2025/clean/clean-0400.gif")
}

// BenchmarkDecodeL256 decodes a 256x256 GIF that opens as L.
func BenchmarkDecodeL256(b *testing.B) {
	gifCodec.BenchFile(b, "alpha_submission_2025/stego/humanity_light_palette_000.gif")
}

// BenchmarkDecodeAnimated3001 decodes a 64x64 GIF with 3001 frames: it
// costs what its first frame costs (compare BenchmarkDecodeSingleFrame).
func BenchmarkDecodeAnimated3001(b *testing.B) {
	frames := make([][]byte, 3001)
	for i := range frames {
		frames[i] = pattern(64 * 64)
	}
	gifCodec.BenchData(b, mkGIF(64, 64, frames...))
}

// BenchmarkDecodeSingleFrame decodes the same 64x64 frame alone.
func BenchmarkDecodeSingleFrame(b *testing.B) {
	gifCodec.BenchData(b, mkGIF(64, 64, pattern(64*64)))
}

// BenchmarkRefuseHuge measures refusing a header that declares an image
// over the limits (it must cost microseconds and allocate nothing large).
func BenchmarkRefuseHuge(b *testing.B) {
	gifCodec.BenchRefuse(b, hugeHeader())
}

// hugeHeader returns a GIF whose screen is 65535x65535.
func hugeHeader() []byte { return mkGIF(65535, 65535, pattern(16)) }
