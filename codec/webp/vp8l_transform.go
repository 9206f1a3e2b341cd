package webp

// inverse undoes the transform on pix, an image of h rows of t.newWidth
// pixels, and returns the image of t.width pixels a row.
func (t *ltransform) inverse(pix []uint32, h int) []uint32 {
	switch t.typ {
	case 0:
		t.predict(pix, h)
	case 1:
		t.crossColor(pix, h)
	case 2:
		for i, p := range pix {
			g := p >> 8 & 0xff
			pix[i] = p&0xff00ff00 | (p&0x00ff00ff+(g<<16|g))&0x00ff00ff
		}
	case 3:
		return t.colorIndex(pix, h)
	}
	return pix
}

// avg2 averages ARGB words channel by channel, rounding down.
func avg2(a, b uint32) uint32 {
	return ((a^b)&0xfefefefe)>>1 + a&b
}

// predict undoes the predictor transform.
func (t *ltransform) predict(pix []uint32, h int) {
	w := t.width
	if w == 0 || h == 0 {
		return
	}
	pix[0] = addPixels(pix[0], 0xff000000)
	for x := 1; x < w; x++ {
		pix[x] = addPixels(pix[x], pix[x-1])
	}
	tiles := nTiles(w, t.bits)
	for y := 1; y < h; y++ {
		row := y * w
		pix[row] = addPixels(pix[row], pix[row-w])
		modes := t.data[(y>>t.bits)*tiles:]
		for x := 1; x < w; {
			end := min((x>>t.bits+1)<<t.bits, w)
			predictRun(pix, row+x, row+end, w, modes[x>>t.bits]>>8&0x0f)
			x = end
		}
	}
}

// predictRun undoes one predictor mode on pix[from:to], whose rows are w
// pixels long; none of them is in the first row or column.
func predictRun(pix []uint32, from, to, w int, mode uint32) {
	switch mode {
	case 0: // opaque black
		for p := from; p < to; p++ {
			pix[p] = addPixels(pix[p], 0xff000000)
		}
	case 1: // L
		for p := from; p < to; p++ {
			pix[p] = addPixels(pix[p], pix[p-1])
		}
	case 2: // T
		for p := from; p < to; p++ {
			pix[p] = addPixels(pix[p], pix[p-w])
		}
	case 3: // TR
		for p := from; p < to; p++ {
			pix[p] = addPixels(pix[p], pix[p-w+1])
		}
	case 4: // TL
		for p := from; p < to; p++ {
			pix[p] = addPixels(pix[p], pix[p-w-1])
		}
	case 5: // avg(avg(L, TR), T)
		for p := from; p < to; p++ {
			pix[p] = addPixels(pix[p], avg2(avg2(pix[p-1], pix[p-w+1]), pix[p-w]))
		}
	case 6: // avg(L, TL)
		for p := from; p < to; p++ {
			pix[p] = addPixels(pix[p], avg2(pix[p-1], pix[p-w-1]))
		}
	case 7: // avg(L, T)
		for p := from; p < to; p++ {
			pix[p] = addPixels(pix[p], avg2(pix[p-1], pix[p-w]))
		}
	case 8: // avg(TL, T)
		for p := from; p < to; p++ {
			pix[p] = addPixels(pix[p], avg2(pix[p-w-1], pix[p-w]))
		}
	case 9: // avg(T, TR)
		for p := from; p < to; p++ {
			pix[p] = addPixels(pix[p], avg2(pix[p-w], pix[p-w+1]))
		}
	case 10: // avg(avg(L, TL), avg(T, TR))
		for p := from; p < to; p++ {
			pix[p] = addPixels(pix[p], avg2(avg2(pix[p-1], pix[p-w-1]), avg2(pix[p-w], pix[p-w+1])))
		}
	case 11: // select (written out: selectPred is too big to inline)
		for p := from; p < to; p++ {
			l, t, tl := pix[p-1], pix[p-w], pix[p-w-1]
			dl := absDiff(tl>>24, t>>24) + absDiff(tl>>16&0xff, t>>16&0xff) +
				absDiff(tl>>8&0xff, t>>8&0xff) + absDiff(tl&0xff, t&0xff)
			dt := absDiff(tl>>24, l>>24) + absDiff(tl>>16&0xff, l>>16&0xff) +
				absDiff(tl>>8&0xff, l>>8&0xff) + absDiff(tl&0xff, l&0xff)
			if dl < dt {
				t = l
			}
			pix[p] = addPixels(pix[p], t)
		}
	case 12: // clamp(L + T - TL), written out as for select
		for p := from; p < to; p++ {
			l, t, tl := pix[p-1], pix[p-w], pix[p-w-1]
			pred := clamp255(int32(l>>24)+int32(t>>24)-int32(tl>>24))<<24 |
				clamp255(int32(l>>16&0xff)+int32(t>>16&0xff)-int32(tl>>16&0xff))<<16 |
				clamp255(int32(l>>8&0xff)+int32(t>>8&0xff)-int32(tl>>8&0xff))<<8 |
				clamp255(int32(l&0xff)+int32(t&0xff)-int32(tl&0xff))
			pix[p] = addPixels(pix[p], pred)
		}
	case 13: // clamp(a + (a - TL) / 2), a = avg(L, T), written out
		for p := from; p < to; p++ {
			a, tl := avg2(pix[p-1], pix[p-w]), pix[p-w-1]
			pred := half(a>>24, tl>>24)<<24 | half(a>>16&0xff, tl>>16&0xff)<<16 |
				half(a>>8&0xff, tl>>8&0xff)<<8 | half(a&0xff, tl&0xff)
			pix[p] = addPixels(pix[p], pred)
		}
		// Modes 14 and 15 leave the residuals as they are, as x/image/vp8l
		// does.
	}
}

func absDiff(a, b uint32) int32 {
	d := int32(a) - int32(b)
	return max(d, -d)
}

func clamp255(x int32) uint32 {
	return uint32(min(max(x, 0), 255))
}

// half is clamp(a + (a - b) / 2) of one channel, the division truncating
// toward zero.
func half(a, b uint32) uint32 {
	x, y := int32(a), int32(b)
	return clamp255(x + (x-y)/2)
}

// crossColor undoes the cross-color transform.
func (t *ltransform) crossColor(pix []uint32, h int) {
	w := t.width
	tiles := nTiles(w, t.bits)
	mask := 1<<t.bits - 1
	for y := 0; y < h; y++ {
		tr := t.data[(y>>t.bits)*tiles:]
		var g2r, g2b, r2b int32
		for x, p := range pix[y*w : y*w+w] {
			if x&mask == 0 {
				m := tr[x>>t.bits]
				g2r, g2b, r2b = int32(int8(m)), int32(int8(m>>8)), int32(int8(m>>16))
			}
			g := int32(int8(p >> 8))
			r := uint8(p>>16) + uint8(g2r*g>>5)
			b := uint8(p) + uint8(g2b*g>>5) + uint8(r2b*int32(int8(r))>>5)
			pix[y*w+x] = p&0xff00ff00 | uint32(r)<<16 | uint32(b)
		}
	}
}

// colorIndex maps palette indices, packed 8 >> bits to a byte for bits
// > 0, to palette colors; indices past the palette give zero.
func (t *ltransform) colorIndex(pix []uint32, h int) []uint32 {
	pal := t.data[:256]
	if t.bits == 0 {
		for i, p := range pix {
			pix[i] = pal[p>>8&0xff]
		}
		return pix
	}
	w, pw := t.width, t.newWidth
	per := 1 << t.bits // indices per packed pixel
	bpp := uint(8 >> t.bits)
	mask := uint32(1)<<bpp - 1
	out := newPixels(w * h) // every pixel is written
	defer releasePixels(pix)
	for y := 0; y < h; y++ {
		src := pix[y*pw : y*pw+pw]
		dst := out[y*w : y*w+w]
		for x := 0; x < w; x += per {
			v := src[x>>t.bits] >> 8 & 0xff
			for k := x; k < min(x+per, w); k++ {
				dst[k] = pal[v&mask]
				v >>= bpp
			}
		}
	}
	return out
}
