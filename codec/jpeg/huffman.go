package jpeg

// lutBits is the lookahead width of the Huffman fast path.
const lutBits = 9

// huffTable is one Huffman table with its derived decoding tables.
type huffTable struct {
	defined bool
	nsym    int
	maxSym  uint8
	vals    [256]uint8
	// lut maps the next lutBits bits to (code length << 8 | symbol), or 0
	// when the code is longer than lutBits.
	lut [1 << lutBits]uint16
	// maxcode[l] is the largest code of length l (-1 if none); valoff[l]
	// turns a code of length l into an index into vals.
	maxcode [18]int32
	valoff  [17]int32
	// fastAC maps the next lutBits bits, when they hold a whole AC code and
	// its magnitude bits, to value << 16 | run << 8 | total bits; 0 when
	// they do not.
	fastAC [1 << lutBits]int32
}

// define installs a table from its DHT counts and symbols and derives the
// decoding tables, validating the code as jpeg_make_d_derived_tbl does.
func (t *huffTable) define(counts [17]uint8, syms []uint8) error {
	var sizes [257]uint8
	p := 0
	for l := 1; l <= 16; l++ {
		for i := 0; i < int(counts[l]); i++ {
			if p >= 256 {
				return errFormat("Huffman table has more than 256 codes")
			}
			sizes[p] = uint8(l)
			p++
		}
	}
	t.nsym = p
	copy(t.vals[:], syms[:p])
	t.maxSym = 0
	for _, s := range syms[:p] {
		t.maxSym = max(t.maxSym, s)
	}
	// Generate the codes, checking that each length's codes fit (a code
	// of all ones is not allowed).
	var codes [256]int32
	code := int32(0)
	si := sizes[0]
	for k := 0; sizes[k] != 0; {
		for sizes[k] == si {
			codes[k] = code
			code++
			k++
		}
		if code >= int32(1)<<si {
			return errFormat("bad Huffman table (code lengths overflow)")
		}
		code <<= 1
		si++
	}
	p = 0
	for l := 1; l <= 16; l++ {
		n := int(counts[l])
		if n == 0 {
			t.maxcode[l] = -1
			continue
		}
		t.valoff[l] = int32(p) - codes[p]
		p += n
		t.maxcode[l] = codes[p-1]
	}
	t.maxcode[17] = 0x7FFFFFFF
	t.lut = [1 << lutBits]uint16{}
	for k := 0; k < t.nsym; k++ {
		l := int(sizes[k])
		if l > lutBits {
			break
		}
		lo := int(codes[k]) << (lutBits - l)
		hi := lo + 1<<(lutBits-l)
		e := uint16(l)<<8 | uint16(t.vals[k])
		for i := lo; i < hi; i++ {
			t.lut[i] = e
		}
	}
	t.fastAC = [1 << lutBits]int32{}
	for i, e := range t.lut {
		if e == 0 {
			continue
		}
		l := uint(e >> 8)
		run, size := uint(e&0xFF)>>4, uint(e&15)
		if size == 0 || l+size > lutBits {
			continue
		}
		mag := int32(i>>(lutBits-l-size)) & (1<<size - 1)
		v := extend(mag, size)
		t.fastAC[i] = v<<16 | int32(run)<<8 | int32(l+size)
	}
	t.defined = true
	return nil
}

// tableFor returns the Huffman table a scan selects, installing the
// standard (Annex K) table for selectors 0 and 1 when the file defines none,
// as libjpeg-turbo does for Motion-JPEG streams.
func (d *decoder) tableFor(dc bool, sel int) (*huffTable, error) {
	if sel >= 4 {
		return nil, errFormat("Huffman table selector %d", sel)
	}
	t := &d.tab.ac[sel]
	if dc {
		t = &d.tab.dc[sel]
	}
	if !t.defined {
		if sel > 1 {
			return nil, errFormat("scan uses undefined Huffman table %d", sel)
		}
		std := stdTables[sel]
		if dc {
			std = stdTables[2+sel]
		}
		if err := t.define(std.counts, std.syms); err != nil {
			return nil, err
		}
	}
	if dc && t.maxSym > 15 {
		return nil, errFormat("DC Huffman table %d has a symbol above 15", sel)
	}
	return t, nil
}
