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
// up (b) and up-left (c) is nearest to a+b-c, preferring a, then b. The
// channels of a pixel form independent chains, so 3 and 4 bytes per pixel
// are walked a pixel at a time with every channel in registers; other
// widths walk each channel on its own.
func paeth(c, p []byte, bpp int) {
	n := len(c)
	p = p[:n]
	switch {
	case bpp == 3 && n >= 3:
		paeth3(c, p)
		return
	case bpp == 4 && n >= 4:
		paeth4(c, p)
		return
	}
	for k := 0; k < bpp; k++ {
		c[k] += p[k]
		a, ul := int(c[k]), int(p[k])
		for i := k + bpp; i < n; i += bpp {
			b := int(p[i])
			v := c[i] + byte(paethPred(a, b, ul))
			c[i] = v
			a, ul = int(v), b
		}
	}
}

// paethPred returns the Paeth predictor of left a, up b and up-left c,
// without branches.
func paethPred(a, b, c int) int {
	pa := b - c
	pb := a - c
	pc := pa + pb
	pa = max(pa, -pa)
	pb = max(pb, -pb)
	pc = max(pc, -pc)
	pred := c
	if pb <= pc {
		pred = b
	}
	if pa <= min(pb, pc) {
		pred = a
	}
	return pred
}

// paeth3 is paeth for three bytes per pixel.
func paeth3(c, p []byte) {
	n := len(c) / 3 * 3
	c[0] += p[0]
	c[1] += p[1]
	c[2] += p[2]
	a0, a1, a2 := int(c[0]), int(c[1]), int(c[2])
	u0, u1, u2 := int(p[0]), int(p[1]), int(p[2])
	for i := 3; i+3 <= n; i += 3 {
		cc, pp := c[i:i+3:i+3], p[i:i+3:i+3]
		b0, b1, b2 := int(pp[0]), int(pp[1]), int(pp[2])
		v0 := cc[0] + byte(paethPred(a0, b0, u0))
		v1 := cc[1] + byte(paethPred(a1, b1, u1))
		v2 := cc[2] + byte(paethPred(a2, b2, u2))
		cc[0], cc[1], cc[2] = v0, v1, v2
		a0, a1, a2 = int(v0), int(v1), int(v2)
		u0, u1, u2 = b0, b1, b2
	}
	// A row of whole pixels has no tail; a partial pixel cannot occur
	// (rows hold whole pixels), but is handled as the general walk does.
	for i := n; i < len(c); i++ {
		c[i] += byte(paethPred(int(c[i-3]), int(p[i]), int(p[i-3])))
	}
}

// paeth4 is paeth for four bytes per pixel.
func paeth4(c, p []byte) {
	n := len(c) / 4 * 4
	c[0] += p[0]
	c[1] += p[1]
	c[2] += p[2]
	c[3] += p[3]
	a0, a1, a2, a3 := int(c[0]), int(c[1]), int(c[2]), int(c[3])
	u0, u1, u2, u3 := int(p[0]), int(p[1]), int(p[2]), int(p[3])
	for i := 4; i+4 <= n; i += 4 {
		cc, pp := c[i:i+4:i+4], p[i:i+4:i+4]
		b0, b1, b2, b3 := int(pp[0]), int(pp[1]), int(pp[2]), int(pp[3])
		v0 := cc[0] + byte(paethPred(a0, b0, u0))
		v1 := cc[1] + byte(paethPred(a1, b1, u1))
		v2 := cc[2] + byte(paethPred(a2, b2, u2))
		v3 := cc[3] + byte(paethPred(a3, b3, u3))
		cc[0], cc[1], cc[2], cc[3] = v0, v1, v2, v3
		a0, a1, a2, a3 = int(v0), int(v1), int(v2), int(v3)
		u0, u1, u2, u3 = b0, b1, b2, b3
	}
	for i := n; i < len(c); i++ {
		c[i] += byte(paethPred(int(c[i-4]), int(p[i]), int(p[i-4])))
	}
}
