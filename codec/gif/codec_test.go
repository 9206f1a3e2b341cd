package gif_test

import (
	"errors"
	"fmt"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/codec/gif"
	"github.com/starlight/dataserver/internal/codectest"
)

// planes checks that every GIF has an index plane, a byte a pixel, no
// alpha plane, and a palette of 1 to 256 RGB entries.
func planes(img *codec.Image) error {
	if len(img.Palette) == 0 || len(img.Palette)%3 != 0 || len(img.Palette) > 768 {
		return fmt.Errorf("palette of %d bytes", len(img.Palette))
	}
	return errors.Join(codectest.Plane(img, "index", img.Index, true), codectest.Plane(img, "alpha", img.Alpha, false))
}

// gifCodec is this package's entry points for the shared test harness.
var gifCodec = codectest.Codec{
	Format: codec.FormatGIF, Panic: "internal decoder failure",
	Decode: gif.Decode, DecodeConfig: gif.DecodeConfig,
	Planes: planes,
}
