package gif_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/codec/gif"
)

// pillowCase is what Pillow 9.4 made of one generated file (see
// testdata/pillow/gen.py): its mode, size and digests, or its error.
type pillowCase struct {
	Mode    string `json:"mode"`
	Size    [2]int `json:"size"`
	RGB     string `json:"rgb"`
	Alpha   string `json:"alpha"`
	Index   string `json:"index"`
	Palette string `json:"palette"`
	// PaletteNoTrns is convert("P").getpalette() of an L image once its
	// transparency is dropped: Pillow 9.4 scrambles the palette of an L
	// image with transparency, a quirk this decoder does not copy (the
	// Palette of an L image is the grey ramp, or the global table Pillow
	// attached).
	PaletteNoTrns string `json:"palette_no_trns"`
	Error         string `json:"error"`
}

// TestPillowCases decodes the generated edge cases (palette rules for L
// and P, frames offset from or bigger than the screen, transparency fill,
// interlacing, early end codes, odd code sizes, broken blocks) and requires
// Pillow's result: the same pixels, or an error where Pillow raised one.
func TestPillowCases(t *testing.T) {
	dir := filepath.Join("testdata", "pillow")
	raw, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var exp struct {
		Cases map[string]pillowCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &exp); err != nil {
		t.Fatal(err)
	}
	if len(exp.Cases) < 60 {
		t.Fatalf("only %d cases in expected.json", len(exp.Cases))
	}
	for name, want := range exp.Cases {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			img, err := gif.Decode(data, codec.DefaultLimits)
			if want.Error != "" {
				if err == nil {
					t.Fatalf("decoded as %s %dx%d; Pillow refused it: %s", img.Mode, img.Width, img.Height, want.Error)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode: %v (Pillow: %s %v)", err, want.Mode, want.Size)
			}
			comparePillow(t, img, want)
			cfg, err := gif.DecodeConfig(data)
			if err != nil || cfg != img.Config {
				t.Errorf("DecodeConfig = %+v, %v; want %+v", cfg, err, img.Config)
			}
		})
	}
}

// comparePillow compares a decoded image with Pillow's record of it.
func comparePillow(t *testing.T, img *codec.Image, want pillowCase) {
	t.Helper()
	if string(img.Mode) != want.Mode || img.Width != want.Size[0] || img.Height != want.Size[1] {
		t.Fatalf("got %s %dx%d, want %s %v", img.Mode, img.Width, img.Height, want.Mode, want.Size)
	}
	if got := sha(img.RGB); got != want.RGB {
		t.Errorf("RGB sha256 %s, want %s", got, want.RGB)
	}
	if img.Alpha != nil {
		t.Errorf("alpha plane set for mode %s", img.Mode)
	}
	if got := sha(img.Index); img.Index == nil || got != want.Index {
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

// sha returns the hex sha256 of b.
func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
