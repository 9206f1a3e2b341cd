package png

import (
	"compress/flate"
	"compress/zlib"
	"errors"
	"io"
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

// rowReader inflates rows and reverses their filters.
type rowReader struct {
	z         io.Reader
	cur, prev []byte
	bpp       int
	rows      int // rows read so far
}

// next reads and unfilters one row of n bytes. It returns ok == false when
// the zlib stream ended cleanly just before this row, which Pillow accepts
// once at least one row was decoded.
func (r *rowReader) next(n int) (row []byte, ok bool, err error) {
	buf := r.cur[:n+1]
	k, err := io.ReadFull(r.z, buf)
	if err == io.EOF && k == 0 && r.rows > 0 {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, inflateErr(err)
	}
	if err := unfilter(buf, r.prev, r.bpp); err != nil {
		return nil, false, err
	}
	r.rows++
	r.cur, r.prev = r.prev, r.cur
	return r.prev[1 : n+1], true, nil
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

// decodePixels inflates the image data into out and returns where the
// data chunk being read when the image was complete ends.
func decodePixels(s *scanner, out *output) (int64, error) {
	x0, y0, w, h, err := s.tile()
	if err != nil {
		return 0, err
	}
	src := newIDATReader(s)
	z, err := openZlib(src)
	if err != nil {
		return 0, inflateErr(err)
	}
	defer releaseZlib(z)
	bits := s.bitsPerPixel()
	rowLen := (w*bits + 7) / 8
	r := &rowReader{z: z, cur: make([]byte, rowLen+1), prev: make([]byte, rowLen+1), bpp: (bits + 7) / 8}
	emit := rowFuncFor(s.depth, s.ctype)
	if !s.interlaced {
		for y := 0; y < h; y++ {
			row, ok, err := r.next(rowLen)
			if err != nil {
				return 0, err
			}
			if !ok {
				return src.chunkEnd(), nil
			}
			emit(out, row, y0+y, x0, 1, w)
		}
	} else {
		// Pillow's interlaced path writes passes at the image origin,
		// ignoring the tile offset.
		for pass := 0; pass < 7; pass++ {
			pw := (w + passOffset[pass]) / passColInc[pass]
			n := (pw*bits + 7) / 8
			if n <= 0 || passStartRow[pass] >= h {
				continue
			}
			clear(r.prev)
			for y := passStartRow[pass]; y < h; y += passRowInc[pass] {
				row, ok, err := r.next(n)
				if err != nil {
					return 0, err
				}
				if !ok {
					return src.chunkEnd(), nil
				}
				emit(out, row, y, passStartCol[pass], passColInc[pass], pw)
			}
		}
	}
	if err := probeEnd(z); err != nil {
		return 0, err
	}
	return src.chunkEnd(), nil
}

// probeEnd looks one byte past the image data. Pillow's zlib reads on
// past the last row within the same call, so a bad Adler-32 checksum right
// after it is an error there and here. Corrupt deflate data right after it
// is not checked: zlib stops at some of those (a match reaching too far
// back) and not at others, and Go's inflater does not say which kind it
// met, so this accepts them all, the choice that agrees with Pillow most
// often on damaged files. More data, a missing trailer or the end of the
// file are fine, as they are for Pillow.
func probeEnd(z io.Reader) error {
	var one [1]byte
	n, err := z.Read(one[:])
	if n == 0 && errors.Is(err, zlib.ErrChecksum) {
		return formatErr("broken zlib stream after the image data: %v", err)
	}
	return nil
}
