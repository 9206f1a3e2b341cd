package webp_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/codec/webp"
	"github.com/starlight/dataserver/internal/codectest"
)

// vector is one entry of a manifest written by testdata/gen_vectors.py: what
// Pillow's Image.open + convert("RGB") (and getchannel("A")) gave for a file.
type vector struct {
	Mode  string `json:"mode"`
	Size  [2]int `json:"size"`
	RGB   string `json:"rgb"`
	Alpha string `json:"alpha"`
	Error bool   `json:"error"`
	Opts  string `json:"opts"`
}

// checkVectors decodes every file a manifest lists and compares it with
// Pillow's result, byte for byte (through sha256).
func checkVectors(t *testing.T, dir string) {
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatalf("manifest: %v", err)
	}
	var man map[string]vector
	if err := json.Unmarshal(raw, &man); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	names := make([]string, 0, len(man))
	for n := range man {
		names = append(names, n)
	}
	sort.Strings(names)
	pass := 0
	for _, name := range names {
		v := man[name]
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		img, err := webp.Decode(data, codec.DefaultLimits)
		if v.Error {
			if err == nil {
				t.Errorf("%s: decoded as %s %dx%d, Pillow fails on it", name, img.Mode, img.Width, img.Height)
			} else {
				pass++
			}
			continue
		}
		if err != nil {
			t.Errorf("%s (%s): %v", name, v.Opts, err)
			continue
		}
		ok := true
		if string(img.Mode) != v.Mode || img.Width != v.Size[0] || img.Height != v.Size[1] {
			t.Errorf("%s: got %s %dx%d, Pillow %s %dx%d", name, img.Mode, img.Width, img.Height, v.Mode, v.Size[0], v.Size[1])
			ok = false
		}
		if codectest.SHA256(img.RGB) != v.RGB {
			t.Errorf("%s (%s): RGB differs from Pillow", name, v.Opts)
			ok = false
		}
		if v.Alpha != "" && (img.Alpha == nil || codectest.SHA256(img.Alpha) != v.Alpha) {
			t.Errorf("%s (%s): alpha differs from Pillow", name, v.Opts)
			ok = false
		}
		if ok {
			pass++
		}
	}
	t.Logf("%s: %d/%d files match Pillow", dir, pass, len(names))
}

func TestPillowVectors(t *testing.T) {
	checkVectors(t, filepath.Join("testdata", "pillow"))
}

// TestExtraVectors checks a directory of generated vectors named by
// WEBP_VECTORS (for wide local runs against a Pillow install).
func TestExtraVectors(t *testing.T) {
	dir := os.Getenv("WEBP_VECTORS")
	if dir == "" {
		t.Skip("WEBP_VECTORS not set: no extra vector directory to check")
	}
	checkVectors(t, dir)
}
