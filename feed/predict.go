package feed

import "github.com/starlight/dataserver/extract"

// The LOCO-I median edge detector (JPEG-LS) predicts each value of a
// 256x256 plane from its left (a), upper (b) and upper-left (c) neighbours
// as the median of a, b and a+b-c (the first row from the left, the first
// column from above); storing value minus prediction leaves small numbers
// on natural images, which zstd compresses about a quarter better than the
// values themselves. Both directions are exact in 8-bit wrapping arithmetic.
// Planes are side x side (side is crop.Size, 256).

// appendPredicted appends the residuals of the n planes of src.
func appendPredicted(dst, src []byte, n int) []byte {
	start := len(dst)
	dst = append(dst, make([]byte, n*extract.Plane)...)
	out := dst[start:]
	for k := 0; k < n; k++ {
		p := src[k*extract.Plane : (k+1)*extract.Plane]
		o := out[k*extract.Plane : (k+1)*extract.Plane]
		o[0] = p[0]
		for x := 1; x < side; x++ {
			o[x] = p[x] - p[x-1]
		}
		for y := 1; y < side; y++ {
			row, up, res := p[y*side:(y+1)*side], p[(y-1)*side:y*side], o[y*side:(y+1)*side]
			res[0] = row[0] - up[0]
			for x := 1; x < side; x++ {
				res[x] = row[x] - med(row[x-1], up[x], up[x-1])
			}
		}
	}
	return dst
}

// unpredict rebuilds the n planes of dst from their residuals; a src of the
// wrong length (a damaged body, reported by the caller) leaves dst alone.
func unpredict(dst, src []byte, n int) {
	if len(src) != n*extract.Plane || len(dst) < len(src) {
		return
	}
	for k := 0; k < n; k++ {
		p := dst[k*extract.Plane : (k+1)*extract.Plane]
		r := src[k*extract.Plane : (k+1)*extract.Plane]
		p[0] = r[0]
		for x := 1; x < side; x++ {
			p[x] = r[x] + p[x-1]
		}
		for y := 1; y < side; y++ {
			row, up, res := p[y*side:(y+1)*side:(y+1)*side], p[(y-1)*side:y*side:y*side], r[y*side:(y+1)*side:(y+1)*side]
			left, upLeft := res[0]+up[0], up[0]
			row[0] = left
			for x := 1; x < side; x++ {
				u := up[x]
				left = res[x] + med(left, u, upLeft)
				row[x], upLeft = left, u
			}
		}
	}
}

// med is the median edge detector: a+b-c held between a and b.
func med(a, b, c byte) byte {
	lo, hi := min(int(a), int(b)), max(int(a), int(b))
	return byte(min(max(int(a)+int(b)-int(c), lo), hi))
}
