// Package codectest holds the test harness the image decoders share: the
// corpus parity check, the Pillow vector runner, fuzz seeding and
// consistency checks, hostile-input checks and benchmarks. It imports no
// decoder: each test passes its package's entry points in a Codec.
package codectest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/starlight/dataserver/codec"
)

// Codec names one decoder package's entry points and the invariants its
// decoded images keep.
type Codec struct {
	// Format is what codec.Sniff says for the decoder's files.
	Format codec.Format
	// Decode is the package's Decode.
	Decode func(data []byte, lim codec.Limits) (*codec.Image, error)
	// DecodeConfig is the package's DecodeConfig.
	DecodeConfig func(data []byte) (codec.Config, error)
	// Panic is the text the error of a recovered decoder panic carries.
	Panic string
	// Planes reports a decoded image whose planes (Alpha, Index, Palette)
	// break the format's rules for its mode; the RGB length is checked
	// for every format and need not be checked again.
	Planes func(img *codec.Image) error
}

// planes checks that the RGB plane holds three bytes a pixel and then the
// format's own plane rules.
func (c Codec) planes(img *codec.Image) error {
	if n := img.Width * img.Height; len(img.RGB) != 3*n {
		return fmt.Errorf("RGB has %d bytes for %dx%d", len(img.RGB), img.Width, img.Height)
	}
	if c.Planes == nil {
		return nil
	}
	return c.Planes(img)
}

// SHA256 returns the hex sha256 of b.
func SHA256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// panicked reports whether err is a recovered decoder panic; a Codec
// without its Panic text fails the test, since every error would match.
func (c Codec) panicked(tb testing.TB, err error) bool {
	tb.Helper()
	if c.Panic == "" {
		tb.Fatal("codectest: Codec.Panic is empty")
	}
	return err != nil && strings.Contains(err.Error(), c.Panic)
}

// Plane reports a plane of img (named name: "alpha", "index") that is not
// there (non-nil) exactly when present says, or is not a byte a pixel.
func Plane(img *codec.Image, name string, plane []byte, present bool) error {
	if (plane != nil) != present || (plane != nil && len(plane) != img.Width*img.Height) {
		return fmt.Errorf("%s plane of %d bytes (nil=%v) for mode %s %dx%d", name, len(plane), plane == nil, img.Mode, img.Width, img.Height)
	}
	return nil
}
