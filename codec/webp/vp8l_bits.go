package webp

import (
	"encoding/binary"
	"math/bits"
)

// lbits reads a VP8L bit stream, least significant bit first, through a
// 64-bit buffer. Past the end of the data it reads zeros; overrun tells
// whether any of those were consumed, which makes the stream truncated
// exactly when x/image/vp8l, reading byte by byte, would have needed a
// byte that is not there.
type lbits struct {
	data []byte
	pos  int    // next byte to load; may pass len(data)
	v    uint64 // loaded, unconsumed bits
	nb   uint   // number of loaded, unconsumed bits
}

// fill loads bytes until at least 56 bits are buffered.
func (b *lbits) fill() {
	if b.pos+8 <= len(b.data) {
		b.v |= binary.LittleEndian.Uint64(b.data[b.pos:]) << b.nb
		b.pos += int(63-b.nb) >> 3
		b.nb |= 56
		return
	}
	b.fillTail()
}

// fillTail is fill near the end of the data.
func (b *lbits) fillTail() {
	for b.nb <= 56 {
		if b.pos < len(b.data) {
			b.v |= uint64(b.data[b.pos]) << b.nb
		}
		b.pos++
		b.nb += 8
	}
}

// read returns the next n (at most 32) bits.
func (b *lbits) read(n uint) uint32 {
	if b.nb < n {
		b.fill()
	}
	x := uint32(b.v & (1<<n - 1))
	b.v >>= n
	b.nb -= n
	return x
}

// overrun reports whether bits past the end of the data were consumed.
func (b *lbits) overrun() bool {
	return b.pos > len(b.data) && b.pos*8-int(b.nb) > len(b.data)*8
}

// A prefix code table: a primary array indexed by the next pbits bits,
// followed by sub-tables for longer codes. An entry holds the symbol in
// bits 16-31 and the code length (0-15) in bits 0-3; a link to a
// sub-table holds its offset in bits 16-31, linkBit, and its index width
// in bits 8-11. The codes x/image/vp8l accepts are complete (or a single
// symbol of no bits), so every entry is filled.
type htab struct {
	t     []uint32
	pbits uint
	pmask uint64
}

const (
	linkBit    = 1 << 4
	primaryLen = 8
)

// single makes the table of a code with one symbol, read with no bits.
func (h *htab) single(sym int) {
	h.pbits, h.pmask = 0, 0
	h.t = append(h.t[:0], uint32(sym)<<16)
}

// build makes the table for the code lengths as x/image/vp8l's hTree.build
// accepts them: at least one symbol; one symbol is read with no bits
// whatever its length; otherwise the code must be complete.
func (h *htab) build(lengths []uint8) bool {
	var count [16]int
	nsym, last, maxLen := 0, 0, 0
	for s, n := range lengths {
		if n != 0 {
			count[n]++
			nsym++
			last = s
			maxLen = max(maxLen, int(n))
		}
	}
	switch nsym {
	case 0:
		return false
	case 1:
		h.single(last)
		return true
	}
	var next [16]int
	code := 0
	for n := 1; n <= maxLen; n++ {
		code = (code + count[n-1]) << 1
		next[n] = code
	}
	// Complete: the codes of the longest length end exactly at 2^maxLen.
	if next[maxLen]+count[maxLen] != 1<<maxLen {
		return false
	}
	pbits := uint(min(maxLen, primaryLen))
	size := 1 << pbits
	// Each sub-table is as wide as the longest code under its prefix
	// needs (the first pass finds it), which keeps a table within a few
	// thousand entries whatever the code.
	var width [1 << primaryLen]uint8
	first := next
	if uint(maxLen) > pbits {
		for _, n := range lengths {
			if uint(n) > pbits {
				c := next[n]
				next[n]++
				prefix := int(bits.Reverse16(uint16(c))>>(16-n)) & (size - 1)
				width[prefix] = max(width[prefix], n-uint8(pbits))
			}
		}
		next = first
	}
	h.t = append(h.t[:0], make([]uint32, size)...)
	h.pbits, h.pmask = pbits, uint64(size-1)
	for s, n := range lengths {
		if n == 0 {
			continue
		}
		c := next[n]
		next[n]++
		rev := int(bits.Reverse16(uint16(c)) >> (16 - n))
		entry := uint32(s)<<16 | uint32(n)
		if uint(n) <= pbits {
			for i := rev; i < size; i += 1 << n {
				h.t[i] = entry
			}
			continue
		}
		prefix := rev & (size - 1)
		link := h.t[prefix]
		if link == 0 {
			sub := uint(width[prefix])
			off := len(h.t)
			h.t = append(h.t, make([]uint32, 1<<sub)...)
			link = uint32(off)<<16 | uint32(sub)<<8 | linkBit
			h.t[prefix] = link
		}
		off, sub := int(link>>16), uint(link>>8&15)
		for i := rev >> pbits; i < 1<<sub; i += 1 << (uint(n) - pbits) {
			h.t[off+i] = entry
		}
	}
	return true
}

// sym decodes one symbol.
func (b *lbits) sym(h *htab) uint32 {
	if b.nb < 15 {
		b.fill()
	}
	e := h.t[b.v&h.pmask]
	if e&linkBit != 0 {
		e = h.t[uint64(e>>16)+(b.v>>h.pbits)&(1<<(e>>8&15)-1)]
	}
	n := uint(e & 15)
	b.v >>= n
	b.nb -= n
	return e >> 16
}
