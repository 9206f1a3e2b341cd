package jpeg

// progressiveScan decodes one scan of a progressive file into the
// coefficient arrays: DC first/refine scans (possibly interleaved) or AC
// first/refine scans of one component, following libjpeg's jdphuff.c.
func (d *decoder) progressiveScan() error {
	var blockFn func(c *component, t *huffTable, blk *[64]int16) error
	switch {
	case d.ss == 0 && d.ah == 0:
		blockFn = d.dcFirst
	case d.ss == 0:
		blockFn = d.dcRefine
	case d.ah == 0:
		blockFn = d.acFirst
	default:
		blockFn = d.acRefine
	}
	var tabs [4]*huffTable
	for i := 0; i < d.nscomp; i++ {
		c := d.scomp[i]
		switch {
		case d.ss == 0 && d.ah == 0:
			tabs[i], _ = d.tableFor(true, c.dcSel)
		case d.ss != 0:
			tabs[i], _ = d.tableFor(false, c.acSel)
		}
	}
	return d.eachBlock("progressive scan", func(i int, c *component, bx, by int) error {
		return blockFn(c, tabs[i], (*[64]int16)(c.coef[(by*c.pbw+bx)*64:]))
	})
}

// dcFirst decodes the first (most significant) bits of a DC coefficient.
func (d *decoder) dcFirst(c *component, t *huffTable, blk *[64]int16) error {
	br := &d.br
	s, ok := br.decode(t)
	if !ok {
		return errFormat("bad Huffman code in progressive DC scan")
	}
	if s != 0 {
		c.pred += br.receive(uint(s))
	}
	blk[0] = int16(c.pred << uint(d.al))
	return nil
}

// dcRefine appends one bit to a DC coefficient.
func (d *decoder) dcRefine(_ *component, _ *huffTable, blk *[64]int16) error {
	if d.br.bit() != 0 {
		blk[0] |= int16(1) << uint(d.al)
	}
	return nil
}

// acFirst decodes the first bits of the band Ss..Se of one block.
func (d *decoder) acFirst(_ *component, t *huffTable, blk *[64]int16) error {
	if d.eobrun > 0 {
		d.eobrun--
		return nil
	}
	br := &d.br
	al := uint(d.al)
	for k := d.ss; k <= d.se; k++ {
		rs, ok := br.decode(t)
		if !ok {
			return errFormat("bad Huffman code in progressive AC scan")
		}
		r, s := rs>>4, uint(rs&15)
		if s != 0 {
			k += r
			v := br.receive(s)
			blk[zigzag[k]] = int16(v << al)
			continue
		}
		if r != 15 {
			d.eobrun = int32(1) << uint(r)
			if r != 0 {
				d.eobrun += br.bits(uint(r))
			}
			d.eobrun--
			break
		}
		k += 15
	}
	return nil
}

// acRefine appends one bit to the known coefficients of the band Ss..Se and
// places the newly nonzero ones, as decode_mcu_AC_refine does. The bit
// buffer is kept in locals; every refill point stores it back first.
func (d *decoder) acRefine(_ *component, t *huffTable, blk *[64]int16) error {
	br := &d.br
	p1 := int16(1) << uint(d.al)
	m1 := int16(-1) << uint(d.al)
	k := d.ss
	se := d.se
	if br.n < 32 {
		br.fill()
	}
	acc, n := br.acc, br.n
	if d.eobrun == 0 {
		for ; k <= se; k++ {
			if n < 32 {
				br.acc, br.n = acc, n
				br.fill()
				acc, n = br.acc, br.n
			}
			var rs int
			if e := t.lut[acc>>(64-lutBits)]; e != 0 {
				l := uint(e >> 8)
				acc <<= l
				n -= l
				rs = int(e & 0xFF)
			} else {
				br.acc, br.n = acc, n
				sym, ok := br.decodeSlow(t)
				if !ok {
					return errFormat("bad Huffman code in progressive AC refinement")
				}
				acc, n = br.acc, br.n
				rs = sym
			}
			r, s := rs>>4, rs&15
			var val int16
			if s != 0 {
				// The size of a newly nonzero coefficient is always 1;
				// libjpeg only warns otherwise and reads one sign bit.
				if acc>>63 != 0 {
					val = p1
				} else {
					val = m1
				}
				acc <<= 1
				n--
			} else if r != 15 {
				d.eobrun = int32(1) << uint(r)
				if r != 0 {
					d.eobrun += int32(acc >> (64 - uint(r)))
					acc <<= uint(r)
					n -= uint(r)
				}
				break
			}
			// Skip already-nonzero coefficients (appending a correction bit
			// to each) and r still-zero ones.
			for k <= se {
				z := zigzag[k&127] & 63
				if blk[z] != 0 {
					if n == 0 {
						br.acc, br.n = acc, n
						br.fill()
						acc, n = br.acc, br.n
					}
					bit := acc >> 63
					acc <<= 1
					n--
					if bit != 0 && blk[z]&p1 == 0 {
						if blk[z] >= 0 {
							blk[z] += p1
						} else {
							blk[z] += m1
						}
					}
				} else {
					if r == 0 {
						break
					}
					r--
				}
				k++
			}
			if val != 0 {
				blk[zigzag[k&127]&63] = val
			}
		}
	}
	if d.eobrun > 0 {
		for ; k <= se; k++ {
			z := zigzag[k&127] & 63
			if blk[z] == 0 {
				continue
			}
			if n == 0 {
				br.acc, br.n = acc, n
				br.fill()
				acc, n = br.acc, br.n
			}
			bit := acc >> 63
			acc <<= 1
			n--
			if bit != 0 && blk[z]&p1 == 0 {
				if blk[z] >= 0 {
					blk[z] += p1
				} else {
					blk[z] += m1
				}
			}
		}
		d.eobrun--
	}
	br.acc, br.n = acc, n
	return nil
}
