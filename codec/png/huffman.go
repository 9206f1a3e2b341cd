package png

import (
	"math/bits"
	"slices"
)

// Huffman decoding tables for the inflater. A table is a primary array
// indexed by the next primaryBits bits of input (DEFLATE codes are read
// least significant bit first, so codes are stored bit-reversed), followed
// by sub-tables for the codes longer than that.
//
// An entry holds, for a symbol: the symbol in bits 16-31 and the code
// length (1-15) in bits 0-3; for a link to a sub-table: the sub-table's
// offset in bits 16-31, linkFlag, and the sub-table's index width in bits
// 8-11. A zero entry is a bit pattern no code starts with.
const (
	linkFlag   = 1 << 4
	lenMask    = 15
	maxCodeLen = 15
)

// huffTable decodes one canonical Huffman code.
type huffTable struct {
	t     []uint32
	pbits uint   // index width of the primary table
	pmask uint64 // (1 << pbits) - 1
	// min is the number of bits compress/flate reads before it looks a
	// symbol up: the shortest code length, raised for literal/length codes
	// to the end-of-block code's length. A symbol whose bits end past the
	// input, or that needs fewer bits than min while min bits are not
	// there, is a truncated stream, as it is for compress/flate.
	min uint
}

// build makes the table for the code lengths, with primary tables of at
// most pbits bits. It accepts exactly the codes compress/flate accepts:
// complete codes, the single code of length 1, and no code at all (every
// lookup of which then fails). It reports false otherwise.
func (h *huffTable) build(lengths []uint8, pbits uint) bool {
	var count [maxCodeLen + 1]int
	minLen, maxLen := 0, 0
	for _, n := range lengths {
		if n == 0 {
			continue
		}
		if minLen == 0 || int(n) < minLen {
			minLen = int(n)
		}
		maxLen = max(maxLen, int(n))
		count[n]++
	}
	var next [maxCodeLen + 2]int
	code := 0
	for n := minLen; n <= maxLen && maxLen > 0; n++ {
		code <<= 1
		next[n] = code
		code += count[n]
	}
	if maxLen > 0 && code != 1<<uint(maxLen) && !(code == 1 && maxLen == 1) {
		return false
	}
	if uint(maxLen) < pbits && maxLen > 0 {
		pbits = uint(maxLen)
	}
	size := 1 << pbits
	if cap(h.t) < size {
		h.t = make([]uint32, size, size+(size>>1))
	}
	h.t = h.t[:size]
	clear(h.t)
	h.pbits, h.pmask, h.min = pbits, uint64(size-1), uint(minLen)
	for sym, n := range lengths {
		if n == 0 {
			continue
		}
		c := next[n]
		next[n]++
		rev := int(bits.Reverse16(uint16(c)) >> (16 - n))
		entry := uint32(sym)<<16 | uint32(n)
		if uint(n) <= pbits {
			for i := rev; i < size; i += 1 << n {
				h.t[i] = entry
			}
			continue
		}
		prefix := rev & (size - 1)
		link := h.t[prefix]
		if link == 0 {
			// Codes are assigned in order of length, then symbol, so the
			// first long code of a prefix is its shortest: the sub-table
			// is sized for the longest code overall.
			sub := uint(maxLen) - pbits
			off := len(h.t)
			h.t = slices.Grow(h.t, 1<<sub)[:off+1<<sub]
			clear(h.t[off:])
			link = uint32(off)<<16 | uint32(sub)<<8 | linkFlag
			h.t[prefix] = link
		}
		off, sub := int(link>>16), uint(link>>8&15)
		for i := rev >> pbits; i < 1<<sub; i += 1 << (uint(n) - pbits) {
			h.t[off+i] = entry
		}
	}
	return true
}

// lookup returns the entry for the next bits of input (a symbol entry or
// zero, never a link).
func (h *huffTable) lookup(b uint64) uint32 {
	e := h.t[b&h.pmask]
	if e&linkFlag != 0 {
		e = h.t[uint64(e>>16)+(b>>h.pbits)&(1<<(e>>8&15)-1)]
	}
	return e
}
