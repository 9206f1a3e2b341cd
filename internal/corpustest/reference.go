package corpustest

import (
	"bytes"
	stdpng "image/png"
	"os"
	"path/filepath"
	"testing"
)

// ReferencePath returns where the reference RGB decoding of the corpus file
// rel (a lossless 8-bit RGB PNG) lives, whether or not it exists.
func ReferencePath(tb testing.TB, rel string) string {
	tb.Helper()
	return filepath.Join(Dir(tb), "reference_rgb", filepath.FromSlash(rel)+".rgb.png")
}

// ReferenceRGB returns the interleaved RGB bytes of the reference decoding
// of the corpus file rel, and false when the corpus holds none for it. The
// PNG is read with the standard library's decoder, an implementation
// independent of the decoders under test; an unreadable one fails the test.
func ReferenceRGB(tb testing.TB, rel string) ([]byte, bool) {
	tb.Helper()
	path := ReferencePath(tb, rel)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	im, err := stdpng.Decode(bytes.NewReader(data))
	if err != nil {
		tb.Fatalf("reference %s: %v", path, err)
	}
	b := im.Bounds()
	out := make([]byte, 0, 3*b.Dx()*b.Dy())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := im.At(x, y).RGBA()
			out = append(out, byte(r>>8), byte(g>>8), byte(bl>>8))
		}
	}
	return out, true
}
