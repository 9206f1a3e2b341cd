package jpeg

// Accurate integer inverse DCT with dequantisation, computing exactly what
// libjpeg's jpeg_idct_islow computes: the Loeffler-Ligtenberg-Moschytz
// algorithm in 13-bit fixed point, a first (column) pass scaled up by
// PASS1_BITS, and a final range limit that wraps out-of-range values
// through a 10-bit mask as libjpeg's sample_range_limit table does.

const (
	constBits = 13
	pass1Bits = 2

	fix0_298631336 = 2446
	fix0_390180644 = 3196
	fix0_541196100 = 4433
	fix0_765366865 = 6270
	fix0_899976223 = 7373
	fix1_175875602 = 9633
	fix1_501321110 = 12299
	fix1_847759065 = 15137
	fix1_961570560 = 16069
	fix2_053119869 = 16819
	fix2_562915447 = 20995
	fix3_072711026 = 25172

	pass1Round = 1 << (constBits - pass1Bits - 1)
	pass2Shift = constBits + pass1Bits + 3
	pass2Round = 1 << (pass2Shift - 1)
)

// idctLimit maps the IDCT output (before the +128 level shift) masked to 10
// bits onto a sample: values in -128..127 become 0..255, 128..511 saturate
// at 255, and the wrapped negative range -512..-129 saturates at 0.
var idctLimit = func() (t [1024]byte) {
	for i := range t {
		v := i
		if v >= 512 {
			v -= 1024
		}
		v += 128
		t[i] = byte(min(max(v, 0), 255))
	}
	return t
}()

// idctDC writes the 8x8 block whose only nonzero coefficient is the DC one:
// both passes reduce to one value, as in libjpeg's zero-AC shortcuts.
func idctDC(dc int16, q int32, out []byte, stride int) {
	v := (int32(dc) * q) << pass1Bits
	s := idctLimit[((v+(1<<(pass1Bits+2)))>>(pass1Bits+3))&1023]
	_ = out[7*stride+7]
	for y := 0; y < 8; y++ {
		row := out[y*stride : y*stride+8 : y*stride+8]
		row[0], row[1], row[2], row[3] = s, s, s, s
		row[4], row[5], row[6], row[7] = s, s, s, s
	}
}

// idct dequantises and inverse-transforms one block in natural order,
// writing 8 rows of 8 samples at out with the given stride.
func idct(in *[64]int16, q *[64]int32, out []byte, stride int) {
	var ws [64]int32
	for c := 0; c < 8; c++ {
		if in[8+c] == 0 && in[16+c] == 0 && in[24+c] == 0 && in[32+c] == 0 &&
			in[40+c] == 0 && in[48+c] == 0 && in[56+c] == 0 {
			dc := (int32(in[c]) * q[c]) << pass1Bits
			ws[c], ws[8+c], ws[16+c], ws[24+c] = dc, dc, dc, dc
			ws[32+c], ws[40+c], ws[48+c], ws[56+c] = dc, dc, dc, dc
			continue
		}
		// Even part.
		z2 := int32(in[16+c]) * q[16+c]
		z3 := int32(in[48+c]) * q[48+c]
		z1 := (z2 + z3) * fix0_541196100
		tmp2 := z1 - z3*fix1_847759065
		tmp3 := z1 + z2*fix0_765366865
		z2 = int32(in[c]) * q[c]
		z3 = int32(in[32+c]) * q[32+c]
		tmp0 := (z2 + z3) << constBits
		tmp1 := (z2 - z3) << constBits
		tmp10 := tmp0 + tmp3
		tmp13 := tmp0 - tmp3
		tmp11 := tmp1 + tmp2
		tmp12 := tmp1 - tmp2
		// Odd part.
		tmp0 = int32(in[56+c]) * q[56+c]
		tmp1 = int32(in[40+c]) * q[40+c]
		tmp2 = int32(in[24+c]) * q[24+c]
		tmp3 = int32(in[8+c]) * q[8+c]
		z1 = tmp0 + tmp3
		z2 = tmp1 + tmp2
		z3 = tmp0 + tmp2
		z4 := tmp1 + tmp3
		z5 := (z3 + z4) * fix1_175875602
		tmp0 *= fix0_298631336
		tmp1 *= fix2_053119869
		tmp2 *= fix3_072711026
		tmp3 *= fix1_501321110
		z1 *= -fix0_899976223
		z2 *= -fix2_562915447
		z3 = z3*-fix1_961570560 + z5
		z4 = z4*-fix0_390180644 + z5
		tmp0 += z1 + z3
		tmp1 += z2 + z4
		tmp2 += z2 + z3
		tmp3 += z1 + z4
		const sh = constBits - pass1Bits
		ws[c] = (tmp10 + tmp3 + pass1Round) >> sh
		ws[56+c] = (tmp10 - tmp3 + pass1Round) >> sh
		ws[8+c] = (tmp11 + tmp2 + pass1Round) >> sh
		ws[48+c] = (tmp11 - tmp2 + pass1Round) >> sh
		ws[16+c] = (tmp12 + tmp1 + pass1Round) >> sh
		ws[40+c] = (tmp12 - tmp1 + pass1Round) >> sh
		ws[24+c] = (tmp13 + tmp0 + pass1Round) >> sh
		ws[32+c] = (tmp13 - tmp0 + pass1Round) >> sh
	}
	_ = out[7*stride+7]
	for y := 0; y < 8; y++ {
		w := (*[8]int32)(ws[y*8 : y*8+8])
		row := out[y*stride : y*stride+8 : y*stride+8]
		if w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 && w[5] == 0 && w[6] == 0 && w[7] == 0 {
			s := idctLimit[((w[0]+(1<<(pass1Bits+2)))>>(pass1Bits+3))&1023]
			row[0], row[1], row[2], row[3] = s, s, s, s
			row[4], row[5], row[6], row[7] = s, s, s, s
			continue
		}
		// Even part.
		z2 := w[2]
		z3 := w[6]
		z1 := (z2 + z3) * fix0_541196100
		tmp2 := z1 - z3*fix1_847759065
		tmp3 := z1 + z2*fix0_765366865
		tmp0 := (w[0] + w[4]) << constBits
		tmp1 := (w[0] - w[4]) << constBits
		tmp10 := tmp0 + tmp3
		tmp13 := tmp0 - tmp3
		tmp11 := tmp1 + tmp2
		tmp12 := tmp1 - tmp2
		// Odd part.
		tmp0 = w[7]
		tmp1 = w[5]
		tmp2 = w[3]
		tmp3 = w[1]
		z1 = tmp0 + tmp3
		z2 = tmp1 + tmp2
		z3 = tmp0 + tmp2
		z4 := tmp1 + tmp3
		z5 := (z3 + z4) * fix1_175875602
		tmp0 *= fix0_298631336
		tmp1 *= fix2_053119869
		tmp2 *= fix3_072711026
		tmp3 *= fix1_501321110
		z1 *= -fix0_899976223
		z2 *= -fix2_562915447
		z3 = z3*-fix1_961570560 + z5
		z4 = z4*-fix0_390180644 + z5
		tmp0 += z1 + z3
		tmp1 += z2 + z4
		tmp2 += z2 + z3
		tmp3 += z1 + z4
		row[0] = idctLimit[((tmp10+tmp3+pass2Round)>>pass2Shift)&1023]
		row[7] = idctLimit[((tmp10-tmp3+pass2Round)>>pass2Shift)&1023]
		row[1] = idctLimit[((tmp11+tmp2+pass2Round)>>pass2Shift)&1023]
		row[6] = idctLimit[((tmp11-tmp2+pass2Round)>>pass2Shift)&1023]
		row[2] = idctLimit[((tmp12+tmp1+pass2Round)>>pass2Shift)&1023]
		row[5] = idctLimit[((tmp12-tmp1+pass2Round)>>pass2Shift)&1023]
		row[3] = idctLimit[((tmp13+tmp0+pass2Round)>>pass2Shift)&1023]
		row[4] = idctLimit[((tmp13-tmp0+pass2Round)>>pass2Shift)&1023]
	}
}
