package jpeg

// sequentialScan decodes a baseline or extended sequential scan. In a
// single-scan file every block goes straight through the IDCT into its
// plane; otherwise the coefficients are stored for the end of the file.
func (d *decoder) sequentialScan() error {
	var tmp [64]int16
	var dcs, acs [4]*huffTable
	for i := 0; i < d.nscomp; i++ {
		dcs[i], _ = d.tableFor(true, d.scomp[i].dcSel)
		acs[i], _ = d.tableFor(false, d.scomp[i].acSel)
	}
	return d.eachBlock("scan", func(i int, c *component, bx, by int) error {
		return d.sequentialBlock(c, dcs[i], acs[i], bx, by, &tmp)
	})
}

// sequentialBlock decodes block (bx, by) of component c. Blocks outside the
// component's real area (MCU padding) are decoded and dropped in a
// single-scan file, as libjpeg does.
func (d *decoder) sequentialBlock(c *component, dc, ac *huffTable, bx, by int, tmp *[64]int16) error {
	if d.multiScan {
		blk := (*[64]int16)(c.coef[(by*c.pbw+bx)*64:])
		_, err := d.huffBlock(c, dc, ac, blk)
		return err
	}
	*tmp = [64]int16{}
	acSeen, err := d.huffBlock(c, dc, ac, tmp)
	if err != nil {
		return err
	}
	if bx < c.bw && by < c.bh {
		out := c.plane[by*8*c.stride+bx*8:]
		if acSeen {
			idct(tmp, &c.quant, out, c.stride)
		} else {
			idctDC(tmp[0], c.quant[0], out, c.stride)
		}
	}
	return nil
}

// huffBlock decodes the 64 coefficients of one sequential block into blk
// (natural order), writing only the coefficients that are coded; acSeen
// reports whether any AC coefficient was nonzero. The bit buffer is kept in
// locals and written back around refills.
func (d *decoder) huffBlock(c *component, dc, ac *huffTable, blk *[64]int16) (acSeen bool, err error) {
	br := &d.br
	if br.n < 32 {
		br.fill()
	}
	acc, n := br.acc, br.n
	var s uint
	if e := dc.lut[acc>>(64-lutBits)]; e != 0 {
		l := uint(e >> 8)
		acc <<= l
		n -= l
		s = uint(e & 0xFF)
	} else {
		br.acc, br.n = acc, n
		sym, ok := br.decodeSlow(dc)
		if !ok {
			return false, errFormat("bad Huffman code in DC coefficient")
		}
		acc, n = br.acc, br.n
		s = uint(sym)
	}
	if s != 0 {
		// n >= 16 here: 32 bits were buffered and a code takes at most 16.
		v := int32(acc >> (64 - s))
		acc <<= s
		n -= s
		c.pred += extend(v, s)
	}
	blk[0] = int16(c.pred)
	for k := 1; k < 64; k++ {
		if n < 32 {
			br.acc, br.n = acc, n
			br.fill()
			acc, n = br.acc, br.n
		}
		idx := acc >> (64 - lutBits)
		if f := ac.fastAC[idx]; f != 0 {
			k += int(f>>8) & 0xFF
			l := uint(f & 0xFF)
			acc <<= l
			n -= l
			blk[zigzag[k&127]&63] = int16(f >> 16)
			acSeen = true
			continue
		}
		var rs uint
		if e := ac.lut[idx]; e != 0 {
			l := uint(e >> 8)
			acc <<= l
			n -= l
			rs = uint(e & 0xFF)
		} else {
			br.acc, br.n = acc, n
			sym, ok := br.decodeSlow(ac)
			if !ok {
				return false, errFormat("bad Huffman code in AC coefficient")
			}
			acc, n = br.acc, br.n
			rs = uint(sym)
		}
		r, s := int(rs>>4), rs&15
		if s != 0 {
			k += r
			v := int32(acc >> (64 - s))
			acc <<= s
			n -= s
			blk[zigzag[k&127]&63] = int16(extend(v, s))
			acSeen = true
			continue
		}
		if r != 15 {
			break
		}
		k += 15
	}
	br.acc, br.n = acc, n
	return acSeen, nil
}
