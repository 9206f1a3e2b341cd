package extract

import (
	"fmt"
	"math"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/extract/crop"
	"github.com/starlight/dataserver/extract/meta"
)

// Options bound what one extraction may cost.
type Options struct {
	// Limits bound the decoded image; zero means codec.DefaultLimits.
	Limits codec.Limits
	// MaxFileSize is the largest file accepted in bytes; 0 means DefaultMaxFileSize.
	MaxFileSize int64
}

// DefaultMaxFileSize is the largest file accepted when Options leave it zero.
const DefaultMaxFileSize = 256 << 20

func (o Options) limits() codec.Limits {
	if o.Limits == (codec.Limits{}) {
		return codec.DefaultLimits
	}
	return o.Limits
}

// Extract decodes data and returns its six streams.
func Extract(data []byte, opt Options) (*Streams, error) {
	img, err := Decode(data, opt)
	if err != nil {
		return nil, err
	}
	return FromImage(data, img), nil
}

// FromImage builds the six streams of an image already decoded from data.
func FromImage(data []byte, img *codec.Image) *Streams {
	buf := make([]uint8, PixelLen+MetaLen+AlphaLen+PaletteLen+PaletteLSBLen)
	s := &Streams{
		Format: img.Format, Mode: img.Mode, Width: img.Width, Height: img.Height,
		Pixel:      buf[:PixelLen:PixelLen],
		Meta:       buf[PixelLen : PixelLen+MetaLen : PixelLen+MetaLen],
		AlphaFull:  buf[PixelLen+MetaLen : PixelLen+MetaLen+AlphaLen : PixelLen+MetaLen+AlphaLen],
		Palette:    buf[PixelLen+MetaLen+AlphaLen : PixelLen+MetaLen+AlphaLen+PaletteLen : PixelLen+MetaLen+AlphaLen+PaletteLen],
		PaletteLSB: buf[PixelLen+MetaLen+AlphaLen+PaletteLen:],
	}
	w, h := img.Width, img.Height
	crop.Planar(s.Pixel, img.RGB, w, h, 3)

	n := copy(s.Meta, meta.EXIF(data, img.Format))
	copy(s.Meta[n:], meta.Tail(data, img.Format))

	rgba := img.Mode == codec.ModeRGBA && len(img.Alpha) == w*h
	if rgba {
		crop.Planar(s.AlphaFull, img.Alpha, w, h, 1)
	}
	paletted := img.Palette != nil
	if paletted {
		copy(s.Palette, img.Palette)
		luma := make([]uint8, w*h) // LSB of Pillow's P->L luma
		for i := range luma {
			p := img.RGB[3*i : 3*i+3 : 3*i+3]
			luma[i] = uint8((uint32(p[0])*19595+uint32(p[1])*38470+uint32(p[2])*7471+0x8000)>>16) & 1
		}
		crop.Planar(s.PaletteLSB, luma, w, h, 1)
	}

	s.FormatVec = [VectorLen]float32{
		b2f(rgba), 0, b2f(paletted), b2f(img.Mode == codec.ModeRGB),
		float32(float64(w) / crop.Size), float32(float64(h) / crop.Size),
	}
	packed := make([]uint8, LSBLen/8)
	packBits(packed, s.Pixel)
	s.Content[0], s.Content[1], s.Content[2] = byteStats(packed)
	if rgba {
		s.FormatVec[1] = float32(stdDev(img.Alpha) / 255)
		packed = make([]uint8, (len(img.Alpha)+7)/8)
		packBits(packed, img.Alpha)
		s.Content[3], s.Content[4], s.Content[5] = byteStats(packed)
	}
	return s
}

// stdDev returns the population standard deviation of v.
func stdDev(v []uint8) float64 {
	var hist [256]int
	for _, x := range v {
		hist[x]++
	}
	var sum float64
	for x, c := range hist {
		sum += float64(x) * float64(c)
	}
	mean := sum / float64(len(v))
	var ss float64
	for x, c := range hist {
		d := float64(x) - mean
		ss += d * d * float64(c)
	}
	return math.Sqrt(ss / float64(len(v)))
}

func b2f(b bool) float32 {
	if b {
		return 1
	}
	return 0
}

// Decode checks the file size, sniffs the format from the magic bytes and
// decodes data with that format's decoder. Decoders do not recover from
// panics (their fuzz targets would not see them); the callers' boundaries
// do (internal/guard).
func Decode(data []byte, opt Options) (img *codec.Image, err error) {
	d, err := decoderFor(data, opt)
	if err != nil {
		return nil, err
	}
	return d.decode(data, opt.limits())
}

// DecodeConfig returns what the header says: format, Pillow mode and size,
// after checking them against the limits, without decoding pixels.
func DecodeConfig(data []byte, opt Options) (cfg codec.Config, err error) {
	d, err := decoderFor(data, opt)
	if err != nil {
		return cfg, err
	}
	cfg, err = d.config(data)
	if err != nil {
		return cfg, err
	}
	return cfg, opt.limits().Check(cfg.Width, cfg.Height)
}

func decoderFor(data []byte, opt Options) (decoder, error) {
	max := opt.MaxFileSize
	if max == 0 {
		max = DefaultMaxFileSize
	}
	if int64(len(data)) > max {
		return decoder{}, fmt.Errorf("%w: file of %d bytes exceeds %d", codec.ErrTooLarge, len(data), max)
	}
	f := codec.Sniff(data)
	d, ok := decoders[f]
	if !ok {
		return decoder{}, fmt.Errorf("%w: not a PNG, JPEG, GIF, WebP or BMP file", codec.ErrFormat)
	}
	return d, nil
}

// decoder is one format's pair of entry points.
type decoder struct {
	config func([]byte) (codec.Config, error)
	decode func([]byte, codec.Limits) (*codec.Image, error)
}
