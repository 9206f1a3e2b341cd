package gif_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/codec/gif"
)

// fuzzLimits keep fuzzed headers from allocating much.
var fuzzLimits = codec.Limits{MaxPixels: 1 << 20, MaxDimension: 4096}

// FuzzDecode checks that no input makes the decoder panic (a recovered
// panic shows as "internal decoder failure") and that what it returns is
// consistent with DecodeConfig and with its own sizes.
func FuzzDecode(f *testing.F) {
	f.Add([]byte("GIF89a"))
	f.Add(mkGIF(3, 2, pattern(6)))
	f.Add(mkGIF(5, 4, pattern(20), pattern(20)))
	if files, err := filepath.Glob(filepath.Join("testdata", "pillow", "case-*.gif")); err == nil {
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil && len(b) < 64<<10 {
				f.Add(b)
			}
		}
	}
	if root := corpusRoot(); root != "" && !testing.Short() {
		filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			if b, err := os.ReadFile(path); err == nil && codec.Sniff(b) == codec.FormatGIF {
				f.Add(b)
			}
			return nil
		})
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, cerr := gif.DecodeConfig(data)
		img, err := gif.Decode(data, fuzzLimits)
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
		if len(img.RGB) != 3*n || len(img.Index) != n || img.Alpha != nil {
			t.Fatalf("planes RGB %d, index %d, alpha %d for %dx%d", len(img.RGB), len(img.Index), len(img.Alpha), img.Width, img.Height)
		}
		if len(img.Palette) == 0 || len(img.Palette)%3 != 0 || len(img.Palette) > 768 {
			t.Fatalf("palette of %d bytes", len(img.Palette))
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
