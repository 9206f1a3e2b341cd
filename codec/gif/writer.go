package gif

// writer places decoded indices into the frame's rectangle of the canvas,
// row by row, in the row order of an interlaced or a plain frame (Pillow's
// NEWLINE macro).
type writer struct {
	index  []byte // the canvas, stride wide
	stride int
	xoff   int
	yoff   int
	w, h   int // the rectangle's size
	x, y   int // position inside the rectangle
	step   int
	pass   int // interlace pass 1..3 while more passes follow, else 0
	row    []byte
}

// newWriter starts at the rectangle's first row.
func newWriter(index []byte, stride, x, y, w, h int, interlaced bool) *writer {
	wr := &writer{index: index, stride: stride, xoff: x, yoff: y, w: w, h: h, step: 1}
	if interlaced {
		wr.step, wr.pass = 8, 1
	}
	wr.setRow()
	return wr
}

// setRow points row at the current line of the rectangle.
func (wr *writer) setRow() {
	start := (wr.y+wr.yoff)*wr.stride + wr.xoff
	wr.row = wr.index[start : start+wr.w]
}

// write stores a decoded string and reports whether the frame is full.
func (wr *writer) write(s []byte) bool {
	for len(s) > 0 {
		n := copy(wr.row[wr.x:], s)
		wr.x += n
		s = s[n:]
		if wr.x == wr.w && wr.newline() {
			return true
		}
	}
	return false
}

// newline moves to the next row, through the interlace passes, and reports
// whether no row is left.
func (wr *writer) newline() bool {
	wr.x = 0
	wr.y += wr.step
	for wr.y >= wr.h {
		switch wr.pass {
		case 1:
			wr.y, wr.pass = 4, 2
		case 2:
			wr.step, wr.y, wr.pass = 4, 2, 3
		case 3:
			wr.step, wr.y, wr.pass = 2, 1, 0
		default:
			return true
		}
	}
	wr.setRow()
	return false
}
