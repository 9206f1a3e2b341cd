package gif

// Sizes from Pillow's Gif.h.
const (
	maxCodeBits = 12
	tableSize   = 1 << maxCodeBits
	readPiece   = 65536 // ImageFile.load reads the file this many bytes at a time
)

// lzwDecoder decodes GIF image data with the semantics of Pillow's
// GifDecode.c, writing indices straight into the canvas.
type lzwDecoder struct {
	data []byte
	pos  int // next byte of the file to consume
	win  int // end of the bytes Pillow has read from the file so far
	left int // bytes left in the current sub-block

	bits      uint32 // bit buffer, filled from the low end
	nbits     uint
	clear     int
	end       int
	next      int
	codeSize  uint
	codeMask  int
	started   bool // a literal has been seen since the last clear
	lastCode  int
	lastFirst byte // first byte of the last string output

	prefix [tableSize]uint16
	suffix [tableSize]byte
	length [tableSize]uint16 // length of each code's string
	stack  [tableSize + 1]byte

	out *writer
}

// newLZWDecoder prepares to decode the sub-blocks starting at offset pos.
func newLZWDecoder(data []byte, pos, litWidth int, out *writer) (*lzwDecoder, error) {
	if litWidth > maxCodeBits {
		return nil, formatErr("LZW code size %d is over %d", litWidth, maxCodeBits)
	}
	d := &lzwDecoder{data: data, pos: pos, win: min(len(data), pos+readPiece), out: out}
	d.clear = 1 << litWidth
	d.end = d.clear + 1
	for i := 0; i < d.clear; i++ {
		d.length[i] = 1
	}
	d.reset(litWidth)
	return d, nil
}

// reset restores the code table after a clear code.
func (d *lzwDecoder) reset(litWidth int) {
	d.next = d.clear + 2
	d.codeSize = uint(litWidth + 1)
	d.codeMask = 1<<d.codeSize - 1
	d.started = false
}

// more reads the next piece of the file, as ImageFile.load does whenever
// the decoder returns for more input (it needs a sub-block not yet read,
// or it saw an end-of-information code); at the end of the file that is
// Pillow's "image file is truncated".
func (d *lzwDecoder) more() error {
	if d.win >= len(d.data) {
		return formatErr("image file is truncated: the first frame needs more data than the file holds")
	}
	d.win = min(len(d.data), d.win+readPiece)
	return nil
}

// code returns the next code, reading sub-blocks as needed. A sub-block is
// only started once its whole length is in the bytes read so far.
func (d *lzwDecoder) code() (int, error) {
	for d.nbits < d.codeSize {
		if d.left > 0 {
			d.bits |= uint32(d.data[d.pos]) << d.nbits
			d.nbits += 8
			d.pos++
			d.left--
			continue
		}
		if d.pos >= d.win || d.win-d.pos < int(d.data[d.pos])+1 {
			if err := d.more(); err != nil {
				return 0, err
			}
			continue
		}
		d.left = int(d.data[d.pos])
		d.pos++
	}
	c := int(d.bits) & d.codeMask
	d.bits >>= d.codeSize
	d.nbits -= d.codeSize
	return c, nil
}

// decode runs until the frame is full.
func (d *lzwDecoder) decode(litWidth int) error {
	for {
		c, err := d.code()
		if err != nil {
			return err
		}
		switch {
		case c == d.clear:
			d.reset(litWidth)
			continue
		case c == d.end:
			// Pillow returns here and, given more of the file, carries on.
			if err := d.more(); err != nil {
				return err
			}
			continue
		}
		var s []byte
		if !d.started {
			if c > d.clear {
				return formatErr("broken data stream: code %d right after a clear code", c)
			}
			d.lastCode, d.lastFirst, d.started = c, byte(c), true
			d.stack[tableSize] = byte(c)
			s = d.stack[tableSize:]
		} else {
			if useDirect && c < d.next && d.direct(c) {
				continue
			}
			if s, err = d.expand(c); err != nil {
				return err
			}
		}
		if d.out.write(s) {
			return nil
		}
	}
}

// useDirect enables direct; tests turn it off to compare with the stack
// path.
var useDirect = true

// direct handles a code already in the table whose string ends before the
// end of the current row, the common case: it writes the string straight
// into the row (from its last byte back along the prefix chain) and adds
// the new table entry as expand does. It reports false, having done
// nothing, when the string does not fit.
func (d *lzwDecoder) direct(c int) bool {
	wr := d.out
	n := int(d.length[c])
	if wr.x+n >= wr.w {
		return false
	}
	dst := wr.row[wr.x : wr.x+n]
	k := c
	for i := n - 1; i > 0; i-- {
		dst[i] = d.suffix[k]
		k = int(d.prefix[k])
	}
	dst[0] = byte(k)
	wr.x += n
	d.add(byte(k))
	d.lastCode = c
	return true
}

// add appends the table entry: the last string plus first, the first byte
// of the string just output; the code size grows when the table needs it.
func (d *lzwDecoder) add(first byte) {
	d.lastFirst = first
	if d.next < tableSize {
		d.suffix[d.next] = first
		d.prefix[d.next] = uint16(d.lastCode)
		d.length[d.next] = d.length[d.lastCode] + 1
		if d.next == d.codeMask && d.codeSize < maxCodeBits {
			d.codeSize++
			d.codeMask = 1<<d.codeSize - 1
		}
		d.next++
	}
}

// expand returns the string of code c (after the first code since a clear)
// and adds the new table entry.
func (d *lzwDecoder) expand(c int) ([]byte, error) {
	this := c
	if c > d.next {
		return nil, formatErr("broken data stream: code %d beyond the next free entry %d", c, d.next)
	}
	sp := len(d.stack)
	if c == d.next {
		sp--
		d.stack[sp] = d.lastFirst
		c = d.lastCode
	}
	for c >= d.clear {
		if sp <= 1 || c >= tableSize {
			return nil, formatErr("broken data stream: runaway code chain")
		}
		sp--
		d.stack[sp] = d.suffix[c]
		c = int(d.prefix[c])
	}
	sp--
	d.stack[sp] = byte(c)
	d.add(byte(c))
	d.lastCode = this
	return d.stack[sp:], nil
}
