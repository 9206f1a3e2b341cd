package png

import (
	"compress/flate"
	"compress/zlib"
	"errors"
	"hash/adler32"
	"io"
	"sync"
)

// Adam7 pass geometry, as Pillow's ZipDecode lays it out.
var (
	passOffset   = [7]int{7, 3, 3, 1, 1, 0, 0}
	passStartCol = [7]int{0, 4, 0, 2, 0, 1, 0}
	passStartRow = [7]int{0, 0, 4, 0, 2, 0, 1}
	passColInc   = [7]int{8, 8, 4, 4, 2, 2, 1}
	passRowInc   = [7]int{8, 8, 8, 4, 4, 2, 2}
)

// tile returns the rectangle Pillow decodes into: the whole image, or the
// region of an fcTL seen before the first IDAT. Like Pillow's setimage, a
// region with x0 == x1 == 0 means the whole image.
func (s *scanner) tile() (x0, y0, w, h int, err error) {
	if !s.hasBBox {
		return 0, 0, int(s.width), int(s.height), nil
	}
	b := s.bbox
	if b[0] == 0 && b[2] == 0 {
		return 0, 0, int(s.width), int(s.height), nil
	}
	if b[2]-b[0] <= 0 || b[3]-b[1] <= 0 {
		return 0, 0, 0, 0, formatErr("empty APNG frame region %v", b)
	}
	return int(b[0]), int(b[1]), int(b[2] - b[0]), int(b[3] - b[1]), nil
}

// inflateErr describes an error from the zlib stream.
func inflateErr(err error) error {
	switch {
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		return formatErr("image data ends early (truncated zlib stream)")
	case errors.Is(err, zlib.ErrChecksum), errors.Is(err, zlib.ErrHeader), errors.Is(err, zlib.ErrDictionary):
		return formatErr("broken zlib stream: %v", err)
	}
	var ce flate.CorruptInputError
	if errors.As(err, &ce) {
		return formatErr("broken zlib stream: %v", err)
	}
	return err
}

// window is compress/flate's window: it hands decoded bytes to its reader
// each time this many more are decoded, and at some block ends.
const window = 1 << 15

// rowBufPool recycles the buffers the image data are inflated into.
var rowBufPool = sync.Pool{New: func() any { return new([]byte) }}

// pixelData is the inflated image data, unfiltered row by row in place.
type pixelData struct {
	st    *idatStream
	z     []byte       // inflated bytes
	state inflateState // why inflation stopped
	err   error        // its error for stateErr
	read  int          // stream bytes read by then, zlib header included
	sum   uint32       // Adler-32 of z before unfiltering, for stateEnd
	off   int          // next row's offset in z
	prev  int          // previous row's offset in z; -1 at a pass's start
	zero  []byte       // the previous row of a pass's first row
	bpp   int
	rows  int // rows read so far
}

// next unfilters the next row of n bytes. It returns ok == false when
// the zlib stream ended cleanly just before this row, which Pillow accepts
// once at least one row was decoded; end is then where the data chunk
// being read ends.
func (d *pixelData) next(s *scanner, n int) (row []byte, ok bool, end int64, err error) {
	if d.off+n+1 > len(d.z) {
		return d.short(s)
	}
	cur := d.z[d.off : d.off+n+1]
	prev := d.zero
	if d.prev >= 0 {
		prev = d.z[d.prev : d.prev+n+1]
	}
	if err := unfilter(cur, prev, d.bpp); err != nil {
		return nil, false, 0, err
	}
	d.prev, d.off = d.off, d.off+n+1
	d.rows++
	return cur[1:], true, 0, nil
}

// short handles a row the data do not complete, as compress/zlib read
// with io.ReadFull reports it.
func (d *pixelData) short(s *scanner) ([]byte, bool, int64, error) {
	if d.state != stateEnd {
		// stateFull and stateFlushed need more bytes than the rows hold.
		return nil, false, 0, inflateErr(d.err)
	}
	at, err := d.st.trailer(d.read, d.sum)
	if err == io.EOF && d.off == len(d.z) && d.rows > 0 {
		return nil, false, d.st.commit(s, at), nil
	}
	return nil, false, 0, inflateErr(err)
}

// finish is called once the image is complete. Pillow's zlib reads on
// past the last row within the same call, so a bad Adler-32 checksum right
// after it is an error there and here. Corrupt deflate data right after it
// is not checked: zlib stops at some of those (a match reaching too far
// back) and not at others, and Go's inflater does not say which kind it
// met, so this accepts them all, the choice that agrees with Pillow most
// often on damaged files. More data, a missing trailer or the end of the
// file are fine, as they are for Pillow. It returns where the data chunk
// compress/flate, reading one byte past the image, would have stopped in
// ends.
func (d *pixelData) finish(s *scanner) (int64, error) {
	at := d.read
	switch {
	case d.state == stateEnd && len(d.z) == d.off:
		var err error
		if at, err = d.st.trailer(at, d.sum); err == zlib.ErrChecksum {
			return 0, formatErr("broken zlib stream after the image data: %v", err)
		}
	case d.state == stateEnd && len(d.z) == d.off+1:
		// Reading that byte drains compress/flate's output: compress/zlib
		// then reads the trailer.
		at, _ = d.st.trailer(at, d.sum)
	}
	return d.st.commit(s, at), nil
}

// decodePixels inflates the image data into out and returns where the
// data chunk being read when the image was complete ends.
func decodePixels(s *scanner, out *output) (int64, error) {
	x0, y0, w, h, err := s.tile()
	if err != nil {
		return 0, err
	}
	st := gatherIDAT(s)
	defer st.release()
	hdr, err := st.zlibHeader()
	if err != nil {
		return 0, inflateErr(err)
	}
	bits := s.bitsPerPixel()
	rowLen := (w*bits + 7) / 8
	total := h * (rowLen + 1)
	if s.interlaced {
		total = 0
		for pass := 0; pass < 7; pass++ {
			pw := (w + passOffset[pass]) / passColInc[pass]
			n := (pw*bits + 7) / 8
			if n <= 0 || passStartRow[pass] >= h {
				continue
			}
			total += (n + 1) * ((h - passStartRow[pass] + passRowInc[pass] - 1) / passRowInc[pass])
		}
	}
	// Inflate up to where compress/flate, reading one byte past the
	// image, would have stopped: the end of its window after the image.
	limit := (total/window + 1) * window
	buf := rowBufPool.Get().(*[]byte)
	defer rowBufPool.Put(buf)
	if cap(*buf) < limit {
		*buf = make([]byte, 0, limit)
	}
	z, state, read, zerr := inflate(st.data[hdr:], (*buf)[:0:limit], total, st.endErr)
	d := &pixelData{st: st, z: z, state: state, err: zerr, read: hdr + read, prev: -1,
		zero: make([]byte, rowLen+1), bpp: (bits + 7) / 8}
	if state == stateEnd && len(z) <= total+1 {
		// The trailer is read, and so checked, only in these cases.
		d.sum = adler32.Checksum(z)
	}
	emit := rowFuncFor(s.depth, s.ctype)
	if !s.interlaced {
		for y := 0; y < h; y++ {
			row, ok, end, err := d.next(s, rowLen)
			if err != nil || !ok {
				return end, err
			}
			emit(out, row, y0+y, x0, 1, w)
		}
		return d.finish(s)
	}
	// Pillow's interlaced path writes passes at the image origin, ignoring
	// the tile offset.
	for pass := 0; pass < 7; pass++ {
		pw := (w + passOffset[pass]) / passColInc[pass]
		n := (pw*bits + 7) / 8
		if n <= 0 || passStartRow[pass] >= h {
			continue
		}
		d.prev = -1
		for y := passStartRow[pass]; y < h; y += passRowInc[pass] {
			row, ok, end, err := d.next(s, n)
			if err != nil || !ok {
				return end, err
			}
			emit(out, row, y, passStartCol[pass], passColInc[pass], pw)
		}
	}
	return d.finish(s)
}
