package crop

import "testing"

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
