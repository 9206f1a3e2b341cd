package png

// The decoder before the inflater of inflater.go, kept as the oracle the
// inflater is compared with (TestInflaterMatchesStdlib, FuzzInflaterMatchesStdlib):
// compress/zlib reading the data chunks through a byte reader.

import (
	"compress/zlib"
	"errors"
	"io"
)

// stdIDATReader presents the data of consecutive IDAT/DDAT/fdAT chunks as one
// stream, as Pillow's load_read does: CRCs are skipped unchecked, an fdAT's
// sequence number is checked and skipped, and the first other chunk ends
// the stream. It implements io.ByteReader so the inflater reads it directly,
// without a bufio wrapper.
type stdIDATReader struct {
	s   *scanner
	cur chunk // chunk being read
	pos int64 // next byte to read
}

// newStdIDATReader starts at the scanner's first data chunk.
func newStdIDATReader(s *scanner) *stdIDATReader {
	return &stdIDATReader{s: s, cur: s.first, pos: int64(s.first.data) + s.skip}
}

// ReadByte returns the next byte of the data stream.
func (r *stdIDATReader) ReadByte() (byte, error) {
	if r.pos >= r.cur.end() || r.pos >= int64(len(r.s.data)) {
		if err := r.fill(); err != nil {
			return 0, err
		}
	}
	b := r.s.data[r.pos]
	r.pos++
	return b, nil
}

// Read fills p from the data stream.
func (r *stdIDATReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		end := r.cur.end()
		if end > int64(len(r.s.data)) {
			end = int64(len(r.s.data))
		}
		if r.pos >= end {
			if n > 0 {
				return n, nil
			}
			if err := r.fill(); err != nil {
				return 0, err
			}
			continue
		}
		k := copy(p[n:], r.s.data[r.pos:end])
		r.pos += int64(k)
		n += k
	}
	return n, nil
}

// fill makes at least one byte readable at pos: it moves past exhausted
// chunks and reports the end of the stream or a truncated file.
func (r *stdIDATReader) fill() error {
	for {
		if r.pos < r.cur.end() {
			if r.pos >= int64(len(r.s.data)) {
				return formatErr("truncated file: image data ends at offset %d", len(r.s.data))
			}
			return nil
		}
		if err := r.next(); err != nil {
			return err
		}
	}
}

// next moves to the following chunk if it carries image data, and returns
// io.EOF when it does not.
func (r *stdIDATReader) next() error {
	c, err := readChunk(r.s.data, r.cur.end()+4)
	if err != nil {
		return err
	}
	switch c.typ {
	case typeIDAT, typeDDAT:
		r.cur, r.pos = c, int64(c.data)
	case typeFDAT:
		if err := r.s.fdatSequence(c); err != nil {
			return err
		}
		r.cur, r.pos = c, int64(c.data)+4
	default:
		return io.EOF
	}
	return nil
}

// chunkEnd returns where the chunk being read ends, for load_end's walk.
func (r *stdIDATReader) chunkEnd() int64 { return r.cur.end() }

// stdRowReader inflates rows and reverses their filters.
type stdRowReader struct {
	z         io.Reader
	cur, prev []byte
	bpp       int
	rows      int // rows read so far
}

// next reads and unfilters one row of n bytes. It returns ok == false when
// the zlib stream ended cleanly just before this row, which Pillow accepts
// once at least one row was decoded.
func (r *stdRowReader) next(n int) (row []byte, ok bool, err error) {
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

// decodePixelsStd inflates the image data into out and returns where the
// data chunk being read when the image was complete ends.
func decodePixelsStd(s *scanner, out *output) (int64, error) {
	x0, y0, w, h, err := s.tile()
	if err != nil {
		return 0, err
	}
	src := newStdIDATReader(s)
	z, err := openZlib(src)
	if err != nil {
		return 0, inflateErr(err)
	}
	defer releaseZlib(z)
	bits := s.bitsPerPixel()
	rowLen := (w*bits + 7) / 8
	r := &stdRowReader{z: z, cur: make([]byte, rowLen+1), prev: make([]byte, rowLen+1), bpp: (bits + 7) / 8}
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
	if err := stdProbeEnd(z); err != nil {
		return 0, err
	}
	return src.chunkEnd(), nil
}

// stdProbeEnd looks one byte past the image data. Pillow's zlib reads on
// past the last row within the same call, so a bad Adler-32 checksum right
// after it is an error there and here. Corrupt deflate data right after it
// is not checked: zlib stops at some of those (a match reaching too far
// back) and not at others, and Go's inflater does not say which kind it
// met, so this accepts them all, the choice that agrees with Pillow most
// often on damaged files. More data, a missing trailer or the end of the
// file are fine, as they are for Pillow.
func stdProbeEnd(z io.Reader) error {
	var one [1]byte
	n, err := z.Read(one[:])
	if n == 0 && errors.Is(err, zlib.ErrChecksum) {
		return formatErr("broken zlib stream after the image data: %v", err)
	}
	return nil
}
