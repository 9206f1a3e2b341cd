package webp_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/codec/webp"
)

// fuzzLimits keep a fuzzed header from asking for much memory.
var fuzzLimits = codec.Limits{MaxPixels: 1 << 18, MaxDimension: 2048}

// seedFiles returns the vector files and, when the shared corpus is present,
// its WebP files (the fuzz target must not skip when the corpus is absent).
func seedFiles(f *testing.F) [][]byte {
	var out [][]byte
	paths, _ := filepath.Glob(filepath.Join("testdata", "pillow", "*.webp"))
	for _, p := range paths {
		if data, err := os.ReadFile(p); err == nil {
			out = append(out, data)
		}
	}
	wd, _ := os.Getwd()
	for d := wd; filepath.Dir(d) != d; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err != nil {
			continue
		}
		root := filepath.Join(d, "..", "shared", "corpus", "datasets")
		_ = filepath.WalkDir(root, func(path string, e os.DirEntry, err error) error {
			if err == nil && !e.IsDir() {
				if data, err := os.ReadFile(path); err == nil && isWebP(data) {
					out = append(out, data)
				}
			}
			return nil
		})
		break
	}
	return out
}

func FuzzDecode(f *testing.F) {
	for _, data := range seedFiles(f) {
		f.Add(data)
	}
	f.Add([]byte("RIFF\x0c\x00\x00\x00WEBPVP8 "))
	f.Add([]byte("RIFF\x16\x00\x00\x00WEBPVP8L\x0a\x00\x00\x00\x2f\x00\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Add([]byte("RIFF\x1e\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x10\x00\x00\x00\xff\x00\x00\xff\x00\x00ALPH\x01\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, cerr := webp.DecodeConfig(data)
		img, err := webp.Decode(data, fuzzLimits)
		if err != nil {
			return
		}
		if cerr != nil {
			t.Fatalf("Decode succeeded where DecodeConfig failed: %v", cerr)
		}
		if img.Config != cfg {
			t.Fatalf("Decode config %+v, DecodeConfig %+v", img.Config, cfg)
		}
		n := img.Width * img.Height
		if len(img.RGB) != 3*n {
			t.Fatalf("RGB holds %d bytes for %dx%d", len(img.RGB), img.Width, img.Height)
		}
		if (img.Mode == codec.ModeRGBA) != (len(img.Alpha) == n) || img.Index != nil || img.Palette != nil {
			t.Fatalf("mode %s with %d alpha bytes for %dx%d", img.Mode, len(img.Alpha), img.Width, img.Height)
		}
	})
}
