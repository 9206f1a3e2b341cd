package webp

import (
	"encoding/binary"
	"errors"
	"sync"
)

// The lossless (VP8L) decoder, written from the format's specification
// (RFC 9649) to give exactly what x/image/vp8l gave, which it replaces
// for speed: the same pixels, and an error for the same streams (see
// TestLosslessMatchesXImage). Pixels are held as packed ARGB words.

// Errors of the lossless decoder.
var (
	errVP8LTruncated = errors.New("unexpected EOF")
	errVP8LTree      = errors.New("invalid Huffman tree")
	errVP8LLengths   = errors.New("invalid code lengths")
)

// lgroup is one set of prefix codes: green (with lengths and cache
// indices), red, blue, alpha and distance.
type lgroup struct {
	c [5]htab
	// alpha is the alpha of every literal, << 24, when the alpha code has
	// a single symbol (read with no bits); constAlpha says so.
	alpha      uint32
	constAlpha bool
}

const (
	nLiterals     = 256
	nLengthCodes  = 24
	maxHuffImage  = 2600 // group indices x/image/vp8l accepts
	cacheMultiply = 0x1e35a7bd
)

// alphabetSizes are the alphabet sizes of the five codes of a group,
// without the color cache.
var alphabetSizes = [5]int{nLiterals + nLengthCodes, 256, 256, 256, 40}

// distanceOffsets are the (dx, dy) of the 120 short distance codes.
var distanceOffsets = [120][2]int8{
	{0, 1}, {1, 0}, {1, 1}, {-1, 1}, {0, 2}, {2, 0}, {1, 2}, {-1, 2}, {2, 1}, {-2, 1},
	{2, 2}, {-2, 2}, {0, 3}, {3, 0}, {1, 3}, {-1, 3}, {3, 1}, {-3, 1}, {2, 3}, {-2, 3},
	{3, 2}, {-3, 2}, {0, 4}, {4, 0}, {1, 4}, {-1, 4}, {4, 1}, {-4, 1}, {3, 3}, {-3, 3},
	{2, 4}, {-2, 4}, {4, 2}, {-4, 2}, {0, 5}, {3, 4}, {-3, 4}, {4, 3}, {-4, 3}, {5, 0},
	{1, 5}, {-1, 5}, {5, 1}, {-5, 1}, {2, 5}, {-2, 5}, {5, 2}, {-5, 2}, {4, 4}, {-4, 4},
	{3, 5}, {-3, 5}, {5, 3}, {-5, 3}, {0, 6}, {6, 0}, {1, 6}, {-1, 6}, {6, 1}, {-6, 1},
	{2, 6}, {-2, 6}, {6, 2}, {-6, 2}, {4, 5}, {-4, 5}, {5, 4}, {-5, 4}, {3, 6}, {-3, 6},
	{6, 3}, {-6, 3}, {0, 7}, {7, 0}, {1, 7}, {-1, 7}, {5, 5}, {-5, 5}, {7, 1}, {-7, 1},
	{4, 6}, {-4, 6}, {6, 4}, {-6, 4}, {2, 7}, {-2, 7}, {7, 2}, {-7, 2}, {3, 7}, {-3, 7},
	{7, 3}, {-7, 3}, {5, 6}, {-5, 6}, {6, 5}, {-6, 5}, {8, 0}, {4, 7}, {-4, 7}, {7, 4},
	{-7, 4}, {8, 1}, {8, 2}, {6, 6}, {-6, 6}, {8, 3}, {5, 7}, {-5, 7}, {7, 5}, {-7, 5},
	{8, 4}, {6, 7}, {-6, 7}, {7, 6}, {-7, 6}, {8, 5}, {7, 7}, {-7, 7}, {8, 6}, {8, 7},
}

// ldecoder decodes one lossless stream.
type ldecoder struct {
	b       lbits
	lengths []uint8 // code lengths being read, reused
}

// decodeLossless decodes the image stream that follows a VP8L header (or
// the lossless ALPH data) as a w x h ARGB image.
func decodeLossless(data []byte, w, h int) ([]uint32, error) {
	d := &ldecoder{b: lbits{data: data}}
	var ts [4]ltransform
	var seen [4]bool
	nt, xsize := 0, w
	for d.b.read(1) == 1 {
		if d.b.overrun() {
			return nil, errVP8LTruncated
		}
		t, err := d.transform(xsize, h)
		if err != nil {
			return nil, err
		}
		if seen[t.typ] {
			return nil, errors.New("repeated transform")
		}
		seen[t.typ] = true
		ts[nt] = t
		nt++
		xsize = t.newWidth
	}
	pix, err := d.image(xsize, h, true)
	if err != nil {
		return nil, err
	}
	for i := nt - 1; i >= 0; i-- {
		pix = ts[i].inverse(pix, h)
	}
	return pix, nil
}

// pixPool recycles the main images' pixel buffers: decodeLossless's
// callers hand theirs back with releasePixels once converted.
var pixPool sync.Pool

// newPixels returns a buffer of n pixels, not cleared.
func newPixels(n int) []uint32 {
	if p, ok := pixPool.Get().(*[]uint32); ok && cap(*p) >= n {
		return (*p)[:n]
	}
	return make([]uint32, n)
}

// releasePixels hands a buffer from decodeLossless back for reuse.
func releasePixels(p []uint32) {
	pixPool.Put(&p)
}

// ltransform is one transform and its data.
type ltransform struct {
	typ      int
	bits     int
	width    int // image width before the transform
	newWidth int // width of the data it applies to
	data     []uint32
}

// nTiles is the number of blocks of 1<<bits covering size.
func nTiles(size, bits int) int {
	return (size + 1<<bits - 1) >> bits
}

// transform reads one transform of an image of width w.
func (d *ldecoder) transform(w, h int) (ltransform, error) {
	t := ltransform{typ: int(d.b.read(2)), width: w, newWidth: w}
	switch t.typ {
	case 0, 1: // predictor, cross-color
		t.bits = int(d.b.read(3)) + 2
		sub, err := d.image(nTiles(w, t.bits), nTiles(h, t.bits), false)
		if err != nil {
			return t, err
		}
		t.data = sub
	case 3: // color indexing
		n := int(d.b.read(8)) + 1
		switch {
		case n <= 2:
			t.bits = 3
		case n <= 4:
			t.bits = 2
		case n <= 16:
			t.bits = 1
		}
		t.newWidth = nTiles(w, t.bits)
		sub, err := d.image(n, 1, false)
		if err != nil {
			return t, err
		}
		pal := make([]uint32, 256)
		copy(pal, sub)
		for i := 1; i < n; i++ {
			pal[i] = addPixels(pal[i], pal[i-1])
		}
		t.data = pal
	}
	return t, nil
}

// image reads an entropy-coded image: the main one (top) or one holding
// transform or group data.
func (d *ldecoder) image(w, h int, top bool) ([]uint32, error) {
	ccBits := 0
	if d.b.read(1) == 1 {
		ccBits = int(d.b.read(4))
		if ccBits < 1 || ccBits > 11 {
			return nil, errors.New("invalid color cache parameters")
		}
	}
	groups, hpix, hbits, err := d.groups(w, h, top, ccBits)
	if err != nil {
		return nil, err
	}
	if d.b.overrun() {
		return nil, errVP8LTruncated
	}
	var pix []uint32
	if top {
		pix = newPixels(w * h)
	} else {
		pix = make([]uint32, w*h)
	}
	return d.pixels(pix, w, h, groups, hpix, hbits, ccBits)
}

// groups reads the group image (for the main image) and the groups' codes.
func (d *ldecoder) groups(w, h int, top bool, ccBits int) ([]lgroup, []uint32, int, error) {
	maxIndex, numGroups, hbits := 0, 1, 0
	var hpix []uint32
	var mapping []int
	if top && d.b.read(1) == 1 {
		hbits = int(d.b.read(3)) + 2
		tw, th := nTiles(w, hbits), nTiles(h, hbits)
		var err error
		if hpix, err = d.image(tw, th, false); err != nil {
			return nil, nil, 0, err
		}
		for _, p := range hpix {
			maxIndex = max(maxIndex, int(p>>8&0xffff))
		}
		if maxIndex >= maxHuffImage {
			return nil, nil, 0, errors.New("too many Huffman trees")
		}
		if maxIndex >= 1000 || maxIndex >= tw*th {
			// Only the groups in use get tables, numbered in order of
			// first use; the codes of the others are read and dropped.
			mapping = make([]int, maxIndex+1)
			for i := range mapping {
				mapping[i] = -1
			}
			numGroups = 0
			for i, p := range hpix {
				g := int(p >> 8 & 0xffff)
				if mapping[g] == -1 {
					mapping[g] = numGroups
					numGroups++
				}
				hpix[i] = p&^0xffff00 | uint32(mapping[g])<<8
			}
		} else {
			numGroups = maxIndex + 1
		}
	}
	groups := make([]lgroup, numGroups)
	for i := 0; i <= maxIndex; i++ {
		var g *lgroup
		switch {
		case mapping == nil:
			g = &groups[i]
		case mapping[i] >= 0:
			g = &groups[mapping[i]]
		}
		for j, size := range alphabetSizes {
			if j == 0 && ccBits > 0 {
				size += 1 << ccBits
			}
			var t *htab
			if g != nil {
				t = &g.c[j]
			}
			if err := d.code(t, size); err != nil {
				return nil, nil, 0, err
			}
			if d.b.overrun() {
				return nil, nil, 0, errVP8LTruncated
			}
		}
		if g != nil && g.c[3].pmask == 0 && len(g.c[3].t) == 1 {
			g.alpha, g.constAlpha = g.c[3].t[0]>>16<<24, true
		}
	}
	return groups, hpix, hbits, nil
}

// codeLengthOrder is the order of the code length code lengths.
var codeLengthOrder = [19]uint8{17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}

// code reads one prefix code of the alphabet size into t; with t nil it
// reads the code without building (or checking) its table.
func (d *ldecoder) code(t *htab, size int) error {
	if d.b.read(1) == 1 { // simple code: one or two symbols
		n := int(d.b.read(1)) + 1
		s0 := int(d.b.read(uint(d.b.read(1))*7 + 1))
		s1 := 0
		if n == 2 {
			s1 = int(d.b.read(8))
		}
		if t == nil {
			return nil
		}
		if s0 >= size || (n == 2 && s1 >= size) {
			return errVP8LTree
		}
		if n == 1 {
			t.single(s0)
			return nil
		}
		t.pbits, t.pmask = 1, 1
		t.t = append(t.t[:0], uint32(s0)<<16|1, uint32(s1)<<16|1)
		return nil
	}
	var clcl [19]uint8
	n := int(d.b.read(4)) + 4
	for i := 0; i < n; i++ {
		clcl[codeLengthOrder[i]] = uint8(d.b.read(3))
	}
	if cap(d.lengths) < size {
		d.lengths = make([]uint8, size)
	}
	lengths := d.lengths[:size]
	clear(lengths)
	if err := d.codeLengths(lengths, clcl[:]); err != nil {
		return err
	}
	if t == nil {
		return nil
	}
	if !t.build(lengths) {
		return errVP8LTree
	}
	return nil
}

// codeLengths reads the code lengths of a normal code.
func (d *ldecoder) codeLengths(dst []uint8, clcl []uint8) error {
	var ct htab
	if !ct.build(clcl) {
		return errVP8LTree
	}
	maxSym := len(dst)
	if d.b.read(1) == 1 {
		n := 2 + 2*uint(d.b.read(3))
		maxSym = int(d.b.read(n)) + 2
		if maxSym > len(dst) {
			return errVP8LLengths
		}
	}
	prev := uint8(8)
	for s := 0; s < len(dst) && maxSym > 0; maxSym-- {
		c := d.b.sym(&ct)
		if c < 16 {
			dst[s] = uint8(c)
			s++
			if c != 0 {
				prev = uint8(c)
			}
			continue
		}
		var rep int
		var v uint8
		switch c {
		case 16:
			rep, v = 3+int(d.b.read(2)), prev
		case 17:
			rep = 3 + int(d.b.read(3))
		default:
			rep = 11 + int(d.b.read(7))
		}
		if s+rep > len(dst) {
			return errVP8LLengths
		}
		for ; rep > 0; rep-- {
			dst[s] = v
			s++
		}
		if d.b.pos > len(d.b.data)+8 {
			return errVP8LTruncated
		}
	}
	return nil
}

// lz77 returns the length or distance code of a prefix symbol.
func (d *ldecoder) lz77(sym uint32) int {
	if sym < 4 {
		return int(sym) + 1
	}
	extra := uint(sym-2) >> 1
	offset := int(2+sym&1) << extra
	return offset + int(d.b.read(extra)) + 1
}

// distance maps a distance code to a distance in pixels.
func distance(w, code int) int {
	if code > len(distanceOffsets) {
		return code - len(distanceOffsets)
	}
	o := distanceOffsets[code-1]
	return max(int(o[1])*w+int(o[0]), 1)
}

// pixels decodes the entropy-coded pixels of a w x h image into pix,
// writing every one. The bit reader's state lives in locals here, the hot
// loop of the decoder.
func (d *ldecoder) pixels(pix []uint32, w, h int, groups []lgroup, hpix []uint32, hbits, ccBits int) ([]uint32, error) {
	n := w * h
	var cache []uint32
	var shift uint
	if ccBits > 0 {
		cache = make([]uint32, 1<<ccBits)
		shift = uint(32 - ccBits)
	}
	meta := hpix != nil
	hmask, tiles := 0, 0
	if meta {
		hmask, tiles = 1<<hbits-1, nTiles(w, hbits)
	}
	data := d.b.data
	v, nb, pos := d.b.v, d.b.nb, d.b.pos
	g := &groups[0]
	cached, x, y := 0, 0, 0
	lookup := meta
	for p := 0; p < n; {
		if lookup {
			g = &groups[hpix[(y>>hbits)*tiles+x>>hbits]>>8&0xffff]
		}
		if nb < 30 {
			v, nb, pos = refill(data, v, nb, pos)
		}
		e := entry(&g.c[0], v)
		v >>= e & 15
		nb -= uint(e & 15)
		green := e >> 16
		switch {
		case green < nLiterals:
			e = entry(&g.c[1], v)
			v >>= e & 15
			nb -= uint(e & 15)
			red := e >> 16
			if nb < 30 {
				v, nb, pos = refill(data, v, nb, pos)
			}
			e = entry(&g.c[2], v)
			v >>= e & 15
			nb -= uint(e & 15)
			blue := e >> 16
			alpha := g.alpha
			if !g.constAlpha {
				e = entry(&g.c[3], v)
				v >>= e & 15
				nb -= uint(e & 15)
				alpha = e >> 16 << 24
			}
			pix[p] = alpha | red<<16 | green<<8 | blue
			p++
			if x++; x == w {
				x, y = 0, y+1
			}
			lookup = meta && x&hmask == 0
		case green < nLiterals+nLengthCodes:
			length, dist := 0, 0
			length, v, nb = prefixValue(green-nLiterals, v, nb)
			if nb < 33 {
				v, nb, pos = refill(data, v, nb, pos)
			}
			e = entry(&g.c[4], v)
			v >>= e & 15
			nb -= uint(e & 15)
			dist, v, nb = prefixValue(e>>16, v, nb)
			dist = distance(w, dist)
			if p-dist < 0 || p+length > n {
				d.b.v, d.b.nb, d.b.pos = v, nb, pos
				return nil, errors.New("invalid LZ77 parameters")
			}
			if dist >= length {
				copy(pix[p:p+length], pix[p-dist:])
			} else {
				src, dst := pix[p-dist:p-dist+length], pix[p:p+length]
				for i := range dst {
					dst[i] = src[i]
				}
			}
			p += length
			for x += length; x >= w; x -= w {
				y++
			}
			lookup = meta
		default:
			for ; cached < p; cached++ {
				c := pix[cached]
				cache[(c*cacheMultiply)>>shift] = c
			}
			i := int(green) - nLiterals - nLengthCodes
			if i >= len(cache) {
				d.b.v, d.b.nb, d.b.pos = v, nb, pos
				return nil, errors.New("invalid color cache index")
			}
			pix[p] = cache[i]
			p++
			if x++; x == w {
				x, y = 0, y+1
			}
			lookup = meta && x&hmask == 0
		}
		if pos > len(data) && pos*8-int(nb) > len(data)*8 {
			d.b.v, d.b.nb, d.b.pos = v, nb, pos
			return nil, errVP8LTruncated
		}
	}
	d.b.v, d.b.nb, d.b.pos = v, nb, pos
	return pix, nil
}

// refill is lbits.fill on a bit reader's state held in locals.
func refill(data []byte, v uint64, nb uint, pos int) (uint64, uint, int) {
	if pos+8 <= len(data) {
		v |= binary.LittleEndian.Uint64(data[pos:]) << nb
		return v, nb | 56, pos + int(63-nb)>>3
	}
	return refillTail(data, v, nb, pos)
}

// refillTail is refill near the end of the data (kept out of line so that
// refill inlines).
//
//go:noinline
func refillTail(data []byte, v uint64, nb uint, pos int) (uint64, uint, int) {
	b := lbits{data: data, pos: pos, v: v, nb: nb}
	b.fillTail()
	return b.v, b.nb, b.pos
}

// entry returns the table entry of the code starting at the low bits of
// v: the symbol in bits 16-31, the code length in bits 0-3.
func entry(h *htab, v uint64) uint32 {
	e := h.t[v&h.pmask]
	if e&linkBit != 0 {
		e = h.t[uint64(e>>16)+(v>>h.pbits)&(1<<(e>>8&15)-1)]
	}
	return e
}

// prefixValue is lz77 on a bit reader's state held in locals; at least 18
// bits must be buffered.
func prefixValue(sym uint32, v uint64, nb uint) (int, uint64, uint) {
	if sym < 4 {
		return int(sym) + 1, v, nb
	}
	extra := uint(sym-2) >> 1
	offset := int(2+sym&1) << extra
	return offset + int(v&(1<<extra-1)) + 1, v >> extra, nb - extra
}

// addPixels adds ARGB words channel by channel, modulo 256.
func addPixels(a, b uint32) uint32 {
	return (a&0xff00ff00+b&0xff00ff00)&0xff00ff00 | (a&0x00ff00ff+b&0x00ff00ff)&0x00ff00ff
}
