package webp

import (
	"fmt"

	"github.com/starlight/dataserver/codec"
)

// DecodeConfig returns the format, mode and canvas size of a WebP file
// without decoding pixels: the container is walked and the bitstream
// headers read, as Pillow's Image.open does.
func DecodeConfig(data []byte) (cfg codec.Config, err error) {
	c, err := parse(data)
	if err != nil {
		return codec.Config{}, err
	}
	return c.config(), nil
}

// Decode decodes the first frame of a WebP file to Pillow's RGB (and, for
// mode RGBA, its full alpha plane). The canvas size is checked against lim
// before any pixel buffer is allocated.
func Decode(data []byte, lim codec.Limits) (img *codec.Image, err error) {
	c, err := parse(data)
	if err != nil {
		return nil, err
	}
	if err := lim.Check(c.width, c.height); err != nil {
		return nil, fmt.Errorf("webp: %w", err)
	}
	w, h := c.width, c.height
	out := &codec.Image{Config: c.config(), RGB: make([]uint8, 3*w*h)}
	if c.hasAlpha {
		out.Alpha = make([]uint8, w*h)
	}
	f := &c.frame
	rgb := out.RGB[3*(f.y*w+f.x):]
	var alpha []uint8
	if out.Alpha != nil {
		alpha = out.Alpha[f.y*w+f.x:]
	}
	if f.lossless {
		err = decodeVP8L(f, rgb, 3*w, alpha, w)
	} else if err = decodeVP8(f, rgb, 3*w); err == nil {
		err = lossyAlpha(f, alpha, w)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// lossyAlpha fills the alpha of a lossy frame: its ALPH plane, or opaque
// when it has none. alpha is nil when the mode has no alpha; the ALPH chunk
// is still decoded then, since libwebp fails the frame on a broken one.
func lossyAlpha(f *frame, alpha []uint8, stride int) error {
	fw, fh := f.info.width, f.info.height
	if f.alph == nil {
		if alpha != nil {
			for y := 0; y < fh; y++ {
				row := alpha[y*stride : y*stride+fw]
				for x := range row {
					row[x] = 0xff
				}
			}
		}
		return nil
	}
	if alpha != nil && stride == fw {
		return decodeAlpha(f.alph, fw, fh, alpha)
	}
	plane := make([]uint8, fw*fh)
	if err := decodeAlpha(f.alph, fw, fh, plane); err != nil {
		return err
	}
	if alpha != nil {
		for y := 0; y < fh; y++ {
			copy(alpha[y*stride:y*stride+fw], plane[y*fw:y*fw+fw])
		}
	}
	return nil
}

// config is the codec.Config Pillow reports for the container.
func (c *container) config() codec.Config {
	mode := codec.ModeRGB
	if c.hasAlpha {
		mode = codec.ModeRGBA
	}
	return codec.Config{Format: codec.FormatWEBP, Mode: mode, Width: c.width, Height: c.height}
}
