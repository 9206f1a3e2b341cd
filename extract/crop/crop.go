// Package crop implements torchvision's CenterCrop on a PIL image for the
// 256x256 planes of the six streams: zero padding where a side is short,
// then a crop whose start is rounded half to even.
package crop

// Size is the side of every cropped plane.
const Size = 256

// Window describes how one axis of length n maps onto the Size-long output:
// output position o (0 <= o < Size) reads source position o+Offset when that
// lies in [0, n), and is zero otherwise.
type Window struct {
	Offset int
}

// Axis returns the window of an axis of length n.
func Axis(n int) Window {
	if n < Size {
		// Pad left/top by (Size-n)/2; the crop of the padded axis starts at 0.
		return Window{Offset: -((Size - n) / 2)}
	}
	return Window{Offset: roundHalfEven(n - Size)}
}

// roundHalfEven returns round(d/2) with Python's round-half-to-even.
func roundHalfEven(d int) int {
	q := d / 2
	if d%2 == 1 && q%2 == 1 {
		q++
	}
	return q
}

// Planar crops an interleaved image of w x h pixels and c channels into c
// planes of Size x Size, channel-major, written to dst (len c*Size*Size),
// zero where the crop falls outside the image.
func Planar(dst, src []uint8, w, h, c int) {
	xw, yw := Axis(w), Axis(h)
	for i := range dst {
		dst[i] = 0
	}
	x0, x1 := span(xw, w)
	y0, y1 := span(yw, h)
	for oy := y0; oy < y1; oy++ {
		row := src[(oy+yw.Offset)*w*c:]
		for ch := 0; ch < c; ch++ {
			plane := dst[ch*Size*Size+oy*Size:]
			for ox := x0; ox < x1; ox++ {
				plane[ox] = row[(ox+xw.Offset)*c+ch]
			}
		}
	}
}

// span returns the output range [lo, hi) that reads inside an axis of length n.
func span(wd Window, n int) (lo, hi int) {
	lo, hi = 0, Size
	if -wd.Offset > lo {
		lo = -wd.Offset
	}
	if n-wd.Offset < hi {
		hi = n - wd.Offset
	}
	if hi < lo {
		hi = lo
	}
	return lo, hi
}
