// Package extract turns the bytes of an image file into the six streams a
// steganalysis detector is trained on (SPEC.md section 2): pixel, meta,
// alpha, lsb, palette (with palette_lsb) and format (with content), in the
// canonical uint8 layout, bit-identical to the reference extractor.
package extract

import (
	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/extract/crop"
)

// Version names the extraction profile; caches key extracted streams by it.
const Version = "reference-1"

// Plane is the number of values in one 256x256 plane.
const Plane = crop.Size * crop.Size

// Stream lengths in bytes of the canonical layout.
const (
	PixelLen      = 3 * Plane
	MetaLen       = 2048
	AlphaLen      = Plane
	LSBLen        = 3 * Plane
	PaletteLen    = 768
	PaletteLSBLen = Plane
	VectorLen     = 6
)

// Streams are the six streams of one image.
type Streams struct {
	Format        codec.Format
	Mode          codec.Mode
	Width, Height int
	// Pixel is the [3,256,256] centre crop of the RGB image, channel-major.
	Pixel []uint8
	// Meta is the [2048] EXIF-then-tail block, zero padded.
	Meta []uint8
	// AlphaFull is the [1,256,256] centre crop of the full alpha values when
	// the mode is exactly RGBA, zeros otherwise; the alpha stream is its LSB.
	AlphaFull []uint8
	// Palette is the [768] palette, zero padded; zeros when not paletted.
	Palette []uint8
	// PaletteLSB is the [1,256,256] crop of the LSB (0/1) of the image converted
	// to L, when paletted; zeros otherwise.
	PaletteLSB []uint8
	// FormatVec is the format vector: has_alpha, alpha std, is_palette,
	// is_rgb, width/256, height/256.
	FormatVec [VectorLen]float32
	// Content is the content vector: byte statistics of the packed LSBs of
	// the crop and of the whole alpha plane.
	Content [VectorLen]float32
}

// AlphaLSB returns the alpha stream: the LSB of AlphaFull.
func (s *Streams) AlphaLSB() []uint8 {
	return lsbOf(s.AlphaFull)
}

// LSB returns the lsb stream: pixel & 1.
func (s *Streams) LSB() []uint8 {
	return lsbOf(s.Pixel)
}

// Bytes returns the heap size of the streams, for cache accounting.
func (s *Streams) Bytes() int {
	return len(s.Pixel) + len(s.Meta) + len(s.AlphaFull) + len(s.Palette) + len(s.PaletteLSB) + 2*4*VectorLen
}

func lsbOf(src []uint8) []uint8 {
	out := make([]uint8, len(src))
	for i, v := range src {
		out[i] = v & 1
	}
	return out
}
