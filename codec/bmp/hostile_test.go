package bmp_test

import (
	"encoding/binary"
	"testing"
)

// mkBMP builds a BMP with a 40-byte info header, an optional palette and
// the given pixel data.
func mkBMP(w, h int32, bits, comp uint16, palette, pixels []byte) []byte {
	off := uint32(14 + 40 + len(palette))
	out := []byte("BM")
	out = binary.LittleEndian.AppendUint32(out, off+uint32(len(pixels)))
	out = binary.LittleEndian.AppendUint32(out, 0)
	out = binary.LittleEndian.AppendUint32(out, off)
	out = binary.LittleEndian.AppendUint32(out, 40)
	out = binary.LittleEndian.AppendUint32(out, uint32(w))
	out = binary.LittleEndian.AppendUint32(out, uint32(h))
	out = binary.LittleEndian.AppendUint16(out, 1)
	out = binary.LittleEndian.AppendUint16(out, bits)
	out = binary.LittleEndian.AppendUint32(out, uint32(comp))
	out = append(out, make([]byte, 12)...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(palette)/4))
	out = binary.LittleEndian.AppendUint32(out, 0)
	out = append(out, palette...)
	return append(out, pixels...)
}

// ramp returns n bytes counting up.
func ramp(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 37)
	}
	return b
}

// TestHugeHeaderRefused checks that a header declaring 100000x100000 is
// refused with ErrTooLarge before anything large is allocated, whether the
// rows are raw or RLE.
func TestHugeHeaderRefused(t *testing.T) {
	for name, data := range map[string][]byte{
		"raw": hugeHeader(),
		"rle": mkBMP(100000, -100000, 8, 1, ramp(1024), []byte{0, 1}),
	} {
		t.Run(name, func(t *testing.T) { bmpCodec.RefusesHuge(t, data) })
	}
}

// TestTruncatedNeverPanics cuts 24-bit, paletted and RLE files at every
// length: no panic, every error wraps ErrFormat, and a cut inside the
// pixel rows of a raw file is an error (RLE rows may end early).
func TestTruncatedNeverPanics(t *testing.T) {
	rle := []byte{3, 7, 0, 3, 1, 2, 3, 0, 2, 9, 0, 0, 5, 4, 0, 2, 1, 0, 5, 5, 0, 0, 0, 1}
	files := map[string][]byte{
		"bgr":  mkBMP(5, 3, 24, 0, nil, ramp(3*16)),
		"p8":   mkBMP(5, -3, 8, 0, ramp(1024), ramp(3*8)),
		"rle8": mkBMP(5, 3, 8, 1, ramp(1024), rle),
	}
	for name, data := range files {
		t.Run(name, func(t *testing.T) {
			bmpCodec.Truncations(t, data, func(n int) bool { return n < len(data)-8 && name != "rle8" })
		})
	}
}
