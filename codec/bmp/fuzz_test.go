package bmp_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/codec/bmp"
)

// fuzzLimits keep fuzzed headers from allocating much.
var fuzzLimits = codec.Limits{MaxPixels: 1 << 20, MaxDimension: 4096}

// FuzzDecode checks that no input makes the decoder panic (a recovered
// panic shows as "internal decoder failure") and that what it returns is
// consistent with DecodeConfig and with its own sizes.
func FuzzDecode(f *testing.F) {
	f.Add([]byte("BM"))
	f.Add(mkBMP(3, 2, 24, 0, nil, ramp(24)))
	f.Add(mkBMP(3, -2, 4, 0, ramp(64), ramp(8)))
	f.Add(mkBMP(4, 2, 8, 1, ramp(1024), []byte{4, 1, 0, 0, 0, 2, 1, 0, 0, 3, 1, 2, 3, 0, 0, 1}))
	if files, err := filepath.Glob(filepath.Join("testdata", "pillow", "case-*.bmp")); err == nil {
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	if root := corpusRoot(); root != "" && !testing.Short() {
		filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			if b, err := os.ReadFile(path); err == nil && codec.Sniff(b) == codec.FormatBMP {
				f.Add(b)
			}
			return nil
		})
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, cerr := bmp.DecodeConfig(data)
		img, err := bmp.Decode(data, fuzzLimits)
		for _, e := range []error{cerr, err} {
			if e != nil && strings.Contains(e.Error(), "internal decoder failure") {
				t.Fatalf("panic: %v", e)
			}
		}
		if err != nil {
			return
		}
		if cerr != nil || cfg != img.Config {
			t.Fatalf("DecodeConfig %+v, %v; Decode %+v", cfg, cerr, img.Config)
		}
		n := img.Width * img.Height
		if len(img.RGB) != 3*n {
			t.Fatalf("RGB has %d bytes for %dx%d", len(img.RGB), img.Width, img.Height)
		}
		if (img.Alpha != nil) != (img.Mode == codec.ModeRGBA) || (img.Alpha != nil && len(img.Alpha) != n) {
			t.Fatalf("alpha plane %d bytes for mode %s", len(img.Alpha), img.Mode)
		}
		if (img.Index != nil) != (img.Mode == codec.ModeP) || (img.Index != nil && len(img.Index) != n) {
			t.Fatalf("index plane %d bytes for mode %s", len(img.Index), img.Mode)
		}
		if (img.Palette != nil) != (img.Mode == codec.ModeP) || len(img.Palette) > 768 {
			t.Fatalf("palette of %d bytes for mode %s", len(img.Palette), img.Mode)
		}
	})
}

// corpusRoot returns the corpus's datasets directory (../shared/corpus
// from the module root), or "" when it is absent: the fuzz target then
// runs on its hand-made seeds alone instead of being skipped.
func corpusRoot() string {
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			root := filepath.Join(d, "..", "shared", "corpus", "datasets")
			if _, err := os.Stat(root); err != nil {
				return ""
			}
			return root
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}
