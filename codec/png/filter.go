package png

// unfilter reverses the PNG filter of one row in place. cur and prev hold
// the filter-type byte followed by the row's bytes; prev is the previous
// row of the same pass, already unfiltered (zeros for the first row). bpp
// is the bytes per complete pixel, at least 1.
func unfilter(cur, prev []byte, bpp int) error {
	c, p := cur[1:], prev[1:len(cur)]
	n := len(c)
	if bpp > n {
		bpp = n
	}
	switch cur[0] {
	case 0:
	case 1:
		for i := bpp; i < n; i++ {
			c[i] += c[i-bpp]
		}
	case 2:
		for i := range c {
			c[i] += p[i]
		}
	case 3:
		for i := 0; i < bpp; i++ {
			c[i] += p[i] / 2
		}
		for i := bpp; i < n; i++ {
			c[i] += byte((uint(c[i-bpp]) + uint(p[i])) / 2)
		}
	case 4:
		paeth(c, p, bpp)
	default:
		return formatErr("unknown filter type %d", cur[0])
	}
	return nil
}

// paeth reverses the Paeth filter: each byte adds whichever of left (a),
// up (b) and up-left (c) is nearest to a+b-c, preferring a, then b. Each
// channel is walked on its own so its left and up-left bytes stay in
// registers.
func paeth(c, p []byte, bpp int) {
	n := len(c)
	p = p[:n]
	for k := 0; k < bpp; k++ {
		c[k] += p[k]
		a, ul := int(c[k]), int(p[k])
		for i := k + bpp; i < n; i += bpp {
			b := int(p[i])
			pa := b - ul
			pb := a - ul
			pc := pa + pb
			if pa < 0 {
				pa = -pa
			}
			if pb < 0 {
				pb = -pb
			}
			if pc < 0 {
				pc = -pc
			}
			pred := ul
			if pa <= pb && pa <= pc {
				pred = a
			} else if pb <= pc {
				pred = b
			}
			v := c[i] + byte(pred)
			c[i] = v
			a, ul = int(v), b
		}
	}
}
