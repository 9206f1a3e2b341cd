package jpeg

// Colour conversion to Pillow's RGB: libjpeg's YCbCr->RGB tables
// (jdcolor.c, 16-bit fixed point with ONE_HALF rounding), grey replicated
// into R, G and B, RGB copied, and for four components libjpeg's CMYK or
// YCCK->CMYK output, inverted as Pillow's "CMYK;I" raw mode does, then
// Pillow's cmyk2rgb.

const (
	scaleBits = 16
	oneHalf   = 1 << (scaleBits - 1)
)

// yccTables are libjpeg's Cr_r_tab, Cb_b_tab, Cr_g_tab and Cb_g_tab.
var crR, cbB, crG, cbG = func() (rr, bb, rg, bg [256]int32) {
	fix := func(x float64) int64 { return int64(x*(1<<scaleBits) + 0.5) }
	for i := 0; i < 256; i++ {
		x := int64(i - 128)
		rr[i] = int32((fix(1.40200)*x + oneHalf) >> scaleBits)
		bb[i] = int32((fix(1.77200)*x + oneHalf) >> scaleBits)
		rg[i] = int32(-fix(0.71414) * x)
		bg[i] = int32(-fix(0.34414)*x + oneHalf)
	}
	return
}()

// clamp255 limits v to a sample, as libjpeg's sample_range_limit table.
func clamp255(v int32) byte {
	if uint32(v) <= 255 {
		return byte(v)
	}
	if v < 0 {
		return 0
	}
	return 255
}

// yccRow converts one row of Y, Cb, Cr samples to interleaved RGB.
func yccRow(out, y, cb, cr []byte) {
	n := len(y)
	out = out[:3*n]
	cb = cb[:n]
	cr = cr[:n]
	for x := 0; x < n; x++ {
		yy := int32(y[x])
		b, r := cb[x], cr[x]
		o := out[3*x : 3*x+3 : 3*x+3]
		o[0] = clamp255(yy + crR[r])
		o[1] = clamp255(yy + (cbG[b]+crG[r])>>scaleBits)
		o[2] = clamp255(yy + cbB[b])
	}
}

// grayRow replicates one row of grey samples into RGB (Pillow's L->RGB).
func grayRow(out, g []byte) {
	n := len(g)
	out = out[:3*n]
	for x := 0; x < n; x++ {
		v := g[x]
		o := out[3*x : 3*x+3 : 3*x+3]
		o[0], o[1], o[2] = v, v, v
	}
}

// rgbRow interleaves three planes of RGB samples.
func rgbRow(out, r, g, b []byte) {
	n := len(r)
	out = out[:3*n]
	g = g[:n]
	b = b[:n]
	for x := 0; x < n; x++ {
		o := out[3*x : 3*x+3 : 3*x+3]
		o[0], o[1], o[2] = r[x], g[x], b[x]
	}
}

// cmykRow converts one row of the four decoded components to RGB. For
// YCCK data the first three are first turned into C, M, Y as libjpeg's
// ycck_cmyk_convert does. Pillow then inverts all four ("CMYK;I") and
// applies cmyk2rgb: out = nk - nk*c/255 with nk = 255 - k, using its
// MULDIV255 rounding.
func cmykRow(out, c0, c1, c2, c3 []byte, ycck bool) {
	n := len(c0)
	out = out[:3*n]
	c1 = c1[:n]
	c2 = c2[:n]
	c3 = c3[:n]
	for x := 0; x < n; x++ {
		c, m, y := c0[x], c1[x], c2[x]
		if ycck {
			yy := int32(c)
			cb, cr := m, y
			c = clamp255(255 - (yy + crR[cr]))
			m = clamp255(255 - (yy + (cbG[cb]+crG[cr])>>scaleBits))
			y = clamp255(255 - (yy + cbB[cb]))
		}
		// After Pillow's inversion: C' = 255-c, ..., K' = 255-k, so
		// nk = 255 - K' = k.
		nk := int32(c3[x])
		o := out[3*x : 3*x+3 : 3*x+3]
		o[0] = clamp255(nk - mulDiv255(255-int32(c), nk))
		o[1] = clamp255(nk - mulDiv255(255-int32(m), nk))
		o[2] = clamp255(nk - mulDiv255(255-int32(y), nk))
	}
}

// mulDiv255 is Pillow's MULDIV255: a*b/255 rounded, for 0 <= a, b <= 255.
func mulDiv255(a, b int32) int32 {
	t := a*b + 128
	return ((t >> 8) + t) >> 8
}
