package bmp

import (
	"fmt"

	"github.com/starlight/dataserver/codec"
)

// DecodeConfig reads the headers (and the palette, which decides between
// "P" and "L") and returns the mode and size Pillow reports.
func DecodeConfig(data []byte) (cfg codec.Config, err error) {
	h, err := parseHeader(data)
	if err != nil {
		return codec.Config{}, err
	}
	return h.config(), nil
}

// Decode decodes the image and converts it as Pillow's convert("RGB")
// does. lim is checked against the header's size before any pixel buffer
// exists.
func Decode(data []byte, lim codec.Limits) (img *codec.Image, err error) {
	h, err := parseHeader(data)
	if err != nil {
		return nil, err
	}
	cfg := h.config()
	if err := lim.Check(cfg.Width, cfg.Height); err != nil {
		return nil, fmt.Errorf("bmp: %w", err)
	}
	lut, palette, err := h.paletteLUT()
	if err != nil {
		return nil, err
	}
	n := h.width * h.height
	o := &output{w: h.width, rgb: make([]byte, 3*n)}
	switch h.mode {
	case codec.ModeP:
		o.index = make([]byte, n)
	case codec.ModeRGBA:
		o.alpha = make([]byte, n)
	}
	if h.rle {
		if h.mode != codec.ModeP && h.mode != codec.ModeL {
			return nil, unsupportedErr("RLE compression in a %s image (Pillow has no raw mode for it)", h.mode)
		}
		src, err := decodeRLE(data, h.offset, h.width, h.height, h.rle4)
		if err != nil {
			return nil, err
		}
		if err := o.decodeRaw(src, string(h.mode), 0, h.height, h.topDown); err != nil {
			return nil, err
		}
	} else {
		if h.offset > int64(len(data)) {
			return nil, formatErr("image file is truncated: pixel data offset %d is past the end", h.offset)
		}
		stride := ((int64(h.width)*int64(h.bits) + 31) >> 3) &^ 3
		if err := o.decodeRaw(data[h.offset:], h.rawmode, int(stride), h.height, h.topDown); err != nil {
			return nil, err
		}
	}
	img = &codec.Image{Config: cfg, RGB: o.rgb, Alpha: o.alpha}
	if h.mode == codec.ModeP {
		img.Index, img.Palette = o.index, palette
		for i, v := range o.index {
			c := lut[3*int(v) : 3*int(v)+3 : 3*int(v)+3]
			d := o.rgb[3*i : 3*i+3 : 3*i+3]
			d[0], d[1], d[2] = c[0], c[1], c[2]
		}
	}
	return img, nil
}

// config returns the mode and size.
func (h *header) config() codec.Config {
	return codec.Config{Format: codec.FormatBMP, Mode: h.mode, Width: h.width, Height: h.height}
}

// paletteLUT returns, for a P image, the 768-byte table indices map through
// (the file's entries as RGB, then Pillow 9.x's grey ramp) and what
// getpalette() returns (the file's entries). More than 256 entries is
// Pillow's "invalid palette size".
func (h *header) paletteLUT() ([]byte, []byte, error) {
	if h.mode != codec.ModeP {
		return nil, nil, nil
	}
	entries := len(h.palette) / h.padding
	if entries > 256 {
		return nil, nil, formatErr("invalid palette size: %d entries", entries)
	}
	lut := make([]byte, 768)
	for i := range lut {
		lut[i] = byte(i / 3)
	}
	pal := make([]byte, 3*entries)
	for i := 0; i < entries; i++ {
		e := h.palette[i*h.padding:]
		pal[3*i], pal[3*i+1], pal[3*i+2] = e[2], e[1], e[0]
	}
	copy(lut, pal)
	return lut, pal, nil
}

// unsupportedErr returns an error wrapping codec.ErrUnsupported, for the
// BMP variants Pillow refuses too.
func unsupportedErr(format string, args ...any) error {
	return fmt.Errorf("bmp: %w: %s", codec.ErrUnsupported, fmt.Sprintf(format, args...))
}

// formatErr returns an error wrapping codec.ErrFormat, prefixed "bmp: ".
func formatErr(format string, args ...any) error {
	return codec.Errorf("bmp: "+format, args...)
}
