package payload

import (
	"bytes"
	"image"
	"image/png"
	"math/rand/v2"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/extract"
)

// noiseImage returns a w x h image of the given mode whose planes are
// uniform random bytes.
func noiseImage(rng *rand.Rand, mode codec.Mode, w, h int) *codec.Image {
	img := &codec.Image{Config: codec.Config{Format: codec.FormatPNG, Mode: mode, Width: w, Height: h}}
	fill := func(n int) []uint8 {
		b := make([]uint8, n)
		for i := range b {
			b[i] = uint8(rng.Uint32())
		}
		return b
	}
	img.RGB = fill(3 * w * h)
	switch mode {
	case codec.ModeRGBA:
		img.Alpha = fill(w * h)
	case codec.ModeP:
		img.Index = fill(w * h)
		img.Palette = fill(768)
	}
	return img
}

// embed writes payload into the LSBs of plane, bit by bit, in order o.
func embed(plane []uint8, payload []byte, o Order) {
	for i, b := range payload {
		for k := 0; k < 8; k++ {
			bit := b >> k & 1
			if o == MSBFirst {
				bit = b >> (7 - k) & 1
			}
			j := 8*i + k
			plane[j] = plane[j]&^1 | bit
		}
	}
}

// TestNoiseNotFlagged runs Detect over many random images of every mode and
// expects no finding: noise must never pass for a payload.
func TestNoiseNotFlagged(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 3000; i++ {
		mode := []codec.Mode{codec.ModeRGB, codec.ModeRGBA, codec.ModeP}[i%3]
		img := noiseImage(rng, mode, 16+i%50, 16+i%37)
		if f := Detect(nil, img); len(f) > 0 {
			t.Fatalf("noise image %d (%s) flagged: %+v", i, mode, f)
		}
	}
}

// TestNoisePNGNotFlagged encodes random RGBA images as real PNG files and
// checks that decoding plus Detect finds nothing, EXIF and tail included.
func TestNoisePNGNotFlagged(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 20; i++ {
		m := image.NewNRGBA(image.Rect(0, 0, 64, 48))
		for j := range m.Pix {
			m.Pix[j] = uint8(rng.Uint32())
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, m); err != nil {
			t.Fatal(err)
		}
		img, err := extract.Decode(buf.Bytes(), extract.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if f := Detect(buf.Bytes(), img); len(f) > 0 {
			t.Fatalf("noise PNG %d flagged: %+v", i, f)
		}
	}
}

const poem = "In darkness deep, we carry light,\nA single candle against the night.\n"

// TestDetectEmbedded hides text in each plane in each order and checks that
// Detect reports exactly that method and order.
func TestDetectEmbedded(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	cases := []struct {
		m    Method
		o    Order
		mode codec.Mode
		text string
		ev   Evidence
	}{
		{Alpha, LSBFirst, codec.ModeRGBA, Marker + "x", EvidenceMarker},
		{Alpha, LSBFirst, codec.ModeRGBA, poem + "\x00", EvidenceText},
		{LSBRGB, LSBFirst, codec.ModeRGB, poem + "\x00", EvidenceText},
		{LSBRGB, MSBFirst, codec.ModeRGB, poem + "\x00", EvidenceText},
		{Palette, LSBFirst, codec.ModeP, poem + "\x00", EvidenceText},
		{Palette, MSBFirst, codec.ModeP, "Ünïcödé tëxt, ßtill prïntäble\x00", EvidenceText},
	}
	for _, c := range cases {
		img := noiseImage(rng, c.mode, 64, 64)
		plane, err := Plane(img, c.m)
		if err != nil {
			t.Fatal(err)
		}
		embed(plane, []byte(c.text), c.o)
		got := Detect(nil, img)
		if len(got) != 1 || got[0].Method != c.m || got[0].Order != c.o || got[0].Evidence != c.ev {
			t.Errorf("%s %s %q: Detect = %+v", c.m, c.o, c.text[:8], got)
			continue
		}
		if c.ev == EvidenceText && got[0].Length != len(c.text)-1 {
			t.Errorf("%s %s: length %d, want %d", c.m, c.o, got[0].Length, len(c.text)-1)
		}
		p, err := Pixels(img, c.m, c.o, len(c.text))
		if err != nil || string(p) != c.text {
			t.Errorf("%s %s: Pixels = %q, %v", c.m, c.o, p, err)
		}
	}
}

// TestScanRule checks the boundaries of the text rule.
func TestScanRule(t *testing.T) {
	cases := []struct {
		in   string
		want bool
	}{
		{"exactly 16 chars\x00", true},
		{"only fifteen ch\x00", false},
		{"no terminating NUL anywhere in this text", false},
		{"AI42", true},
		{"AI4", false},
		{"\x00AI42", false},
		{"printable text \xff invalid utf8\x00", false},
		{"cut rune at NUL \xc3\x00", false},
		{"\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0fabcdefgh\x00", false},                       // 40 % printable
		{"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRS\x01\x02\x03\x04\x05\x00", true},     // 91.7 %
		{"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQR\x01\x02\x03\x04\x05\x06\x00", false}, // 90 %
	}
	for _, c := range cases {
		_, _, _, ok := Scan(bytes.NewReader([]byte(c.in)))
		if ok != c.want {
			t.Errorf("Scan(%q) = %v, want %v", c.in, ok, c.want)
		}
	}
}

// TestScanBounded feeds an endless printable stream: Scan must give up after
// MaxLen bytes.
func TestScanBounded(t *testing.T) {
	r := &countingReader{}
	if _, _, _, ok := Scan(r); ok {
		t.Fatal("endless text without NUL counted as a payload")
	}
	if r.n > MaxLen+8 {
		t.Fatalf("Scan read %d bytes, bound is %d", r.n, MaxLen)
	}
}

type countingReader struct{ n int }

func (r *countingReader) ReadByte() (byte, error) {
	r.n++
	return 'a', nil
}

// TestPixelsNoPlane checks the error for an image lacking the plane.
func TestPixelsNoPlane(t *testing.T) {
	img := noiseImage(rand.New(rand.NewPCG(7, 8)), codec.ModeRGB, 8, 8)
	for _, m := range []Method{Alpha, Palette} {
		if _, err := Pixels(img, m, LSBFirst, 0); err == nil {
			t.Errorf("%s on an RGB image: no error", m)
		}
	}
	img.Alpha = make([]uint8, 3) // wrong length must not be read
	if _, err := Pixels(img, Alpha, LSBFirst, 0); err == nil {
		t.Error("short alpha plane: no error")
	}
}
