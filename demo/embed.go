package demo

import (
	"fmt"
	"image"
)

// Bit orders as the sidecars name them.
const (
	lsbFirst = "lsb-first"
	msbFirst = "msb-first"
)

// ai42 is the marker that starts an alpha payload.
const ai42 = "AI42"

// bitAt returns bit i of payload, taking each byte's bits in the given order.
func bitAt(payload []byte, i int, order string) uint8 {
	b := payload[i/8]
	if order == msbFirst {
		return b >> (7 - uint(i%8)) & 1
	}
	return b >> uint(i%8) & 1
}

// embedAlpha returns a copy of img with "AI42" + text + 0x00 in the LSBs of the
// alpha channel, pixels row-major, bits LSB-first.
func embedAlpha(img *image.NRGBA, text string) (*image.NRGBA, error) {
	payload := []byte(ai42 + text + "\x00")
	b := img.Bounds()
	if n := b.Dx() * b.Dy(); 8*len(payload) > n {
		return nil, fmt.Errorf("demo: alpha payload of %d bytes does not fit %d pixels", len(payload), n)
	}
	out := cloneNRGBA(img)
	for i := range 8 * len(payload) {
		o := out.PixOffset(i%b.Dx(), i/b.Dx()) + 3
		out.Pix[o] = out.Pix[o]&^1 | bitAt(payload, i, lsbFirst)
	}
	return out, nil
}

// embedRGB returns a copy of img with text + 0x00 in the LSBs of R, G and B of
// each pixel in turn, pixels row-major, bits in the given order.
func embedRGB(img *image.NRGBA, text, order string) (*image.NRGBA, error) {
	payload := []byte(text + "\x00")
	b := img.Bounds()
	if n := 3 * b.Dx() * b.Dy(); 8*len(payload) > n {
		return nil, fmt.Errorf("demo: lsb.rgb payload of %d bytes does not fit %d channel values", len(payload), n)
	}
	out := cloneNRGBA(img)
	for i := range 8 * len(payload) {
		p := i / 3
		o := out.PixOffset(p%b.Dx(), p/b.Dx()) + i%3
		out.Pix[o] = out.Pix[o]&^1 | bitAt(payload, i, order)
	}
	return out, nil
}

// embedPalette returns a copy of img with text + 0x00 in the LSBs of the
// palette indices, pixels row-major, bits in the given order.
func embedPalette(img *image.Paletted, text, order string) (*image.Paletted, error) {
	payload := []byte(text + "\x00")
	b := img.Bounds()
	if n := b.Dx() * b.Dy(); 8*len(payload) > n {
		return nil, fmt.Errorf("demo: palette payload of %d bytes does not fit %d pixels", len(payload), n)
	}
	out := image.NewPaletted(b, img.Palette)
	copy(out.Pix, img.Pix)
	for i := range 8 * len(payload) {
		o := out.PixOffset(i%b.Dx(), i/b.Dx())
		out.Pix[o] = out.Pix[o]&^1 | bitAt(payload, i, order)
	}
	return out, nil
}

func cloneNRGBA(img *image.NRGBA) *image.NRGBA {
	out := image.NewNRGBA(img.Bounds())
	copy(out.Pix, img.Pix)
	return out
}
