package crop

import (
	"bytes"
	"testing"
)

func TestAxisMatchesSpec(t *testing.T) {
	// SPEC.md: 257 -> 0, 259 -> 2, 301 -> 22; shorter sides pad left by (256-n)//2.
	cases := map[int]int{256: 0, 257: 0, 258: 1, 259: 2, 261: 2, 301: 22, 511: 128, 1024: 384, 255: 0, 97: -79, 61: -97, 64: -96}
	for n, want := range cases {
		if got := Axis(n).Offset; got != want {
			t.Errorf("Axis(%d).Offset = %d, want %d", n, got, want)
		}
	}
}

func TestPlanarPadsAndCrops(t *testing.T) {
	// A 2x1 RGB image lands at x = 127,128 of row 127 ((256-1)//2 = 127 top padding).
	src := []uint8{1, 2, 3, 4, 5, 6}
	dst := make([]uint8, 3*Size*Size)
	Planar(dst, src, 2, 1, 3)
	at := func(c, y, x int) uint8 { return dst[c*Size*Size+y*Size+x] }
	if at(0, 127, 127) != 1 || at(1, 127, 127) != 2 || at(2, 127, 128) != 6 {
		t.Fatalf("pixels not placed at the padded centre")
	}
	var sum int
	for _, v := range dst {
		sum += int(v)
	}
	if sum != 21 {
		t.Fatalf("padding not zero: sum %d", sum)
	}
}

// TestPlanarMatchesPlainLoop compares Planar with the definition, one
// output byte at a time, for small, exact and large sides and 1, 3 and 4
// channels, into a buffer holding leftovers of an earlier image.
func TestPlanarMatchesPlainLoop(t *testing.T) {
	sides := []int{1, 2, 7, 255, 256, 257, 258, 301}
	for _, c := range []int{1, 3, 4} {
		for _, w := range sides {
			for _, h := range sides {
				src := make([]uint8, w*h*c)
				for i := range src {
					src[i] = uint8(i*7 + i/3)
				}
				want := make([]uint8, c*Size*Size)
				xw, yw := Axis(w), Axis(h)
				for ch := 0; ch < c; ch++ {
					for oy := 0; oy < Size; oy++ {
						for ox := 0; ox < Size; ox++ {
							sx, sy := ox+xw.Offset, oy+yw.Offset
							if sx >= 0 && sx < w && sy >= 0 && sy < h {
								want[ch*Size*Size+oy*Size+ox] = src[(sy*w+sx)*c+ch]
							}
						}
					}
				}
				got := make([]uint8, c*Size*Size)
				for i := range got {
					got[i] = 0xaa
				}
				Planar(got, src, w, h, c)
				if !bytes.Equal(got, want) {
					t.Fatalf("%dx%d, %d channels: crop differs", w, h, c)
				}
			}
		}
	}
}
