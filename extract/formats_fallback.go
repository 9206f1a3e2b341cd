package extract

// TEMPORARY: standard-library decoders used only until the exact decoders in
// codec/* land; replaced by formats.go.

import (
	"bytes"
	"image"
	"image/color"
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"

	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/webp"

	"github.com/starlight/dataserver/codec"
)

func stdConfig(f codec.Format) func([]byte) (codec.Config, error) {
	return func(data []byte) (codec.Config, error) {
		c, _, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return codec.Config{}, codec.Errorf("%v", err)
		}
		m := codec.ModeRGB
		switch c.ColorModel {
		case color.GrayModel:
			m = codec.ModeL
		case color.NRGBAModel, color.RGBAModel, color.NRGBA64Model:
			m = codec.ModeRGBA
		case color.CMYKModel:
			m = codec.ModeCMYK
		}
		if _, ok := c.ColorModel.(color.Palette); ok {
			m = codec.ModeP
		}
		return codec.Config{Format: f, Mode: m, Width: c.Width, Height: c.Height}, nil
	}
}

func stdDecode(f codec.Format) func([]byte, codec.Limits) (*codec.Image, error) {
	return func(data []byte, lim codec.Limits) (*codec.Image, error) {
		cfg, err := stdConfig(f)(data)
		if err != nil {
			return nil, err
		}
		if err := lim.Check(cfg.Width, cfg.Height); err != nil {
			return nil, err
		}
		im, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			return nil, codec.Errorf("%v", err)
		}
		b := im.Bounds()
		out := &codec.Image{Config: cfg}
		out.Width, out.Height = b.Dx(), b.Dy()
		out.RGB = make([]uint8, 3*out.Width*out.Height)
		if cfg.Mode == codec.ModeRGBA {
			out.Alpha = make([]uint8, out.Width*out.Height)
		}
		pal, isP := im.(*image.Paletted)
		if isP {
			out.Index = make([]uint8, out.Width*out.Height)
			for _, c := range pal.Palette {
				r, g, b, _ := c.RGBA()
				out.Palette = append(out.Palette, uint8(r>>8), uint8(g>>8), uint8(b>>8))
			}
		}
		i := 0
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				c := color.NRGBAModel.Convert(im.At(x, y)).(color.NRGBA)
				out.RGB[3*i], out.RGB[3*i+1], out.RGB[3*i+2] = c.R, c.G, c.B
				if out.Alpha != nil {
					out.Alpha[i] = c.A
				}
				if isP {
					out.Index[i] = pal.ColorIndexAt(x, y)
				}
				i++
			}
		}
		return out, nil
	}
}
