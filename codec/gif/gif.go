package gif

import (
	"fmt"

	"github.com/starlight/dataserver/codec"
)

// DecodeConfig reads the header up to the first image descriptor and
// returns the mode and size Pillow reports, without decoding pixels.
func DecodeConfig(data []byte) (cfg codec.Config, err error) {
	f, err := parseHeader(data)
	if err != nil {
		return codec.Config{}, err
	}
	return f.config(), nil
}

// Decode decodes the first frame and converts it as Pillow's
// convert("RGB") does. lim is checked against the header's size before
// any pixel buffer exists.
func Decode(data []byte, lim codec.Limits) (img *codec.Image, err error) {
	f, err := parseHeader(data)
	if err != nil {
		return nil, err
	}
	if err := lim.Check(f.width, f.height); err != nil {
		return nil, fmt.Errorf("gif: %w", err)
	}
	x, y, w, h, err := f.tile()
	if err != nil {
		return nil, err
	}
	index := make([]byte, f.width*f.height)
	if f.transparent && f.transparency != 0 {
		for i := range index {
			index[i] = f.transparency
		}
	}
	d, err := newLZWDecoder(data, f.data, f.litWidth, newWriter(index, f.width, x, y, w, h, f.interlaced))
	if err != nil {
		return nil, err
	}
	if err := d.decode(f.litWidth); err != nil {
		return nil, err
	}
	img = &codec.Image{Config: f.config(), Index: index, RGB: make([]byte, 3*len(index))}
	lut := greyRamp()
	copy(lut, f.lut)
	if f.lut != nil {
		img.Palette = append([]byte{}, f.lut...)
	} else {
		img.Palette = greyRamp()
	}
	for i, v := range index {
		c := lut[3*int(v) : 3*int(v)+3 : 3*int(v)+3]
		d := img.RGB[3*i : 3*i+3 : 3*i+3]
		d[0], d[1], d[2] = c[0], c[1], c[2]
	}
	return img, nil
}

// config returns the mode and size.
func (f *frame) config() codec.Config {
	return codec.Config{Format: codec.FormatGIF, Mode: f.mode, Width: f.width, Height: f.height}
}

// greyRamp returns the 256-entry palette i,i,i: what Pillow 9.x fills
// palettes with before a file's entries, and what convert("P") gives an L
// image.
func greyRamp() []byte {
	p := make([]byte, 768)
	for i := range p {
		p[i] = byte(i / 3)
	}
	return p
}

// formatErr returns an error wrapping codec.ErrFormat, prefixed "gif: ".
func formatErr(format string, args ...any) error {
	return codec.Errorf("gif: "+format, args...)
}
