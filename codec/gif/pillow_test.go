package gif_test

import (
	"encoding/hex"
	"path/filepath"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/internal/codectest"
)

// TestPillowCases decodes the generated edge cases (palette rules for L
// and P, frames offset from or bigger than the screen, transparency fill,
// interlacing, early end codes, odd code sizes, broken blocks) and requires
// Pillow's result: the same pixels, or an error where Pillow raised one.
func TestPillowCases(t *testing.T) {
	gifCodec.PillowCases(t, filepath.Join("testdata", "pillow"), 60, comparePillow)
}

// comparePillow compares a decoded GIF with Pillow's record of it: every
// GIF has an index plane and a palette and no alpha. The palette of an L
// image with transparency is compared with the one Pillow gives once the
// transparency is dropped (PaletteNoTrns): Pillow 9.4 scrambles it, a
// quirk this decoder does not copy (the Palette of an L image is the grey
// ramp, or the global table Pillow attached).
func comparePillow(t *testing.T, img *codec.Image, want codectest.PillowCase) {
	t.Helper()
	codectest.CompareRGB(t, img, want)
	if img.Alpha != nil {
		t.Errorf("alpha plane set for mode %s", img.Mode)
	}
	if got := codectest.SHA256(img.Index); img.Index == nil || got != want.Index {
		t.Errorf("index sha256 %s, want %s", got, want.Index)
	}
	wantPal := want.Palette
	if want.PaletteNoTrns != "" {
		wantPal = want.PaletteNoTrns
	}
	if got := hex.EncodeToString(img.Palette); got != wantPal {
		t.Errorf("palette %s, want %s", got, wantPal)
	}
}
