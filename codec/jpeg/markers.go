package jpeg

// JPEG marker codes (the byte after 0xFF).
const (
	mSOF0 = 0xC0
	mSOF1 = 0xC1
	mSOF2 = 0xC2
	mDHT  = 0xC4
	mDAC  = 0xCC
	mRST0 = 0xD0
	mRST7 = 0xD7
	mSOI  = 0xD8
	mEOI  = 0xD9
	mSOS  = 0xDA
	mDQT  = 0xDB
	mDNL  = 0xDC
	mDRI  = 0xDD
	mAPP0 = 0xE0
	mAPPE = 0xEE
	mAPPF = 0xEF
	mCOM  = 0xFE
	mTEM  = 0x01
)

// nextMarker skips to the next marker from d.pos the way libjpeg's
// next_marker does (garbage bytes, fill 0xFF bytes and stuffed FF00 pairs
// are passed over) and returns its code with d.pos just after it; ok is
// false when the data ends first.
func (d *decoder) nextMarker() (code byte, ok bool) {
	data := d.data
	p := d.pos
	for {
		for p < len(data) && data[p] != 0xFF {
			p++
		}
		for p < len(data) && data[p] == 0xFF {
			p++
		}
		if p >= len(data) {
			d.pos = p
			return 0, false
		}
		c := data[p]
		p++
		if c != 0 {
			d.pos = p
			return c, true
		}
	}
}

// segment returns the payload of the marker segment at d.pos (after its
// two length bytes) and moves d.pos past it.
func (d *decoder) segment(name string) ([]byte, error) {
	if d.pos+2 > len(d.data) {
		return nil, errTruncated(name + " segment length")
	}
	n := int(d.data[d.pos])<<8 | int(d.data[d.pos+1])
	if n < 2 {
		return nil, errFormat("%s segment length %d is too short", name, n)
	}
	if d.pos+n > len(d.data) {
		return nil, errTruncated(name + " segment")
	}
	seg := d.data[d.pos+2 : d.pos+n]
	d.pos += n
	return seg, nil
}

// skipVariable passes over an APPn, COM or DNL segment as libjpeg does: a
// declared length below 2 consumes only the length bytes.
func (d *decoder) skipVariable(name string) ([]byte, error) {
	if d.pos+2 > len(d.data) {
		return nil, errTruncated(name + " segment length")
	}
	n := int(d.data[d.pos])<<8 | int(d.data[d.pos+1])
	if n < 2 {
		d.pos += 2
		return nil, nil
	}
	if d.pos+n > len(d.data) {
		return nil, errTruncated(name + " segment")
	}
	seg := d.data[d.pos+2 : d.pos+n]
	d.pos += n
	return seg, nil
}

// readHeader checks the SOI marker and processes markers up to the frame
// header (configOnly) or up to the first SOS marker, leaving d.pos just
// after the SOS marker code.
func (d *decoder) readHeader(configOnly bool) error {
	data := d.data
	if len(data) < 3 || data[0] != 0xFF || data[1] != mSOI || data[2] != 0xFF {
		return errFormat("not a JPEG file (no SOI marker)")
	}
	d.pos = 2
	for {
		m, ok := d.nextMarker()
		if !ok {
			if d.sawSOF {
				return errTruncated("header (no SOS marker)")
			}
			return errTruncated("header (no SOF marker)")
		}
		switch {
		case m == mSOS:
			if !d.sawSOF {
				return errFormat("SOS marker before SOF")
			}
			return nil
		case m == mEOI:
			return errFormat("EOI marker before any image data")
		case m == mSOI:
			return errFormat("duplicate SOI marker")
		case m >= 0xC0 && m <= 0xCF && m != mDHT && m != mDAC:
			if err := d.parseSOF(m); err != nil {
				return err
			}
			if configOnly {
				return nil
			}
		default:
			if err := d.tableMarker(m); err != nil {
				return err
			}
		}
	}
}

// tableMarker processes one marker that may appear between scans: tables,
// restart interval, application data, comments and parameterless markers.
// Table contents are skipped when only the header is read (d.tab == nil).
func (d *decoder) tableMarker(m byte) error {
	switch {
	case m == mDHT:
		seg, err := d.segment("DHT")
		if err != nil || d.tab == nil {
			return err
		}
		return d.parseDHT(seg)
	case m == mDQT:
		seg, err := d.segment("DQT")
		if err != nil || d.tab == nil {
			return err
		}
		return d.parseDQT(seg)
	case m == mDRI:
		seg, err := d.segment("DRI")
		if err != nil {
			return err
		}
		if len(seg) != 2 {
			return errFormat("DRI segment has length %d, want 4", len(seg)+2)
		}
		d.restart = int(seg[0])<<8 | int(seg[1])
		return nil
	case m == mDAC:
		_, err := d.segment("DAC")
		return err
	case m >= mAPP0 && m <= mAPPF:
		seg, err := d.skipVariable("APPn")
		if err != nil {
			return err
		}
		d.examineAPP(m, seg)
		return nil
	case m == mCOM || m == mDNL:
		_, err := d.skipVariable("COM/DNL")
		return err
	case (m >= mRST0 && m <= mRST7) || m == mTEM:
		return nil
	}
	return errFormat("unknown marker 0xFF%02X", m)
}

// examineAPP records the JFIF and Adobe markers that decide the colour space.
func (d *decoder) examineAPP(m byte, seg []byte) {
	if d.started {
		return // libjpeg decides the colour space at the first SOS
	}
	switch m {
	case mAPP0:
		if len(seg) >= 14 && string(seg[:5]) == "JFIF\x00" {
			d.sawJFIF = true
		}
	case mAPPE:
		if len(seg) >= 12 && string(seg[:5]) == "Adobe" {
			d.sawAdobe = true
			d.adobeTransform = seg[11]
		}
	}
}

// parseSOF reads the frame header.
func (d *decoder) parseSOF(m byte) error {
	if d.sawSOF {
		return errFormat("duplicate SOF marker")
	}
	switch m {
	case mSOF0, mSOF1:
	case mSOF2:
		d.progressive = true
	case 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF:
		return errUnsupported("arithmetic-coded JPEG (SOF%d)", m-0xC0)
	case 0xC3:
		return errUnsupported("lossless JPEG (SOF3)")
	default:
		return errUnsupported("JPEG process SOF%d", m-0xC0)
	}
	seg, err := d.segment("SOF")
	if err != nil {
		return err
	}
	if len(seg) < 6 {
		return errFormat("SOF segment too short (%d bytes)", len(seg))
	}
	prec := seg[0]
	d.height = int(seg[1])<<8 | int(seg[2])
	d.width = int(seg[3])<<8 | int(seg[4])
	n := int(seg[5])
	if d.width == 0 || d.height == 0 || n == 0 {
		return errFormat("empty image %dx%d with %d components (DNL is not supported)", d.width, d.height, n)
	}
	if len(seg) != 6+3*n {
		return errFormat("SOF segment length %d does not match %d components", len(seg)+2, n)
	}
	if n != 1 && n != 3 && n != 4 {
		return errUnsupported("%d-component JPEG (Pillow reads 1, 3 or 4)", n)
	}
	if prec != 8 {
		return errUnsupported("%d-bit sample precision", prec)
	}
	d.ncomp = n
	for i := 0; i < n; i++ {
		c := &d.comp[i]
		c.id = seg[6+3*i]
		c.h = int(seg[7+3*i] >> 4)
		c.v = int(seg[7+3*i] & 15)
		c.tq = int(seg[8+3*i])
		if c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 {
			return errFormat("component %d has bad sampling factors %dx%d", i, c.h, c.v)
		}
	}
	d.sawSOF = true
	return nil
}

// parseDQT reads one or more quantisation tables (zigzag order on the wire).
func (d *decoder) parseDQT(seg []byte) error {
	for len(seg) > 0 {
		pq, tq := seg[0]>>4, int(seg[0]&15)
		seg = seg[1:]
		if tq >= 4 {
			return errFormat("DQT table index %d", tq)
		}
		size := 64
		if pq != 0 {
			size = 128
		}
		if len(seg) < size {
			return errFormat("DQT segment too short for table %d", tq)
		}
		for i := 0; i < 64; i++ {
			var q int32
			if pq != 0 {
				q = int32(seg[2*i])<<8 | int32(seg[2*i+1])
			} else {
				q = int32(seg[i])
			}
			d.tab.q[tq][zigzag[i]] = q
		}
		d.tab.qValid[tq] = true
		seg = seg[size:]
	}
	return nil
}

// parseDHT reads one or more Huffman tables.
func (d *decoder) parseDHT(seg []byte) error {
	for len(seg) > 16 {
		class, th := seg[0]>>4, int(seg[0]&15)
		var counts [17]uint8
		total := 0
		for i := 1; i <= 16; i++ {
			counts[i] = seg[i]
			total += int(seg[i])
		}
		seg = seg[17:]
		if total > 256 || total > len(seg) {
			return errFormat("DHT table with %d symbols does not fit", total)
		}
		if class > 1 || th >= 4 {
			return errFormat("DHT table class %d index %d", class, th)
		}
		t := &d.tab.dc[th]
		if class == 1 {
			t = &d.tab.ac[th]
		}
		if err := t.define(counts, seg[:total]); err != nil {
			return err
		}
		seg = seg[total:]
	}
	if len(seg) != 0 {
		return errFormat("DHT segment has %d stray bytes", len(seg))
	}
	return nil
}

// zigzag maps the zigzag index of a coefficient to its natural (row-major)
// position; the extra entries absorb corrupt run lengths as libjpeg's
// jpeg_natural_order does.
var zigzag = [128]uint8{
	0, 1, 8, 16, 9, 2, 3, 10,
	17, 24, 32, 25, 18, 11, 4, 5,
	12, 19, 26, 33, 40, 48, 41, 34,
	27, 20, 13, 6, 7, 14, 21, 28,
	35, 42, 49, 56, 57, 50, 43, 36,
	29, 22, 15, 23, 30, 37, 44, 51,
	58, 59, 52, 45, 38, 31, 39, 46,
	53, 60, 61, 54, 47, 55, 62, 63,
	63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63,
	63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63,
	63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63,
	63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63,
}
