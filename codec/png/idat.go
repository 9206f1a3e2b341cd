package png

import (
	"compress/zlib"
	"encoding/binary"
	"io"
	"sync"
)

// idatStream is the data of consecutive IDAT/DDAT/fdAT chunks as one
// slice, as Pillow's load_read presents it: CRCs are skipped unchecked, an
// fdAT's sequence number is checked and skipped, and the first other
// chunk ends the stream. Gathering has no effect on the scanner: commit
// applies the fdAT sequence numbers of the chunks the decoder really read.
type idatStream struct {
	data   []byte
	segs   []idatSeg
	endErr error // what reading past data reports; io.EOF at a chunk of another type
	buf    *[]byte
}

// idatSeg is one data chunk of the stream.
type idatSeg struct {
	start int   // offset of its first data byte in data
	c     chunk // the chunk
	seq   int64 // the scanner's sequence number once it is read
}

var streamPool = sync.Pool{New: func() any { return new([]byte) }}

// gatherIDAT collects the data chunks from the scanner's first one.
func gatherIDAT(s *scanner) *idatStream {
	st := &idatStream{}
	c, p, seq := s.first, int64(s.first.data)+s.skip, s.seq
	type span struct{ from, to int64 }
	var spans []span
	size := 0
	for {
		end := min(c.end(), int64(len(s.data)))
		st.segs = append(st.segs, idatSeg{start: size, c: c, seq: seq})
		if p < end {
			spans = append(spans, span{p, end})
			size += int(end - p)
		}
		if c.end() > int64(len(s.data)) {
			st.endErr = formatErr("truncated file: image data ends at offset %d", len(s.data))
			break
		}
		next, err := readChunk(s.data, c.end()+4)
		if err != nil {
			st.endErr = err
			break
		}
		if next.typ == typeFDAT {
			if seq, err = s.nextSequence(next, seq); err != nil {
				st.endErr = err
				break
			}
			c, p = next, int64(next.data)+4
			continue
		}
		if next.typ != typeIDAT && next.typ != typeDDAT {
			st.endErr = io.EOF
			break
		}
		c, p = next, int64(next.data)
	}
	switch len(spans) {
	case 0:
	case 1:
		st.data = s.data[spans[0].from:spans[0].to]
	default:
		st.buf = streamPool.Get().(*[]byte)
		d := (*st.buf)[:0]
		for _, sp := range spans {
			d = append(d, s.data[sp.from:sp.to]...)
		}
		st.data, *st.buf = d, d
	}
	return st
}

// release returns the stream's buffer to its pool.
func (st *idatStream) release() {
	if st.buf != nil {
		streamPool.Put(st.buf)
		st.buf = nil
	}
}

// readErr is what reading past the data gives a reader wanting more, as
// compress/zlib reports it.
func (st *idatStream) readErr() error {
	if st.endErr == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return st.endErr
}

// zlibHeader checks the zlib header as compress/zlib does and returns its
// length.
func (st *idatStream) zlibHeader() (int, error) {
	d := st.data
	if len(d) < 2 {
		return 0, st.readErr()
	}
	if d[0]&0x0f != 8 || d[0]>>4 > 7 || binary.BigEndian.Uint16(d)%31 != 0 {
		return 0, zlib.ErrHeader
	}
	if d[1]&0x20 == 0 {
		return 2, nil
	}
	// A preset dictionary: compress/zlib is given none, whose Adler-32 is 1.
	if len(d) < 6 {
		return 0, st.readErr()
	}
	if binary.BigEndian.Uint32(d[2:]) != 1 {
		return 0, zlib.ErrDictionary
	}
	return 6, nil
}

// trailer reads the Adler-32 at offset at, as compress/zlib does once the
// deflate data end: io.EOF when it matches sum (the inflated bytes'
// Adler-32), zlib.ErrChecksum when not, the read error when the data end
// first. It returns the offset after what it read, len(data)+1 when it
// asked for more than there is.
func (st *idatStream) trailer(at int, sum uint32) (int, error) {
	if at+4 > len(st.data) {
		return len(st.data) + 1, st.readErr()
	}
	if binary.BigEndian.Uint32(st.data[at:]) != sum {
		return at + 4, zlib.ErrChecksum
	}
	return at + 4, io.EOF
}

// commit records the fdAT chunks read once the decoder has read n bytes of
// the stream, and returns where the chunk holding the last of them ends.
// A reader that asked for more than the data (n == len(data)+1) went
// through every chunk gathered, empty or cut short ones included.
func (st *idatStream) commit(s *scanner, n int) int64 {
	k := 0
	for i, sg := range st.segs {
		if sg.start < n {
			k = i
		}
	}
	s.seq = st.segs[k].seq
	return st.segs[k].c.end()
}
