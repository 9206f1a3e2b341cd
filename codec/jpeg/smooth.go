package jpeg

// Block smoothing for progressive files whose scans leave some of the
// first AC coefficients unknown or imprecise, following libjpeg-turbo's
// jdcoefct.c (decompress_smooth_data with its 5x5 DC window): the missing
// low-frequency coefficients are estimated from the DC values of the
// neighbouring blocks before the IDCT.
//
// Two releases of that code are followed; they differ only in which
// neighbours fill the window (see smoothRules). The default is
// libjpeg-turbo 2.1.x, the library Pillow 9.x bundles and the reference
// decoder of this project.

// smoothRules selects the libjpeg-turbo release whose choice of neighbouring
// blocks the smoothing window follows.
type smoothRules uint8

const (
	// smoothTurbo21 is libjpeg-turbo 2.1.x (2.1.5 checked): the zero value,
	// used by Decode. Vertically it clamps the window by the block row
	// within the iMCU row and the iMCU row number: the second-previous row
	// is reached only from block row 2 or iMCU row 2 on, and the
	// second-next row only from block rows before the last two of an iMCU
	// row or from iMCU rows before the last two. Horizontally, the first
	// block of a row takes its next column's DC for the next column only,
	// leaving the second-next column at its own DC until it is refilled
	// from column 2, which never happens in a component two blocks wide.
	smoothTurbo21 smoothRules = iota
	// smoothTurbo301 is libjpeg-turbo 3.0.1 and later (issues 700 and 721):
	// rows are clamped by their position counted in "image block rows"
	// (iMCU row times the block rows of the current iMCU row), and the
	// first block fills both next columns from column 1.
	smoothTurbo301
)

// Natural-order positions of the first ten zigzag coefficients.
const (
	q01 = 1
	q10 = 8
	q20 = 16
	q11 = 9
	q02 = 2
	q03 = 3
	q12 = 10
	q21 = 17
	q30 = 24
)

// finishCoefficients runs the IDCT over the stored coefficients of a
// multi-scan file, with block smoothing when libjpeg would apply it.
func (d *decoder) finishCoefficients() {
	smooth := d.smoothingOK()
	for i := 0; i < d.ncomp; i++ {
		c := &d.comp[i]
		if smooth {
			d.smoothComponent(c)
			continue
		}
		for by := 0; by < c.bh; by++ {
			for bx := 0; bx < c.bw; bx++ {
				blk := (*[64]int16)(c.coef[(by*c.pbw+bx)*64:])
				idct(blk, &c.quant, c.plane[by*8*c.stride+bx*8:], c.stride)
			}
		}
	}
}

// smoothingOK mirrors libjpeg's smoothing_ok: progressive, every component
// has its quantisation table with nonzero entries for the DC and the first
// nine AC coefficients, every DC is at least partly known, and some of
// those nine AC coefficients are not known to full precision.
func (d *decoder) smoothingOK() bool {
	if !d.progressive {
		return false
	}
	useful := false
	for i := 0; i < d.ncomp; i++ {
		c := &d.comp[i]
		if !c.latch {
			return false
		}
		q := &c.quant
		if q[0] == 0 || q[q01] == 0 || q[q10] == 0 || q[q20] == 0 || q[q11] == 0 ||
			q[q02] == 0 || q[q03] == 0 || q[q12] == 0 || q[q21] == 0 || q[q30] == 0 {
			return false
		}
		if c.coefBits[0] < 0 {
			return false
		}
		for k := 1; k < 10; k++ {
			if c.coefBits[k] != 0 {
				useful = true
			}
		}
	}
	return useful
}

// smoothComponent estimates and inverse-transforms every block of c, walking
// iMCU rows exactly as decompress_smooth_data does, with the window rules of
// d.smooth.
func (d *decoder) smoothComponent(c *component) {
	bits := &c.coefBits
	changeDC := true
	for k := 1; k < 10; k++ {
		if bits[k] != -1 {
			changeDC = false
		}
	}
	q := &c.quant
	Q00, Q01, Q10, Q20 := int64(q[0]), int64(q[q01]), int64(q[q10]), int64(q[q20])
	Q11, Q02 := int64(q[q11]), int64(q[q02])
	var Q03, Q12, Q21, Q30 int64
	if changeDC {
		Q03, Q12, Q21, Q30 = int64(q[q03]), int64(q[q12]), int64(q[q21]), int64(q[q30])
	}
	total := d.mcusY
	last := total - 1
	fillBoth := d.smooth == smoothTurbo301
	lastCol := c.bw - 1
	var ws [64]int16
	dcAt := func(row, col int) int64 {
		return int64(c.coef[(row*c.pbw+col)*64])
	}
	for iy := 0; iy < total; iy++ {
		blockRows := c.v
		if iy == last {
			blockRows = c.bh % c.v
			if blockRows == 0 {
				blockRows = c.v
			}
		}
		for br := 0; br < blockRows; br++ {
			row := iy*c.v + br
			rows := d.smooth.windowRows(iy, br, blockRows, total, row)
			// dc[r][k] holds the DC of rows[r] at columns bx-2..bx+2.
			var dc [5][5]int64
			for r := 0; r < 5; r++ {
				v := dcAt(rows[r], 0)
				for k := 0; k < 5; k++ {
					dc[r][k] = v
				}
			}
			for bx := 0; bx <= lastCol; bx++ {
				if bx == 0 && bx < lastCol {
					for r := 0; r < 5; r++ {
						v := dcAt(rows[r], 1)
						dc[r][3] = v
						if fillBoth {
							dc[r][4] = v
						}
					}
				}
				if bx+1 < lastCol {
					for r := 0; r < 5; r++ {
						dc[r][4] = dcAt(rows[r], bx+2)
					}
				}
				ws = *(*[64]int16)(c.coef[(row*c.pbw+bx)*64:])
				smoothBlock(&ws, bits, &dc, changeDC, Q00, Q01, Q10, Q20, Q11, Q02, Q03, Q12, Q21, Q30)
				idct(&ws, &c.quant, c.plane[row*8*c.stride+bx*8:], c.stride)
				for r := 0; r < 5; r++ {
					dc[r][0], dc[r][1], dc[r][2], dc[r][3] = dc[r][1], dc[r][2], dc[r][3], dc[r][4]
				}
			}
		}
	}
}

// windowRows returns the block rows (of the component's coefficient array)
// that fill the five rows of the DC window for block row br of iMCU row iy,
// which holds blockRows real block rows, in an image of total iMCU rows;
// row is the block row itself.
func (r smoothRules) windowRows(iy, br, blockRows, total, row int) [5]int {
	last := total - 1
	prev, next := row, row
	var hasPrev2, hasNext2 bool
	if r == smoothTurbo301 {
		imageRow := iy*blockRows + br
		imageRows := blockRows * total
		if imageRow > 0 {
			prev = row - 1
		}
		if imageRow < imageRows-1 {
			next = row + 1
		}
		hasPrev2 = imageRow > 1
		hasNext2 = imageRow < imageRows-2
	} else {
		if br > 0 || iy > 0 {
			prev = row - 1
		}
		if br < blockRows-1 || iy < last {
			next = row + 1
		}
		hasPrev2 = br > 1 || iy > 1
		hasNext2 = br < blockRows-2 || iy+1 < last
	}
	prev2, next2 := prev, next
	if hasPrev2 {
		prev2 = row - 2
	}
	if hasNext2 {
		next2 = row + 2
	}
	return [5]int{prev2, prev, row, next, next2}
}

// predict turns the weighted DC sum num into a coefficient estimate for a
// quantiser q, limited to what Al unknown bits can hold.
func predict(num, q int64, al int8) int16 {
	var pred int64
	if num >= 0 {
		pred = ((q << 7) + num) / (q << 8)
		if al > 0 && pred >= int64(1)<<al {
			pred = int64(1)<<al - 1
		}
	} else {
		pred = ((q << 7) - num) / (q << 8)
		if al > 0 && pred >= int64(1)<<al {
			pred = int64(1)<<al - 1
		}
		pred = -pred
	}
	return int16(pred)
}

// smoothBlock fills in the estimable coefficients of one block in ws. The
// 25 DC values are dc[row][col] with the block itself at dc[2][2]
// (libjpeg's DC01..DC25 in row-major order).
func smoothBlock(ws *[64]int16, bits *[64]int8, dc *[5][5]int64, changeDC bool,
	Q00, Q01, Q10, Q20, Q11, Q02, Q03, Q12, Q21, Q30 int64) {
	DC01, DC02, DC03, DC04, DC05 := dc[0][0], dc[0][1], dc[0][2], dc[0][3], dc[0][4]
	DC06, DC07, DC08, DC09, DC10 := dc[1][0], dc[1][1], dc[1][2], dc[1][3], dc[1][4]
	DC11, DC12, DC13, DC14, DC15 := dc[2][0], dc[2][1], dc[2][2], dc[2][3], dc[2][4]
	DC16, DC17, DC18, DC19, DC20 := dc[3][0], dc[3][1], dc[3][2], dc[3][3], dc[3][4]
	DC21, DC22, DC23, DC24, DC25 := dc[4][0], dc[4][1], dc[4][2], dc[4][3], dc[4][4]
	var num int64
	// AC01
	if al := bits[1]; al != 0 && ws[1] == 0 {
		if changeDC {
			num = -DC01 - DC02 + DC04 + DC05 - 3*DC06 + 13*DC07 -
				13*DC09 + 3*DC10 - 3*DC11 + 38*DC12 - 38*DC14 +
				3*DC15 - 3*DC16 + 13*DC17 - 13*DC19 + 3*DC20 -
				DC21 - DC22 + DC24 + DC25
		} else {
			num = -7*DC11 + 50*DC12 - 50*DC14 + 7*DC15
		}
		ws[1] = predict(Q00*num, Q01, al)
	}
	// AC10
	if al := bits[2]; al != 0 && ws[8] == 0 {
		if changeDC {
			num = -DC01 - 3*DC02 - 3*DC03 - 3*DC04 - DC05 - DC06 +
				13*DC07 + 38*DC08 + 13*DC09 - DC10 + DC16 -
				13*DC17 - 38*DC18 - 13*DC19 + DC20 + DC21 +
				3*DC22 + 3*DC23 + 3*DC24 + DC25
		} else {
			num = -7*DC03 + 50*DC08 - 50*DC18 + 7*DC23
		}
		ws[8] = predict(Q00*num, Q10, al)
	}
	// AC20
	if al := bits[3]; al != 0 && ws[16] == 0 {
		if changeDC {
			num = DC03 + 2*DC07 + 7*DC08 + 2*DC09 - 5*DC12 - 14*DC13 -
				5*DC14 + 2*DC17 + 7*DC18 + 2*DC19 + DC23
		} else {
			num = -DC03 + 13*DC08 - 24*DC13 + 13*DC18 - DC23
		}
		ws[16] = predict(Q00*num, Q20, al)
	}
	// AC11
	if al := bits[4]; al != 0 && ws[9] == 0 {
		if changeDC {
			num = -DC01 + DC05 + 9*DC07 - 9*DC09 - 9*DC17 +
				9*DC19 + DC21 - DC25
		} else {
			num = DC10 + DC16 - 10*DC17 + 10*DC19 - DC02 - DC20 + DC22 -
				DC24 + DC04 - DC06 + 10*DC07 - 10*DC09
		}
		ws[9] = predict(Q00*num, Q11, al)
	}
	// AC02
	if al := bits[5]; al != 0 && ws[2] == 0 {
		if changeDC {
			num = 2*DC07 - 5*DC08 + 2*DC09 + DC11 + 7*DC12 - 14*DC13 +
				7*DC14 + DC15 + 2*DC17 - 5*DC18 + 2*DC19
		} else {
			num = -DC11 + 13*DC12 - 24*DC13 + 13*DC14 - DC15
		}
		ws[2] = predict(Q00*num, Q02, al)
	}
	if !changeDC {
		return
	}
	// AC03
	if al := bits[6]; al != 0 && ws[3] == 0 {
		num = DC07 - DC09 + 2*DC12 - 2*DC14 + DC17 - DC19
		ws[3] = predict(Q00*num, Q03, al)
	}
	// AC12
	if al := bits[7]; al != 0 && ws[10] == 0 {
		num = DC07 - 3*DC08 + DC09 - DC17 + 3*DC18 - DC19
		ws[10] = predict(Q00*num, Q12, al)
	}
	// AC21
	if al := bits[8]; al != 0 && ws[17] == 0 {
		num = DC07 - DC09 - 3*DC12 + 3*DC14 + DC17 - DC19
		ws[17] = predict(Q00*num, Q21, al)
	}
	// AC30
	if al := bits[9]; al != 0 && ws[24] == 0 {
		num = DC07 + 2*DC08 + DC09 - DC17 - 2*DC18 - DC19
		ws[24] = predict(Q00*num, Q30, al)
	}
	// DC: coef_bits[0] is known to be non-negative here.
	num = -2*DC01 - 6*DC02 - 8*DC03 - 6*DC04 - 2*DC05 -
		6*DC06 + 6*DC07 + 42*DC08 + 6*DC09 - 6*DC10 -
		8*DC11 + 42*DC12 + 152*DC13 + 42*DC14 - 8*DC15 -
		6*DC16 + 6*DC17 + 42*DC18 + 6*DC19 - 6*DC20 -
		2*DC21 - 6*DC22 - 8*DC23 - 6*DC24 - 2*DC25
	ws[0] = predict(Q00*num, Q00, 0)
}
