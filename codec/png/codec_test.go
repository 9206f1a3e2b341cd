package png_test

import (
	"errors"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/codec/png"
	"github.com/starlight/dataserver/internal/codectest"
)

// planes checks that the alpha plane is there exactly for modes RGBA and
// LA and the index plane exactly for mode P, each a byte a pixel.
func planes(img *codec.Image) error {
	return errors.Join(
		codectest.Plane(img, "alpha", img.Alpha, img.Mode == codec.ModeRGBA || img.Mode == codec.ModeLA),
		codectest.Plane(img, "index", img.Index, img.Mode == codec.ModeP))
}

// pngCodec is this package's entry points for the shared test harness.
var pngCodec = codectest.Codec{
	Format: codec.FormatPNG, Panic: "internal decoder failure",
	Decode: png.Decode, DecodeConfig: png.DecodeConfig,
	Planes: planes,
}
