package png_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/codec/png"
)

// fuzzLimits keep fuzzed headers from allocating much.
var fuzzLimits = codec.Limits{MaxPixels: 1 << 20, MaxDimension: 4096}

// FuzzDecode checks that no input makes the decoder panic (a recovered
// panic shows as "internal decoder failure") and that what it returns is
// consistent with DecodeConfig and with its own sizes.
func FuzzDecode(f *testing.F) {
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Add(mkPNG(3, 2, 8, 2, deflate([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0})))
	f.Add(mkPNG(5, 3, 2, 0, deflate([]byte{0, 0x1b, 0xe4, 1, 0xff, 0x0f, 4, 0x12, 0x34})))
	f.Add(mkPNG(2, 2, 16, 4, deflate([]byte{2, 1, 2, 3, 4, 5, 6, 7, 8, 3, 9, 8, 7, 6, 5, 4, 3, 2})))
	if files, err := filepath.Glob(filepath.Join("testdata", "pillow", "case-*.png")); err == nil {
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil && len(b) < 64<<10 {
				f.Add(b)
			}
		}
	}
	addCorpusSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, cerr := png.DecodeConfig(data)
		img, err := png.Decode(data, fuzzLimits)
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
		if (img.Alpha != nil) != (img.Mode == codec.ModeRGBA || img.Mode == codec.ModeLA) || (img.Alpha != nil && len(img.Alpha) != n) {
			t.Fatalf("alpha plane %d bytes for mode %s", len(img.Alpha), img.Mode)
		}
		if (img.Index != nil) != (img.Mode == codec.ModeP) || (img.Index != nil && len(img.Index) != n) {
			t.Fatalf("index plane %d bytes for mode %s", len(img.Index), img.Mode)
		}
	})
}

// addCorpusSeeds adds the corpus's PNG files (by magic bytes) as seeds,
// when the corpus is present and the run is not -short.
func addCorpusSeeds(f *testing.F) {
	root := corpusRoot()
	if root == "" || testing.Short() {
		return
	}
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if b, err := os.ReadFile(path); err == nil && codec.Sniff(b) == codec.FormatPNG {
			f.Add(b)
		}
		return nil
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
