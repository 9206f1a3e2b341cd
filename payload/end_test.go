package payload

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"

	"golang.org/x/image/bmp"

	"github.com/starlight/dataserver/codec"
)

// gradient returns a small RGB test picture.
func gradient() image.Image {
	m := image.NewRGBA(image.Rect(0, 0, 37, 23))
	for y := 0; y < 23; y++ {
		for x := 0; x < 37; x++ {
			m.Set(x, y, color.RGBA{uint8(7 * x), uint8(11 * y), uint8(x * y), 255})
		}
	}
	return m
}

// encoded returns the test picture in each format the standard encoders
// write, plus a hand-made WebP container.
func encoded(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	var b bytes.Buffer
	if err := png.Encode(&b, gradient()); err != nil {
		t.Fatal(err)
	}
	out["png"] = append([]byte(nil), b.Bytes()...)
	b.Reset()
	if err := jpeg.Encode(&b, gradient(), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	out["jpeg"] = append([]byte(nil), b.Bytes()...)
	b.Reset()
	if err := gif.Encode(&b, gradient(), nil); err != nil {
		t.Fatal(err)
	}
	out["gif"] = append([]byte(nil), b.Bytes()...)
	b.Reset()
	if err := bmp.Encode(&b, gradient()); err != nil {
		t.Fatal(err)
	}
	out["bmp"] = append([]byte(nil), b.Bytes()...)
	out["webp"] = webpContainer([]byte("VP8L"), make([]byte, 30))
	return out
}

// webpContainer builds a RIFF WebP holding one chunk.
func webpContainer(fourcc, body []byte) []byte {
	chunk := append(append([]byte(nil), fourcc...), 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(chunk[4:], uint32(len(body)))
	chunk = append(chunk, body...)
	out := []byte("RIFF\x00\x00\x00\x00WEBP")
	binary.LittleEndian.PutUint32(out[4:], uint32(4+len(chunk)))
	return append(out, chunk...)
}

func TestEndOfImage(t *testing.T) {
	for name, data := range encoded(t) {
		end, err := End(data)
		if err != nil || end != len(data) {
			t.Errorf("%s: End = %d, %v; want %d", name, end, err, len(data))
			continue
		}
		if f, ok := DetectTail(data); ok {
			t.Errorf("%s: tail found in a plain file: %+v", name, f)
		}
		appended := append(append([]byte(nil), data...), "hidden after the end\x00"...)
		tail, err := Tail(appended, 0)
		if err != nil || string(tail) != "hidden after the end\x00" {
			t.Errorf("%s: Tail = %q, %v", name, tail, err)
		}
		if _, ok := DetectTail(appended); !ok {
			t.Errorf("%s: appended text not detected", name)
		}
		zeros := append(append([]byte(nil), data...), make([]byte, 64)...)
		if f, ok := DetectTail(zeros); ok {
			t.Errorf("%s: zero padding counted as a payload: %+v", name, f)
		}
		for _, cut := range []int{1, 2, len(data) / 2} {
			if _, err := End(data[:len(data)-cut]); !errors.Is(err, ErrTruncated) {
				t.Errorf("%s cut by %d: End error = %v, want ErrTruncated", name, cut, err)
			}
		}
	}
}

func TestEndNotImage(t *testing.T) {
	for _, d := range [][]byte{nil, []byte("hello"), []byte("\x89PNG\r\n\x1a\n")} {
		if _, err := End(d); err == nil {
			t.Errorf("End(%q): no error", d)
		}
	}
	if _, err := End([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00\x99")); !errors.Is(err, codec.ErrFormat) {
		t.Errorf("GIF with unknown block: %v", err)
	}
}

// exifJPEG wraps a JPEG with an APP1 Exif segment whose Exif IFD holds a
// UserComment of the given value.
func exifJPEG(t *testing.T, jpg, comment []byte) []byte {
	t.Helper()
	le := binary.LittleEndian
	tiff := []byte("II*\x00\x08\x00\x00\x00")
	// IFD0 at 8: one entry, the Exif IFD pointer; next IFD 0.
	ifd0 := make([]byte, 2+12+4)
	le.PutUint16(ifd0, 1)
	le.PutUint16(ifd0[2:], 0x8769)
	le.PutUint16(ifd0[4:], 4)
	le.PutUint32(ifd0[6:], 1)
	le.PutUint32(ifd0[10:], uint32(8+len(ifd0)))
	tiff = append(tiff, ifd0...)
	exif := make([]byte, 2+12+4)
	le.PutUint16(exif, 1)
	le.PutUint16(exif[2:], 0x9286)
	le.PutUint16(exif[4:], 7)
	le.PutUint32(exif[6:], uint32(len(comment)))
	le.PutUint32(exif[10:], uint32(len(tiff)+len(exif)))
	tiff = append(append(tiff, exif...), comment...)
	seg := append([]byte("Exif\x00\x00"), tiff...)
	app1 := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(app1[2:], uint16(2+len(seg)))
	out := append([]byte{0xFF, 0xD8}, app1...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

func TestUserComment(t *testing.T) {
	jpg := encoded(t)["jpeg"]
	if _, err := UserComment(jpg); !errors.Is(err, ErrNoEXIF) {
		t.Errorf("plain JPEG: %v, want ErrNoEXIF", err)
	}
	data := exifJPEG(t, jpg, []byte("ASCII\x00\x00\x00"+poem))
	c, err := UserComment(data)
	if err != nil || string(c) != poem {
		t.Fatalf("UserComment = %q, %v", c, err)
	}
	if f, ok := DetectComment(data); !ok || f.Method != EXIF || f.Length != len(poem) {
		t.Errorf("DetectComment = %+v, %v", f, ok)
	}
	if end, err := End(data); err != nil || end != len(data) {
		t.Errorf("End over an APP1 segment = %d, %v", end, err)
	}
	for _, blank := range []string{"ASCII\x00\x00\x00", "UNICODE\x00\x00\x00  ", "\x00\x00\x00\x00\x00\x00\x00\x00        "} {
		if f, ok := DetectComment(exifJPEG(t, jpg, []byte(blank))); ok {
			t.Errorf("blank comment %q counted: %+v", blank, f)
		}
	}
}
