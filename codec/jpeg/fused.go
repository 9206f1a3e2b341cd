package jpeg

// yccH2V2Row converts one output row of a YCbCr image whose chroma is
// upsampled 2:1 both ways (4:2:0), fusing h2v2_fancy_upsample of both
// chroma components with ycc_rgb_convert so no chroma row is materialised.
// cbN/crN are the nearer chroma rows, cbF/crF the next nearer ones, each
// dw = len(cbN) >= 3 samples; len(y) is the image width, 2*dw-1 or 2*dw.
func yccH2V2Row(out, y, cbN, cbF, crN, crF []byte) {
	w := len(y)
	dw := len(cbN)
	cbF = cbF[:dw]
	crN = crN[:dw]
	crF = crF[:dw]
	out = out[:3*w]
	// pixel converts one pixel from its Y value and upsampled chroma.
	pixel := func(i int, yy int32, cb, cr int32) {
		o := out[3*i : 3*i+3 : 3*i+3]
		o[0] = clamp255(yy + crR[cr&0xFF])
		o[1] = clamp255(yy + (cbG[cb&0xFF]+crG[cr&0xFF])>>scaleBits)
		o[2] = clamp255(yy + cbB[cb&0xFF])
	}
	bThis := int32(cbN[0])*3 + int32(cbF[0])
	rThis := int32(crN[0])*3 + int32(crF[0])
	bNext := int32(cbN[1])*3 + int32(cbF[1])
	rNext := int32(crN[1])*3 + int32(crF[1])
	pixel(0, int32(y[0]), (bThis*4+8)>>4, (rThis*4+8)>>4)
	pixel(1, int32(y[1]), (bThis*3+bNext+7)>>4, (rThis*3+rNext+7)>>4)
	bLast, rLast := bThis, rThis
	bThis, rThis = bNext, rNext
	ym := y[:2*dw-2]
	for i := 1; i < dw-1; i++ {
		bNext = int32(cbN[i+1])*3 + int32(cbF[i+1])
		rNext = int32(crN[i+1])*3 + int32(crF[i+1])
		// The filtered values lie in 0..255; the masks only spare the
		// bounds checks of the table lookups.
		cb0 := ((bThis*3 + bLast + 8) >> 4) & 0xFF
		cr0 := ((rThis*3 + rLast + 8) >> 4) & 0xFF
		cb1 := ((bThis*3 + bNext + 7) >> 4) & 0xFF
		cr1 := ((rThis*3 + rNext + 7) >> 4) & 0xFF
		o := out[6*i : 6*i+6 : 6*i+6]
		y0, y1 := int32(ym[2*i]), int32(ym[2*i+1])
		rr, gg, bb := crR[cr0], (cbG[cb0]+crG[cr0])>>scaleBits, cbB[cb0]
		o[0] = clamp255(y0 + rr)
		o[1] = clamp255(y0 + gg)
		o[2] = clamp255(y0 + bb)
		rr, gg, bb = crR[cr1], (cbG[cb1]+crG[cr1])>>scaleBits, cbB[cb1]
		o[3] = clamp255(y1 + rr)
		o[4] = clamp255(y1 + gg)
		o[5] = clamp255(y1 + bb)
		bLast, rLast = bThis, rThis
		bThis, rThis = bNext, rNext
	}
	i := 2*dw - 2
	pixel(i, int32(y[i]), (bThis*3+bLast+8)>>4, (rThis*3+rLast+8)>>4)
	if i+1 < w {
		pixel(i+1, int32(y[i+1]), (bThis*4+7)>>4, (rThis*4+7)>>4)
	}
}
