package webp_test

import (
	"errors"
	"fmt"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/codec/webp"
	"github.com/starlight/dataserver/internal/codectest"
)

// planes checks that the alpha plane is there exactly for mode RGBA, a
// byte a pixel, and that a WebP never has an index plane or a palette.
func planes(img *codec.Image) error {
	if img.Palette != nil {
		return fmt.Errorf("palette of %d bytes for a WebP", len(img.Palette))
	}
	return errors.Join(
		codectest.Plane(img, "alpha", img.Alpha, img.Mode == codec.ModeRGBA),
		codectest.Plane(img, "index", img.Index, false))
}

// webpCodec is this package's entry points for the shared test harness.
var webpCodec = codectest.Codec{
	Format: codec.FormatWEBP, Panic: "decoder panic",
	Decode: webp.Decode, DecodeConfig: webp.DecodeConfig,
	Planes: planes,
}
