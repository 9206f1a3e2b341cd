package png

import (
	"bytes"
	"compress/zlib"
	"errors"
	"io"
	"sync"
)

// zlibPool recycles zlib readers (each holds a ~40 KiB inflate window).
var zlibPool sync.Pool

// openZlib returns a zlib reader over r, reusing a pooled one when possible.
// The header is read at once, so a bad header is reported here.
func openZlib(r io.Reader) (io.ReadCloser, error) {
	if z, ok := zlibPool.Get().(io.ReadCloser); ok {
		if err := z.(zlib.Resetter).Reset(r, nil); err != nil {
			zlibPool.Put(z)
			return nil, err
		}
		return z, nil
	}
	return zlib.NewReader(r)
}

// releaseZlib returns a reader to the pool.
func releaseZlib(z io.ReadCloser) {
	if z != nil {
		zlibPool.Put(z)
	}
}

// inflateText decompresses a text or ICC payload as Pillow's
// _safe_zlib_decompress does. It returns the decompressed length and, when
// keep is set, the text; over reports more than maxTextChunk bytes of
// output. A zlib error (Pillow then drops the text) gives n == 0 and a nil
// text; a stream merely cut short gives its partial text. err reports the
// file's inflation budget exhausted.
func (s *scanner) inflateText(b []byte, keep bool) (n int, text []byte, over bool, err error) {
	z, zerr := openZlib(bytes.NewReader(b))
	if zerr != nil {
		return 0, nil, false, nil
	}
	defer releaseZlib(z)
	var dst io.Writer = io.Discard
	var buf bytes.Buffer
	if keep {
		dst = &buf
	}
	got, zerr := io.CopyN(dst, z, maxTextChunk+1)
	s.inflated += got
	if s.inflated > maxInflated {
		return 0, nil, false, formatErr("compressed ancillary chunks inflate to more than %d bytes in total", maxInflated)
	}
	if got > maxTextChunk {
		return 0, nil, true, nil
	}
	if zerr != nil && zerr != io.EOF && !errors.Is(zerr, io.ErrUnexpectedEOF) {
		return 0, nil, false, nil
	}
	if keep {
		text = append([]byte{}, buf.Bytes()...)
	}
	return int(got), text, false, nil
}
