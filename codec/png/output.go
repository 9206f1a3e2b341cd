package png

import "github.com/starlight/dataserver/codec"

// output holds the decoded planes: RGB always, full alpha for RGBA and LA,
// raw indices for P (whose RGB is filled from them at the end).
type output struct {
	w     int
	rgb   []byte
	alpha []byte
	index []byte
}

// newOutput allocates zeroed planes for the image, as Pillow's new image
// is zeroed before the tile is decoded into it.
func newOutput(cfg codec.Config) *output {
	n := cfg.Width * cfg.Height
	o := &output{w: cfg.Width, rgb: make([]byte, 3*n)}
	switch cfg.Mode {
	case codec.ModeRGBA, codec.ModeLA:
		o.alpha = make([]byte, n)
	case codec.ModeP:
		o.index = make([]byte, n)
	}
	return o
}

// expandIndex fills rgb from palette indices through a 256-entry table.
func expandIndex(rgb, index []byte, lut *[256][3]byte) {
	for i, v := range index {
		c := &lut[v]
		d := rgb[3*i : 3*i+3 : 3*i+3]
		d[0], d[1], d[2] = c[0], c[1], c[2]
	}
}

// paletteLUT returns the RGB table indices map through (PLTE entries, then
// Pillow 9's grey ramp) and what getpalette() returns: the PLTE entries, or
// the 256-entry ramp when the file has no PLTE.
func (s *scanner) paletteLUT() (*[256][3]byte, []byte, error) {
	if s.mode != codec.ModeP {
		return nil, nil, nil
	}
	lut := new([256][3]byte)
	for i := range lut {
		lut[i] = [3]byte{byte(i), byte(i), byte(i)}
	}
	if !s.hasPalette {
		pal := make([]byte, 768)
		for i := range pal {
			pal[i] = byte(i / 3)
		}
		return lut, pal, nil
	}
	n := len(s.palette) / 3
	if n > 256 {
		return nil, nil, formatErr("invalid palette size: PLTE has %d entries", n)
	}
	for i := 0; i < n; i++ {
		copy(lut[i][:], s.palette[3*i:])
	}
	return lut, append([]byte{}, s.palette[:3*n]...), nil
}
