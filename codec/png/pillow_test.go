package png_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/codec/png"
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
	Error   string `json:"error"`
}

// TestPillowCases decodes the generated edge cases (every colour type and
// depth, interlacing, broken chunks, early and corrupt zlib streams, APNG
// regions) and requires Pillow's result: the same pixels, or an error
// where Pillow raised one.
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
	if len(exp.Cases) < 100 {
		t.Fatalf("only %d cases in expected.json", len(exp.Cases))
	}
	for name, want := range exp.Cases {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(data, codec.DefaultLimits)
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
			cfg, err := png.DecodeConfig(data)
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
	if want.Alpha != "" || img.Alpha != nil {
		if got := sha(img.Alpha); img.Alpha == nil || got != want.Alpha {
			t.Errorf("alpha sha256 %s (nil=%v), want %s", got, img.Alpha == nil, want.Alpha)
		}
	}
	if want.Index != "" || img.Index != nil {
		if got := sha(img.Index); img.Index == nil || got != want.Index {
			t.Errorf("index sha256 %s, want %s", got, want.Index)
		}
	}
	if got := hex.EncodeToString(img.Palette); got != want.Palette || (want.Mode == "P") != (img.Palette != nil) {
		t.Errorf("palette %s, want %s", got, want.Palette)
	}
}

// sha returns the hex sha256 of b.
func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
