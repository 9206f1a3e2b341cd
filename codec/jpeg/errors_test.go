package jpeg_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/codec/jpeg"
)

// readFixture returns a file of testdata.
func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestTruncatedFilesFail cuts files short: the decoder must report an
// error wrapping codec.ErrFormat rather than invent pixels. A single-scan
// file may lose its EOI marker (Pillow accepts that); a multi-scan file may
// not, as Pillow then reports a truncated image.
func TestTruncatedFilesFail(t *testing.T) {
	for _, tc := range []struct {
		name string
		keep int // trailing bytes whose loss is tolerated
	}{
		{"h1v2.jpg", 8},
		{"restart-3-blocks-422.jpg", 8},
		{"smooth-refine-420.jpg", 0},
		{"restart-progressive.jpg", 0},
	} {
		data := readFixture(t, tc.name)
		for n := 0; n < len(data)-tc.keep; n++ {
			_, err := jpeg.Decode(data[:n], codec.DefaultLimits)
			if !errors.Is(err, codec.ErrFormat) {
				t.Fatalf("%s cut to %d of %d bytes: got %v, want ErrFormat", tc.name, n, len(data), err)
			}
		}
	}
	// The EOI marker of a single-scan file is optional.
	data := readFixture(t, "h1v2.jpg")
	if _, err := jpeg.Decode(data[:len(data)-2], codec.DefaultLimits); err != nil {
		t.Errorf("single-scan file without EOI: %v", err)
	}
}

// TestLimits checks that the frame size is refused before decoding.
func TestLimits(t *testing.T) {
	data := readFixture(t, "h1v2.jpg") // 33x65
	for _, lim := range []codec.Limits{
		{MaxPixels: 33*65 - 1, MaxDimension: 1000},
		{MaxPixels: 1 << 20, MaxDimension: 64},
	} {
		if _, err := jpeg.Decode(data, lim); !errors.Is(err, codec.ErrTooLarge) {
			t.Errorf("limits %+v: got %v, want ErrTooLarge", lim, err)
		}
	}
	if _, err := jpeg.Decode(data, codec.Limits{MaxPixels: 33 * 65, MaxDimension: 65}); err != nil {
		t.Errorf("image exactly at the limits: %v", err)
	}
}

// header builds SOI, a DQT and a SOF marker for a w x h frame with the given
// precision and component sampling bytes.
func header(sof byte, prec byte, w, h int, samp ...byte) []byte {
	b := []byte{0xFF, 0xD8, 0xFF, 0xDB, 0, 67, 0}
	for i := 0; i < 64; i++ {
		b = append(b, 1)
	}
	n := len(samp)
	b = append(b, 0xFF, sof, 0, byte(8+3*n), prec, byte(h>>8), byte(h), byte(w>>8), byte(w), byte(n))
	for i, s := range samp {
		b = append(b, byte(i+1), s, 0)
	}
	return b
}

// TestHeaderErrors checks the errors of malformed or unsupported headers.
func TestHeaderErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, codec.ErrFormat},
		{"not jpeg", []byte("\x89PNG\r\n\x1a\n...."), codec.ErrFormat},
		{"two components", header(0xC0, 8, 8, 8, 0x11, 0x11), codec.ErrUnsupported},
		{"12-bit", header(0xC0, 12, 8, 8, 0x11), codec.ErrUnsupported},
		{"lossless", header(0xC3, 8, 8, 8, 0x11), codec.ErrUnsupported},
		{"arithmetic", header(0xC9, 8, 8, 8, 0x11), codec.ErrUnsupported},
		{"zero height", header(0xC0, 8, 8, 0, 0x11), codec.ErrFormat},
		{"bad sampling", header(0xC0, 8, 8, 8, 0x51), codec.ErrFormat},
		{"no SOF", []byte{0xFF, 0xD8, 0xFF, 0xD9}, codec.ErrFormat},
	} {
		if _, err := jpeg.DecodeConfig(tc.data); !errors.Is(err, tc.want) {
			t.Errorf("%s: DecodeConfig got %v, want %v", tc.name, err, tc.want)
		}
		if _, err := jpeg.Decode(tc.data, codec.DefaultLimits); !errors.Is(err, tc.want) {
			t.Errorf("%s: Decode got %v, want %v", tc.name, err, tc.want)
		}
	}
	// A fractional sampling ratio passes the header but cannot be upsampled.
	frac := append(header(0xC0, 8, 8, 8, 0x31, 0x21, 0x11), 0xFF, 0xDA, 0, 12, 3, 1, 0, 2, 0, 3, 0, 0, 63, 0)
	if _, err := jpeg.Decode(frac, codec.DefaultLimits); !errors.Is(err, codec.ErrUnsupported) {
		t.Errorf("fractional sampling: got %v, want ErrUnsupported", err)
	}
}

// TestTooManyScans builds a progressive 8x8 grey file with more DC scans
// than the decoder accepts; each scan codes a zero DC difference with the
// standard luminance DC table.
func TestTooManyScans(t *testing.T) {
	build := func(scans int) []byte {
		b := header(0xC2, 8, 8, 8, 0x11)
		for i := 0; i < scans; i++ {
			b = append(b, 0xFF, 0xDA, 0, 8, 1, 1, 0x00, 0, 0, 0, 0x3F)
		}
		return append(b, 0xFF, 0xD9)
	}
	img, err := jpeg.Decode(build(3), codec.DefaultLimits)
	if err != nil {
		t.Fatalf("3 scans: %v", err)
	}
	// DC 0 with a flat quantiser decodes to mid grey.
	if !bytes.Equal(img.RGB, bytes.Repeat([]byte{128}, 8*8*3)) {
		t.Errorf("3 scans: unexpected pixels %v", img.RGB[:6])
	}
	if _, err := jpeg.Decode(build(1000), codec.DefaultLimits); !errors.Is(err, codec.ErrTooLarge) {
		t.Errorf("1000 scans: got %v, want ErrTooLarge", err)
	}
}

// TestHugeFrameTinyData checks that a single-scan file far too short for
// its declared frame is refused before the sample planes are allocated.
func TestHugeFrameTinyData(t *testing.T) {
	data := header(0xC0, 8, 4096, 4096, 0x22, 0x11, 0x11)
	data = append(data, 0xFF, 0xDA, 0, 12, 3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0)
	data = append(data, bytes.Repeat([]byte{0x55}, 1000)...)
	data = append(data, 0xFF, 0xD9)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := jpeg.Decode(data, codec.DefaultLimits)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, codec.ErrFormat) {
		t.Fatalf("got %v, want ErrFormat", err)
	}
	if grown := after.TotalAlloc - before.TotalAlloc; grown > 1<<20 {
		t.Errorf("allocated %d bytes before refusing the file", grown)
	}
}
