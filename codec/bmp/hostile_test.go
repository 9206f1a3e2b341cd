package bmp_test

import (
	"encoding/binary"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/codec/bmp"
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

// allocated returns the bytes f allocates, averaged over runs.
func allocated(runs int, f func()) uint64 {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	for i := 0; i < runs; i++ {
		f()
	}
	runtime.ReadMemStats(&b)
	return (b.TotalAlloc - a.TotalAlloc) / uint64(runs)
}

// TestHugeHeaderRefused checks that a header declaring 100000x100000 is
// refused with ErrTooLarge before anything large is allocated, whether the
// rows are raw or RLE.
func TestHugeHeaderRefused(t *testing.T) {
	for _, data := range [][]byte{
		mkBMP(100000, 100000, 24, 0, nil, ramp(64)),
		mkBMP(100000, -100000, 8, 1, ramp(1024), []byte{0, 1}),
	} {
		_, err := bmp.Decode(data, codec.DefaultLimits)
		if !errors.Is(err, codec.ErrTooLarge) {
			t.Fatalf("Decode error %v, want ErrTooLarge", err)
		}
		allocs := testing.AllocsPerRun(100, func() { bmp.Decode(data, codec.DefaultLimits) })
		n := allocated(100, func() { bmp.Decode(data, codec.DefaultLimits) })
		if allocs > 20 || n > 4096 {
			t.Fatalf("refusing a huge header cost %.0f allocations, %d bytes", allocs, n)
		}
	}
}

// TestTruncatedNeverPanics cuts 24-bit, paletted and RLE files at every
// length: no panic, and a cut inside the pixel rows is an error.
func TestTruncatedNeverPanics(t *testing.T) {
	rle := []byte{3, 7, 0, 3, 1, 2, 3, 0, 2, 9, 0, 0, 5, 4, 0, 2, 1, 0, 5, 5, 0, 0, 0, 1}
	files := map[string][]byte{
		"bgr":  mkBMP(5, 3, 24, 0, nil, ramp(3*16)),
		"p8":   mkBMP(5, -3, 8, 0, ramp(1024), ramp(3*8)),
		"rle8": mkBMP(5, 3, 8, 1, ramp(1024), rle),
	}
	for name, data := range files {
		if _, err := bmp.Decode(data, codec.DefaultLimits); err != nil {
			t.Fatalf("%s: full file: %v", name, err)
		}
		for n := 0; n < len(data); n++ {
			_, err := bmp.Decode(data[:n], codec.DefaultLimits)
			if err != nil && strings.Contains(err.Error(), "internal decoder failure") {
				t.Fatalf("%s cut at %d: %v", name, n, err)
			}
			if n < len(data)-8 && err == nil && name != "rle8" {
				t.Fatalf("%s cut at %d of %d decoded without error", name, n, len(data))
			}
			if err != nil && !errors.Is(err, codec.ErrFormat) {
				t.Fatalf("%s cut at %d: error %v does not wrap ErrFormat", name, n, err)
			}
			if _, err := bmp.DecodeConfig(data[:n]); err != nil && strings.Contains(err.Error(), "internal") {
				t.Fatalf("%s: DecodeConfig cut at %d: %v", name, n, err)
			}
		}
	}
}
