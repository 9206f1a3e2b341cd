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
	x0, x1 := span(xw, w)
	y0, y1 := span(yw, h)
	if x0 != 0 || x1 != Size || y0 != 0 || y1 != Size {
		clear(dst)
	}
	if x1 <= x0 {
		return
	}
	n := x1 - x0
	for oy := y0; oy < y1; oy++ {
		row := src[((oy+yw.Offset)*w+x0+xw.Offset)*c:][:n*c]
		out := oy*Size + x0
		switch c {
		case 1:
			copy(dst[out:out+n], row)
		case 3:
			// One pass over the row fills the three planes.
			r := dst[out : out+n]
			g := dst[Size*Size+out : Size*Size+out+n]
			b := dst[2*Size*Size+out : 2*Size*Size+out+n]
			for i := range r {
				p := row[3*i : 3*i+3 : 3*i+3]
				r[i], g[i], b[i] = p[0], p[1], p[2]
			}
		default:
			for ch := 0; ch < c; ch++ {
				plane := dst[ch*Size*Size+out : ch*Size*Size+out+n]
				for i := range plane {
					plane[i] = row[i*c+ch]
				}
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
