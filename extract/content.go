package extract

// byteStats returns the reference's three statistics of a byte string:
// uniqueness (distinct/n when n <= 256, else the distinct values of every
// max(1, n/1000)-th byte / 256, at most 1), the share of printable bytes
// 32..126, and the share of the most common byte. Zeros for an empty string.
func byteStats(b []uint8) (uniq, printable, top float32) {
	n := len(b)
	if n == 0 {
		return 0, 0, 0
	}
	var counts [256]int
	var seen [256]bool
	for _, v := range b {
		counts[v]++
	}
	distinct := 0
	if n <= 256 {
		for _, c := range counts {
			if c > 0 {
				distinct++
			}
		}
		uniq = float32(float64(distinct) / float64(n))
	} else {
		step := n / 1000
		if step < 1 {
			step = 1
		}
		for i := 0; i < n; i += step {
			if !seen[b[i]] {
				seen[b[i]] = true
				distinct++
			}
		}
		u := float64(distinct) / 256
		if u > 1 {
			u = 1
		}
		uniq = float32(u)
	}
	pr, most := 0, 0
	for v, c := range counts {
		if v >= 32 && v <= 126 {
			pr += c
		}
		if c > most {
			most = c
		}
	}
	return uniq, float32(float64(pr) / float64(n)), float32(float64(most) / float64(n))
}

// packBits packs the LSBs of src, MSB first, as numpy.packbits does, into dst
// (len (len(src)+7)/8), zero padding the last byte.
func packBits(dst, src []uint8) {
	for i := range dst {
		dst[i] = 0
	}
	full := len(src) / 8
	for i := 0; i < full; i++ {
		s := src[8*i : 8*i+8 : 8*i+8]
		dst[i] = (s[0]&1)<<7 | (s[1]&1)<<6 | (s[2]&1)<<5 | (s[3]&1)<<4 |
			(s[4]&1)<<3 | (s[5]&1)<<2 | (s[6]&1)<<1 | s[7]&1
	}
	for j := full * 8; j < len(src); j++ {
		dst[full] |= (src[j] & 1) << (7 - uint(j-full*8))
	}
}

// PixelContent returns the first three values of the content vector of a
// [3,256,256] pixel crop: the byte statistics of its LSBs packed 8 per byte,
// as Extract computes them (for a crop transformed after extraction).
func PixelContent(pixel []uint8) (uniq, printable, top float32) {
	packed := make([]uint8, (len(pixel)+7)/8)
	packBits(packed, pixel)
	return byteStats(packed)
}

// PackedStats returns the content vector's three byte statistics of LSBs
// already packed 8 per byte, most significant bit first.
func PackedStats(packed []uint8) (uniq, printable, top float32) {
	return byteStats(packed)
}
