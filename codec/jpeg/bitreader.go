package jpeg

import "encoding/binary"

// bitReader reads the entropy-coded segment of a scan. Bits are kept
// left-aligned in acc. When the segment ends (a marker or the end of the
// data) zero bits are supplied, as libjpeg does, and counted in pad so that
// consuming any of them can be reported as truncated data.
type bitReader struct {
	data  []byte
	pos   int // next byte to load; at the segment end, the marker's 0xFF
	acc   uint64
	n     uint // valid bits in acc, including padding
	pad   uint // zero bits supplied past the end of the segment
	ended bool
}

// reset starts reading the segment at pos.
func (br *bitReader) reset(data []byte, pos int) {
	*br = bitReader{data: data, pos: pos}
}

// fill loads bytes until at least 56 bits are buffered.
func (br *bitReader) fill() {
	data := br.data
	pos := br.pos
	// Fast path: the next eight bytes hold no 0xFF, so whole bytes can be
	// appended without looking for stuffing or markers.
	if !br.ended && pos+8 <= len(data) {
		x := binary.BigEndian.Uint64(data[pos:])
		y := ^x
		if (y-0x0101010101010101)&^y&0x8080808080808080 == 0 {
			k := (63 - br.n) >> 3 // whole bytes that fit
			br.acc |= x >> (64 - 8*k) << (64 - br.n - 8*k)
			br.n += 8 * k
			br.pos = pos + int(k)
			return
		}
	}
	for br.n <= 56 {
		var c byte
		if !br.ended {
			if pos < len(data) {
				c = data[pos]
				if c != 0xFF {
					pos++
				} else {
					// FF (FF)* 00 is a stuffed data byte 0xFF; FF (FF)* xx
					// with xx != 0 is a marker, which ends the segment.
					p := pos + 1
					for p < len(data) && data[p] == 0xFF {
						p++
					}
					if p < len(data) && data[p] == 0 {
						pos = p + 1
					} else {
						br.ended = true
						c = 0
					}
				}
			} else {
				br.ended = true
			}
		}
		if br.ended {
			br.pad += 8
		}
		br.acc |= uint64(c) << (56 - br.n)
		br.n += 8
	}
	br.pos = pos
}

// overrun reports whether any padding bit has been consumed.
func (br *bitReader) overrun() bool {
	return br.n < br.pad
}

// bits returns the next s bits (0 <= s <= 16) as an unsigned value.
func (br *bitReader) bits(s uint) int32 {
	if br.n < s {
		br.fill()
	}
	v := int32(br.acc >> (64 - s)) // a shift by 64 yields 0 in Go
	br.acc <<= s
	br.n -= s
	return v
}

// bit returns the next bit.
func (br *bitReader) bit() int32 {
	if br.n < 1 {
		br.fill()
	}
	v := int32(br.acc >> 63)
	br.acc <<= 1
	br.n--
	return v
}

// extend turns the s-bit magnitude v (1 <= s <= 16) into the signed value
// it codes (HUFF_EXTEND): values whose top bit is clear are negative.
func extend(v int32, s uint) int32 {
	return v + ((v>>(s-1))-1)&(int32(-1)<<s+1)
}

// receive reads s bits (s >= 1) and extends them to a signed value.
func (br *bitReader) receive(s uint) int32 {
	return extend(br.bits(s), s)
}

// decode reads one Huffman-coded symbol; ok is false for a bit pattern that
// is no code of the table.
func (br *bitReader) decode(t *huffTable) (sym int, ok bool) {
	if br.n < 16 {
		br.fill()
	}
	e := t.lut[br.acc>>(64-lutBits)]
	if e != 0 {
		l := uint(e >> 8)
		br.acc <<= l
		br.n -= l
		return int(e & 0xFF), true
	}
	return br.decodeSlow(t)
}

// decodeSlow decodes a code longer than lutBits; n >= 16 bits are buffered.
func (br *bitReader) decodeSlow(t *huffTable) (sym int, ok bool) {
	for l := uint(lutBits + 1); l <= 16; l++ {
		code := int32(br.acc >> (64 - l))
		if code <= t.maxcode[l] {
			br.acc <<= l
			br.n -= l
			return int(t.vals[(code+t.valoff[l])&0xFF]), true
		}
	}
	return 0, false
}
