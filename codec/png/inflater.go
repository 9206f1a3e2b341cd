package png

import (
	"compress/flate"
	"encoding/binary"
	"io"
	"sync"
)

// The inflater decodes a whole DEFLATE stream held in memory into a
// buffer of fixed capacity, with a 64-bit bit buffer and table lookups.
// It behaves as compress/flate reading the same bytes one at a time does:
// it accepts and refuses the same streams, delivers the same bytes before
// an error, and never counts input as read that compress/flate would not
// have read, so the PNG decoder can tell which data chunk it stopped in.

// inflateState says why inflate returned.
type inflateState uint8

const (
	stateEnd     inflateState = iota // the final block ended
	stateFull                        // the output reached its capacity
	stateFlushed                     // an empty stored block after stopAfter bytes
	stateErr                         // corrupt data, or the input ran out
)

// inflater holds one decoding's state; its tables are reused from pool.
type inflater struct {
	in     []byte
	pos    int    // next byte of in to load; may pass len(in) (zeros)
	bits   uint64 // loaded, unconsumed bits, next bit lowest
	nb     uint   // number of valid bits in bits
	out    []byte
	lit    huffTable
	dist   huffTable
	clen   huffTable
	lens   [maxNumLit + maxNumDist]uint8
	endErr error // what reading past the input reports
	errAt  int   // input bytes read when the error struck
	// litEnd is how far, in bits, compress/flate had read for the last
	// literal/length code: it reads as many bits as the block's
	// end-of-block code is long before it looks a code up, so it may
	// have read past the code's own end.
	litEnd int
}

const (
	maxNumLit  = 286
	maxNumDist = 30
	// primary table widths: 10 bits hold nearly every literal/length code
	// of real PNG streams, 8 nearly every distance code.
	litBits  = 10
	distBits = 8
)

var (
	inflaterPool = sync.Pool{New: func() any { return new(inflater) }}
	fixedOnce    sync.Once
	fixedLit     huffTable
	fixedDist    huffTable
)

// fixedTables builds the tables of the fixed Huffman code (RFC 1951 3.2.6).
func fixedTables() {
	var l [288]uint8
	for i := range l {
		switch {
		case i < 144:
			l[i] = 8
		case i < 256:
			l[i] = 9
		case i < 280:
			l[i] = 7
		default:
			l[i] = 8
		}
	}
	fixedLit.build(l[:], litBits)
	var d [32]uint8
	for i := range d {
		d[i] = 5
	}
	fixedDist.build(d[:], distBits)
}

// Length and distance bases and extra bits (RFC 1951 3.2.5).
var (
	lengthBase  = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthExtra = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase    = [30]uint32{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtra   = [30]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
)

// codeOrder is the order of the code length code lengths.
var codeOrder = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}

// inflate decodes the DEFLATE stream in into out[:cap(out)]. It stops at
// the end of the final block, when out is full, at an empty stored block
// once more than stopAfter bytes are out (where compress/flate hands its
// window to the reader), or at an error. endErr is what running out of
// input reports (before compress/flate turns io.EOF into
// io.ErrUnexpectedEOF). It returns the output, why it stopped, the bytes of
// in read by then (len(in)+1 when it asked for more) and the error for
// stateErr.
func inflate(in, out []byte, stopAfter int, endErr error) ([]byte, inflateState, int, error) {
	fixedOnce.Do(fixedTables)
	f := inflaterPool.Get().(*inflater)
	defer inflaterPool.Put(f)
	f.in, f.pos, f.bits, f.nb, f.out, f.endErr, f.litEnd = in, 0, 0, 0, out[:0], endErr, 0
	st, err := f.run(stopAfter)
	read := max(f.read(), (f.litEnd+7)>>3)
	if st == stateErr {
		read = max(read, f.errAt)
	}
	o := f.out
	f.in, f.out, f.endErr = nil, nil, nil
	return o, st, read, err
}

// read returns how many input bytes compress/flate would have read by
// now: every byte holding a consumed bit.
func (f *inflater) read() int {
	return (f.consumed() + 7) >> 3
}

// consumed returns the number of input bits consumed.
func (f *inflater) consumed() int {
	return f.pos*8 - int(f.nb)
}

// refill loads bytes until at least 56 bits are buffered; past the end of
// the input it loads zeros, which callers detect with short.
func (f *inflater) refill() {
	if f.pos+8 <= len(f.in) {
		f.bits |= binary.LittleEndian.Uint64(f.in[f.pos:]) << f.nb
		f.pos += int(63-f.nb) >> 3
		f.nb |= 56
		return
	}
	f.refillTail()
}

// refillTail is refill near the end of the input.
func (f *inflater) refillTail() {
	for f.nb <= 56 {
		if f.pos < len(f.in) {
			f.bits |= uint64(f.in[f.pos]) << f.nb
		}
		f.pos++
		f.nb += 8
	}
}

// short reports whether consuming n more bits would pass the end of the
// input.
func (f *inflater) short(n uint) bool {
	return f.pos > len(f.in) && f.consumed()+int(n) > len(f.in)*8
}

// take returns the next n bits, refilling first when fewer than n are.
func (f *inflater) take(n uint) uint64 {
	if f.nb < n {
		f.refill()
	}
	v := f.bits & (1<<n - 1)
	f.bits >>= n
	f.nb -= n
	return v
}

// eof reports running out of input the way compress/flate does; having
// asked for one byte more, it counts as read past the end.
func (f *inflater) eof() error {
	f.errAt = len(f.in) + 1
	if f.endErr == io.EOF || f.endErr == nil {
		return io.ErrUnexpectedEOF
	}
	return f.endErr
}

// corrupt reports corrupt data after reading n more bits than consumed.
func (f *inflater) corrupt(n uint) error {
	f.errAt = (f.consumed() + int(n) + 7) >> 3
	return flate.CorruptInputError(f.errAt)
}

// bitsOrEOF makes n bits available or reports the end of the input.
func (f *inflater) bitsOrEOF(n uint) error {
	if f.nb < n {
		f.refill()
	}
	if f.short(n) {
		return f.eof()
	}
	return nil
}

// run decodes blocks until a stop.
func (f *inflater) run(stopAfter int) (inflateState, error) {
	for {
		if err := f.bitsOrEOF(3); err != nil {
			return stateErr, err
		}
		final := f.take(1) == 1
		var st inflateState
		var err error
		switch f.take(2) {
		case 0:
			st, err = f.stored(final, stopAfter)
		case 1:
			st, err = f.huffmanBlock(&fixedLit, &fixedDist)
		case 2:
			if err = f.readTables(); err == nil {
				st, err = f.huffmanBlock(&f.lit, &f.dist)
			} else {
				st = stateErr
			}
		default:
			return stateErr, f.corrupt(0)
		}
		if err != nil || st != stateEnd {
			return st, err
		}
		if final {
			return stateEnd, nil
		}
	}
}

// stored copies an uncompressed block. An empty one that is not the last
// is where compress/flate hands what it decoded to the reader.
func (f *inflater) stored(final bool, stopAfter int) (inflateState, error) {
	// Drop the rest of the current byte and rewind the bit buffer to it.
	p := f.read()
	f.pos, f.bits, f.nb = p, 0, 0
	if p+4 > len(f.in) {
		f.pos = len(f.in)
		return stateErr, f.eof()
	}
	n := int(binary.LittleEndian.Uint16(f.in[p:]))
	nn := binary.LittleEndian.Uint16(f.in[p+2:])
	f.pos += 4
	if uint16(n) != ^nn {
		return stateErr, f.corrupt(0)
	}
	if n == 0 {
		if !final && len(f.out) > stopAfter {
			return stateFlushed, nil
		}
		return stateEnd, nil
	}
	room := cap(f.out) - len(f.out)
	k := min(n, room, len(f.in)-f.pos)
	f.out = append(f.out, f.in[f.pos:f.pos+k]...)
	f.pos += k
	switch {
	case k == room:
		return stateFull, nil
	case k < n:
		return stateErr, f.eof()
	}
	return stateEnd, nil
}

// readTables reads a dynamic block's code lengths and builds its tables.
func (f *inflater) readTables() error {
	if err := f.bitsOrEOF(14); err != nil {
		return err
	}
	nlit := int(f.take(5)) + 257
	if nlit > maxNumLit {
		return f.corrupt(9)
	}
	ndist := int(f.take(5)) + 1
	if ndist > maxNumDist {
		return f.corrupt(4)
	}
	nclen := int(f.take(4)) + 4
	var cl [19]uint8
	for i := 0; i < nclen; i++ {
		if err := f.bitsOrEOF(3); err != nil {
			return err
		}
		cl[codeOrder[i]] = uint8(f.take(3))
	}
	if !f.clen.build(cl[:], 7) {
		return f.corrupt(0)
	}
	lens := f.lens[:nlit+ndist]
	for i := 0; i < len(lens); {
		sym, err := f.symbol(&f.clen)
		if err != nil {
			return err
		}
		if sym < 16 {
			lens[i] = uint8(sym)
			i++
			continue
		}
		var rep int
		var nb uint
		var v uint8
		switch sym {
		case 16:
			if i == 0 {
				return f.corrupt(0)
			}
			rep, nb, v = 3, 2, lens[i-1]
		case 17:
			rep, nb = 3, 3
		default:
			rep, nb = 11, 7
		}
		if err := f.bitsOrEOF(nb); err != nil {
			return err
		}
		rep += int(f.take(nb))
		if i+rep > len(lens) {
			return f.corrupt(0)
		}
		for j := 0; j < rep; j++ {
			lens[i] = v
			i++
		}
	}
	if !f.lit.build(lens[:nlit], litBits) || !f.dist.build(lens[nlit:], distBits) {
		return f.corrupt(0)
	}
	if l := uint(lens[256]); f.lit.min < l {
		f.lit.min = l
	}
	return nil
}

// symbol decodes one symbol of h.
func (f *inflater) symbol(h *huffTable) (int, error) {
	if f.nb < maxCodeLen {
		f.refill()
	}
	e := h.lookup(f.bits)
	n := uint(e & lenMask)
	if f.short(max(n, h.min)) {
		return 0, f.eof()
	}
	if n == 0 {
		return 0, f.corrupt(h.min)
	}
	f.bits >>= n
	f.nb -= n
	return int(e >> 16), nil
}

// huffmanBlock decodes a compressed block's symbols up to its end.
func (f *inflater) huffmanBlock(lit, dist *huffTable) (inflateState, error) {
	out := f.out[:cap(f.out)]
	o, st, err := f.symbols(lit, dist, out, len(f.out))
	f.out = out[:o]
	return st, err
}

// symbols is huffmanBlock's loop from output length o; it returns the new
// length. The bit buffer lives in locals and goes back to f before any
// return (the SAVE lines).
func (f *inflater) symbols(lit, dist *huffTable, out []byte, o int) (int, inflateState, error) {
	limit := len(out)
	bitsBuf, nb := f.bits, f.nb
	lt, lmask, lbits := lit.t, lit.pmask, lit.pbits
	dt, dmask, dbits := dist.t, dist.pmask, dist.pbits
	for {
		if nb < 48 {
			f.bits, f.nb = bitsBuf, nb
			f.refill()
			bitsBuf, nb = f.bits, f.nb
		}
		// where compress/flate will have read to for this code
		litEnd := f.pos*8 - int(nb) + int(lit.min)
		e := lt[bitsBuf&lmask]
		if e&linkFlag != 0 {
			e = lt[uint64(e>>16)+(bitsBuf>>lbits)&(1<<(e>>8&15)-1)]
		}
		n := uint(e & lenMask)
		if f.pos > len(f.in) {
			f.bits, f.nb, f.litEnd = bitsBuf, nb, litEnd // SAVE
			if f.short(max(n, lit.min)) {
				return o, stateErr, f.eof()
			}
		}
		if n == 0 {
			f.bits, f.nb, f.litEnd = bitsBuf, nb, litEnd // SAVE
			return o, stateErr, f.corrupt(lit.min)
		}
		bitsBuf >>= n
		nb -= n
		sym := int(e >> 16)
		if sym < 256 {
			out[o] = byte(sym)
			o++
			if o == limit {
				f.bits, f.nb, f.litEnd = bitsBuf, nb, litEnd // SAVE
				return o, stateFull, nil
			}
			continue
		}
		if sym == 256 {
			f.bits, f.nb, f.litEnd = bitsBuf, nb, litEnd // SAVE
			return o, stateEnd, nil
		}
		sym -= 257
		if sym >= len(lengthBase) {
			f.bits, f.nb, f.litEnd = bitsBuf, nb, litEnd // SAVE
			return o, stateErr, f.corrupt(0)
		}
		length := int(lengthBase[sym])
		if x := uint(lengthExtra[sym]); x > 0 {
			if f.pos > len(f.in) {
				f.bits, f.nb, f.litEnd = bitsBuf, nb, litEnd // SAVE
				if f.short(x) {
					return o, stateErr, f.eof()
				}
			}
			length += int(bitsBuf & (1<<x - 1))
			bitsBuf >>= x
			nb -= x
		}
		// (compress/flate reads the fixed code's five distance bits
		// directly: the same bits as through its table.)
		e = dt[bitsBuf&dmask]
		if e&linkFlag != 0 {
			e = dt[uint64(e>>16)+(bitsBuf>>dbits)&(1<<(e>>8&15)-1)]
		}
		n = uint(e & lenMask)
		if f.pos > len(f.in) {
			f.bits, f.nb, f.litEnd = bitsBuf, nb, litEnd // SAVE
			if f.short(max(n, dist.min)) {
				return o, stateErr, f.eof()
			}
		}
		if n == 0 {
			f.bits, f.nb, f.litEnd = bitsBuf, nb, litEnd // SAVE
			return o, stateErr, f.corrupt(max(n, dist.min))
		}
		bitsBuf >>= n
		nb -= n
		dsym := int(e >> 16)
		if dsym >= len(distBase) {
			f.bits, f.nb, f.litEnd = bitsBuf, nb, litEnd // SAVE
			return o, stateErr, f.corrupt(0)
		}
		d := int(distBase[dsym])
		if x := uint(distExtra[dsym]); x > 0 {
			if f.pos > len(f.in) {
				f.bits, f.nb, f.litEnd = bitsBuf, nb, litEnd // SAVE
				if f.short(x) {
					return o, stateErr, f.eof()
				}
			}
			d += int(bitsBuf & (1<<x - 1))
			bitsBuf >>= x
			nb -= x
		}
		if d > o {
			f.bits, f.nb, f.litEnd = bitsBuf, nb, litEnd // SAVE
			return o, stateErr, f.corrupt(0)
		}
		full := false
		if room := limit - o; length >= room {
			length, full = room, true
		}
		start := o - d
		if d >= length {
			copy(out[o:o+length], out[start:start+length])
		} else {
			// Overlapping: the source repeats with period d.
			dst := out[o : o+length]
			src := out[start : start+length]
			for i := range dst {
				dst[i] = src[i]
			}
		}
		o += length
		if full {
			f.bits, f.nb, f.litEnd = bitsBuf, nb, litEnd // SAVE
			return o, stateFull, nil
		}
	}
}
