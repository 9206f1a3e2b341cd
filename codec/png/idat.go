package png

import "io"

// idatReader presents the data of consecutive IDAT/DDAT/fdAT chunks as one
// stream, as Pillow's load_read does: CRCs are skipped unchecked, an fdAT's
// sequence number is checked and skipped, and the first other chunk ends
// the stream. It implements io.ByteReader so the inflater reads it directly,
// without a bufio wrapper.
type idatReader struct {
	s   *scanner
	cur chunk // chunk being read
	pos int64 // next byte to read
}

// newIDATReader starts at the scanner's first data chunk.
func newIDATReader(s *scanner) *idatReader {
	return &idatReader{s: s, cur: s.first, pos: int64(s.first.data) + s.skip}
}

// ReadByte returns the next byte of the data stream.
func (r *idatReader) ReadByte() (byte, error) {
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
func (r *idatReader) Read(p []byte) (int, error) {
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
func (r *idatReader) fill() error {
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
func (r *idatReader) next() error {
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
func (r *idatReader) chunkEnd() int64 { return r.cur.end() }
