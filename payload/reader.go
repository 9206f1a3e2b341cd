package payload

import (
	"errors"
	"fmt"
	"io"

	"github.com/starlight/dataserver/codec"
)

// ErrNoPlane reports an image that lacks the plane an extractor reads
// (no alpha channel, not paletted).
var ErrNoPlane = errors.New("payload: image has no such plane")

// Reader packs the least significant bits of a plane, one bit per element in
// order, into bytes, reading only as many elements as the bytes asked for.
type Reader struct {
	plane []uint8
	order Order
	pos   int
}

// NewReader returns a Reader over the LSBs of plane packed in order o.
func NewReader(plane []uint8, o Order) *Reader {
	return &Reader{plane: plane, order: o}
}

// ReadByte returns the next 8 bits as a byte, or io.EOF when fewer than 8 remain.
func (r *Reader) ReadByte() (byte, error) {
	if len(r.plane)-r.pos < 8 {
		return 0, io.EOF
	}
	bits := r.plane[r.pos : r.pos+8 : r.pos+8]
	r.pos += 8
	var b byte
	if r.order == LSBFirst {
		for i, v := range bits {
			b |= (v & 1) << i
		}
	} else {
		for _, v := range bits {
			b = b<<1 | v&1
		}
	}
	return b, nil
}

// Read fills p with the next bytes; it returns io.EOF once no whole byte remains.
func (r *Reader) Read(p []byte) (int, error) {
	for i := range p {
		b, err := r.ReadByte()
		if err != nil {
			if i == 0 {
				return 0, err
			}
			return i, nil
		}
		p[i] = b
	}
	return len(p), nil
}

// Plane returns the plane whose LSBs method m reads from img: the alpha
// values (Alpha), the raw palette indices (Palette) or the interleaved RGB
// bytes, R0,G0,B0,R1,... (LSBRGB). It returns an error wrapping ErrNoPlane
// when the image lacks that plane, and an error for EXIF and Raw, which read
// the file rather than its pixels.
func Plane(img *codec.Image, m Method) ([]uint8, error) {
	if img == nil {
		return nil, fmt.Errorf("%w: no image", ErrNoPlane)
	}
	n := img.Width * img.Height
	var p []uint8
	switch m {
	case Alpha:
		p = img.Alpha
	case Palette:
		p = img.Index
	case LSBRGB:
		p, n = img.RGB, 3*n
	default:
		return nil, fmt.Errorf("payload: %s does not read pixels", m)
	}
	if p == nil {
		return nil, fmt.Errorf("%w: %s mode %s has no %s plane", ErrNoPlane, img.Format, img.Mode, m)
	}
	if len(p) != n {
		return nil, fmt.Errorf("payload: %s plane holds %d values, want %d", m, len(p), n)
	}
	return p, nil
}

// Pixels returns up to max bytes (MaxLen when max <= 0) of the payload that
// method m hides in img's pixels, packed in order o. Alpha payloads are
// LSB-first by the spec, so callers pass LSBFirst for Alpha.
func Pixels(img *codec.Image, m Method, o Order, max int) ([]byte, error) {
	p, err := Plane(img, m)
	if err != nil {
		return nil, err
	}
	if max <= 0 || max > MaxLen {
		max = MaxLen
	}
	if n := len(p) / 8; n < max {
		max = n
	}
	out := make([]byte, max)
	n, _ := NewReader(p, o).Read(out)
	return out[:n], nil
}
