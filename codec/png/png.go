package png

import (
	"fmt"

	"github.com/starlight/dataserver/codec"
)

// DecodeConfig reads the chunks before the first IDAT and returns the mode
// and size Pillow reports, without inflating anything.
func DecodeConfig(data []byte) (cfg codec.Config, err error) {
	s, err := scanHeader(data, false)
	if err != nil {
		return codec.Config{}, err
	}
	return s.config(), nil
}

// Decode decodes the image and converts it as Pillow's convert("RGB") does.
// lim is checked against the header's size before any pixel buffer exists.
func Decode(data []byte, lim codec.Limits) (img *codec.Image, err error) {
	s, err := scanHeader(data, true)
	if err != nil {
		return nil, err
	}
	cfg := s.config()
	if err := lim.Check(cfg.Width, cfg.Height); err != nil {
		return nil, fmt.Errorf("png: %w", err)
	}
	lut, palette, err := s.paletteLUT()
	if err != nil {
		return nil, err
	}
	out := newOutput(cfg)
	end, err := decodePixels(s, out)
	if err != nil {
		return nil, err
	}
	if err := s.scanTrailer(end); err != nil {
		return nil, err
	}
	img = &codec.Image{Config: cfg, RGB: out.rgb, Alpha: out.alpha}
	if cfg.Mode == codec.ModeP {
		img.Index = out.index
		img.Palette = palette
		expandIndex(out.rgb, out.index, lut)
	}
	return img, nil
}

// formatErr returns an error wrapping codec.ErrFormat, prefixed "png: ".
func formatErr(format string, args ...any) error {
	return codec.Errorf("png: "+format, args...)
}
