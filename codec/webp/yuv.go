package webp

// libwebp's YUV->RGB conversion (src/dsp/yuv.h): 14-bit BT.601 constants
// applied as mulhi ("MultHi(v, c) = v*c >> 8"), six fractional bits kept,
// then clipped. The C, SSE2 and NEON versions are bit-exact with each other.

// clip8 is VP8Clip8: v has six fractional bits.
func clip8(v int32) uint8 {
	if v&^(256<<6-1) == 0 {
		return uint8(v >> 6)
	}
	if v < 0 {
		return 0
	}
	return 255
}

// Lookup tables equal to the MultHi terms of VP8YUVToR/G/B with their
// constant offsets folded in (yTab also carries clipOff<<6, which shifts the
// index exactly by clipOff), and clipTab[(v>>6)+clipOff] == clip8(v) over
// the whole range the sums can take (-277..534 after the shift).
const clipOff = 384

var (
	yTab, rvTab, guvTab, buTab [256]int32
	gvTab                      [256]int32
	clipTab                    [1024]uint8
)

func init() {
	for i := int32(0); i < 256; i++ {
		yTab[i] = (i*19077)>>8 + clipOff<<6
		rvTab[i] = (i*26149)>>8 - 14234
		guvTab[i] = -((i * 6419) >> 8) + 8708
		gvTab[i] = -((i * 13320) >> 8)
		buTab[i] = (i*33050)>>8 - 17685
	}
	for i := range clipTab {
		clipTab[i] = clip8(int32(i-clipOff) << 6)
	}
}

// putPacked converts one pixel whose chroma is packed as u | v<<16
// (VP8YuvToRgb), writing R, G, B to dst[i:i+3].
func putPacked(dst []byte, i int, y byte, uv uint32) {
	yy, u, v := yTab[y], uint8(uv), uint8(uv>>16)
	_ = dst[i+2]
	dst[i] = clipTab[((yy+rvTab[v])>>6)&1023]
	dst[i+1] = clipTab[((yy+guvTab[u]+gvTab[v])>>6)&1023]
	dst[i+2] = clipTab[((yy+buTab[u])>>6)&1023]
}

// loadUV packs one chroma sample pair as libwebp's LOAD_UV does.
func loadUV(u, v byte) uint32 { return uint32(u) | uint32(v)<<16 }

// upsampleLinePair is libwebp's UPSAMPLE_FUNC (src/dsp/upsampling.c) for RGB
// output: it fills the output row topDst from luma row topY and, when botY
// is not nil, botDst from botY. topU/topV are the chroma rows above the pair,
// curU/curV those below; each output chroma sample is the 9-3-3-1 weighted
// mix of its four nearest samples, computed in packed u|v<<16 arithmetic.
func upsampleLinePair(topY, botY, topU, topV, curU, curV, topDst, botDst []byte, w int) {
	last := (w - 1) >> 1
	_ = topY[w-1]
	_ = topDst[3*w-1]
	_, _, _, _ = topU[last], topV[last], curU[last], curV[last]
	if botY != nil {
		_ = botY[w-1]
		_ = botDst[3*w-1]
	}
	tl := loadUV(topU[0], topV[0])
	l := loadUV(curU[0], curV[0])
	putPacked(topDst, 0, topY[0], (3*tl+l+0x00020002)>>2)
	if botY != nil {
		putPacked(botDst, 0, botY[0], (3*l+tl+0x00020002)>>2)
	}
	for x := 1; x <= last; x++ {
		t := loadUV(topU[x], topV[x])
		c := loadUV(curU[x], curV[x])
		avg := tl + t + l + c + 0x00080008
		d12 := (avg + 2*(t+l)) >> 3
		d03 := (avg + 2*(tl+c)) >> 3
		i := 6*x - 3
		putPacked(topDst, i, topY[2*x-1], (d12+tl)>>1)
		putPacked(topDst, i+3, topY[2*x], (d03+t)>>1)
		if botY != nil {
			putPacked(botDst, i, botY[2*x-1], (d03+l)>>1)
			putPacked(botDst, i+3, botY[2*x], (d12+c)>>1)
		}
		tl, l = t, c
	}
	if w&1 == 0 {
		i := 3 * (w - 1)
		putPacked(topDst, i, topY[w-1], (3*tl+l+0x00020002)>>2)
		if botY != nil {
			putPacked(botDst, i, botY[w-1], (3*l+tl+0x00020002)>>2)
		}
	}
}

// yuvPlanes is a decoded 4:2:0 frame: luma w x h, chroma (w+1)/2 x (h+1)/2.
type yuvPlanes struct {
	y, u, v          []byte
	yStride, cStride int
	w, h             int
}

// fancyRGB converts the planes to interleaved RGB at dst (row stride
// dstStride bytes) in the row order of libwebp's EmitFancyRGB: the first row
// alone (its chroma mirrored), then row pairs (2k-1, 2k) between chroma rows
// k-1 and k, and for an even height the last row alone.
func fancyRGB(p *yuvPlanes, dst []byte, dstStride int) {
	w, h := p.w, p.h
	row := func(y int) []byte { return p.y[y*p.yStride:] }
	cu := func(k int) []byte { return p.u[k*p.cStride:] }
	cv := func(k int) []byte { return p.v[k*p.cStride:] }
	out := func(y int) []byte { return dst[y*dstStride:] }
	upsampleLinePair(row(0), nil, cu(0), cv(0), cu(0), cv(0), out(0), nil, w)
	for y := 1; y+1 < h; y += 2 {
		k := (y + 1) >> 1
		upsampleLinePair(row(y), row(y+1), cu(k-1), cv(k-1), cu(k), cv(k), out(y), out(y+1), w)
	}
	if h > 1 && h&1 == 0 {
		k := h/2 - 1
		upsampleLinePair(row(h-1), nil, cu(k), cv(k), cu(k), cv(k), out(h-1), nil, w)
	}
}
