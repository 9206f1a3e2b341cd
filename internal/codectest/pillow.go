package codectest

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/starlight/dataserver/codec"
)

// PillowCase is what Pillow 9.4 made of one generated file (see a codec's
// testdata/pillow/gen.py): its mode, size and digests, or its error.
type PillowCase struct {
	Mode    string `json:"mode"`
	Size    [2]int `json:"size"`
	RGB     string `json:"rgb"`
	Alpha   string `json:"alpha"`
	Index   string `json:"index"`
	Palette string `json:"palette"`
	// PaletteNoTrns (GIF only) is convert("P").getpalette() of an L image
	// once its transparency is dropped: Pillow 9.4 scrambles the palette
	// of an L image with transparency, a quirk the GIF decoder does not
	// copy.
	PaletteNoTrns string `json:"palette_no_trns"`
	Error         string `json:"error"`
}

// PillowCases decodes every file dir/expected.json lists, one subtest each
// named by the file, and requires Pillow's result: an error where Pillow
// raised one, otherwise what compare accepts, planes that keep c.Planes,
// and a DecodeConfig equal to Decode's. The manifest must list at least
// minCases files.
func (c Codec) PillowCases(t *testing.T, dir string, minCases int, compare func(t *testing.T, img *codec.Image, want PillowCase)) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var exp struct {
		Cases map[string]PillowCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &exp); err != nil {
		t.Fatalf("%s: %v", filepath.Join(dir, "expected.json"), err)
	}
	if len(exp.Cases) < minCases {
		t.Fatalf("only %d cases in expected.json", len(exp.Cases))
	}
	for name, want := range exp.Cases {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			img, err := c.Decode(data, codec.DefaultLimits)
			if want.Error != "" {
				if err == nil {
					t.Fatalf("decoded as %s %dx%d; Pillow refused it: %s", img.Mode, img.Width, img.Height, want.Error)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode: %v (Pillow: %s %v)", err, want.Mode, want.Size)
			}
			compare(t, img, want)
			if err := c.planes(img); err != nil {
				t.Errorf("%v", err)
			}
			cfg, err := c.DecodeConfig(data)
			if err != nil || cfg != img.Config {
				t.Errorf("DecodeConfig = %+v, %v; want %+v", cfg, err, img.Config)
			}
		})
	}
}

// ComparePillow compares a decoded image with Pillow's record of it: mode
// and size, the RGB, the alpha plane and the index plane each present
// exactly when Pillow recorded it and equal to it, and the palette (present
// exactly for mode P).
func ComparePillow(t *testing.T, img *codec.Image, want PillowCase) {
	t.Helper()
	CompareRGB(t, img, want)
	if want.Alpha != "" || img.Alpha != nil {
		if got := SHA256(img.Alpha); img.Alpha == nil || got != want.Alpha {
			t.Errorf("alpha sha256 %s (nil=%v), want %s", got, img.Alpha == nil, want.Alpha)
		}
	}
	if want.Index != "" || img.Index != nil {
		if got := SHA256(img.Index); img.Index == nil || got != want.Index {
			t.Errorf("index sha256 %s, want %s", got, want.Index)
		}
	}
	if got := hex.EncodeToString(img.Palette); got != want.Palette || (want.Mode == "P") != (img.Palette != nil) {
		t.Errorf("palette %s, want %s", got, want.Palette)
	}
}

// CompareRGB compares a decoded image's mode, size (fatal on a mismatch)
// and RGB with Pillow's record of it.
func CompareRGB(t *testing.T, img *codec.Image, want PillowCase) {
	t.Helper()
	if string(img.Mode) != want.Mode || img.Width != want.Size[0] || img.Height != want.Size[1] {
		t.Fatalf("got %s %dx%d, want %s %v", img.Mode, img.Width, img.Height, want.Mode, want.Size)
	}
	if got := SHA256(img.RGB); got != want.RGB {
		t.Errorf("RGB sha256 %s, want %s", got, want.RGB)
	}
}
