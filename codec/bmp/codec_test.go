package bmp_test

import (
	"errors"
	"fmt"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/codec/bmp"
	"github.com/starlight/dataserver/internal/codectest"
)

// planes checks that the alpha plane is there exactly for mode RGBA, and
// the index plane and the palette (of at most 256 entries) exactly for
// mode P, each plane a byte a pixel.
func planes(img *codec.Image) error {
	if (img.Palette != nil) != (img.Mode == codec.ModeP) || len(img.Palette) > 768 {
		return fmt.Errorf("palette of %d bytes for mode %s", len(img.Palette), img.Mode)
	}
	return errors.Join(
		codectest.Plane(img, "alpha", img.Alpha, img.Mode == codec.ModeRGBA),
		codectest.Plane(img, "index", img.Index, img.Mode == codec.ModeP))
}

// bmpCodec is this package's entry points for the shared test harness.
var bmpCodec = codectest.Codec{
	Format: codec.FormatBMP, Panic: "internal decoder failure",
	Decode: bmp.Decode, DecodeConfig: bmp.DecodeConfig,
	Planes: planes,
}
