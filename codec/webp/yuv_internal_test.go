package webp

import "testing"

// BenchmarkFancyRGB measures the 4:2:0 to RGB conversion alone (256x256).
func BenchmarkFancyRGB(b *testing.B) {
	const w, h = 256, 256
	p := yuvPlanes{y: make([]byte, w*h), u: make([]byte, w*h/4), v: make([]byte, w*h/4), yStride: w, cStride: w / 2, w: w, h: h}
	for i := range p.y {
		p.y[i] = byte(i * 7)
	}
	for i := range p.u {
		p.u[i], p.v[i] = byte(i*3), byte(i*5)
	}
	dst := make([]byte, 3*w*h)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		fancyRGB(&p, dst, 3*w)
	}
}

// TestPutPackedMatchesFormula checks the table-driven conversion against
// libwebp's VP8YUVToR/G/B formulas, written out, for every y, u, v.
func TestPutPackedMatchesFormula(t *testing.T) {
	multHi := func(v, c int32) int32 { return (v * c) >> 8 }
	clip := func(v int32) uint8 {
		if v < 0 {
			return 0
		}
		if v >= 256<<6 {
			return 255
		}
		return uint8(v >> 6)
	}
	dst := make([]byte, 3)
	for y := int32(0); y < 256; y++ {
		for u := int32(0); u < 256; u++ {
			for v := int32(0); v < 256; v++ {
				putPacked(dst, 0, byte(y), uint32(u)|uint32(v)<<16)
				r := clip(multHi(y, 19077) + multHi(v, 26149) - 14234)
				g := clip(multHi(y, 19077) - multHi(u, 6419) - multHi(v, 13320) + 8708)
				b := clip(multHi(y, 19077) + multHi(u, 33050) - 17685)
				if dst[0] != r || dst[1] != g || dst[2] != b {
					t.Fatalf("y=%d u=%d v=%d: got %v, want %d %d %d", y, u, v, dst, r, g, b)
				}
			}
		}
	}
}
