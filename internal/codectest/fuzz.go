package codectest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/internal/corpustest"
)

// FuzzLimits keep fuzzed headers from allocating much: 1 Mpixel, 4096 a side.
var FuzzLimits = codec.Limits{MaxPixels: 1 << 20, MaxDimension: 4096}

// AddFiles adds as seeds the files matching the glob pattern, in name
// order, passing over those of maxSize bytes or more when maxSize > 0.
func AddFiles(f *testing.F, pattern string, maxSize int) {
	paths, err := filepath.Glob(pattern)
	if err != nil {
		f.Fatalf("seed pattern %q: %v", pattern, err)
	}
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil && (maxSize <= 0 || len(b) < maxSize) {
			f.Add(b)
		}
	}
}

// AddCorpus adds as seeds the corpus files of c's format, chosen by magic
// bytes; none when the corpus is absent (the fuzz target then runs on its
// other seeds instead of being skipped).
func (c Codec) AddCorpus(f *testing.F) {
	for _, b := range corpustest.Seeds(c.Format) {
		f.Add(b)
	}
}

// Consistent is the body of a decoder's fuzz target: no input may make the
// decoder panic (a recovered panic shows as c.Panic in the error), and
// what Decode returns under lim must agree with DecodeConfig and keep the
// plane rules (the RGB length and c.Planes).
func (c Codec) Consistent(t *testing.T, data []byte, lim codec.Limits) {
	t.Helper()
	cfg, cerr := c.DecodeConfig(data)
	img, err := c.Decode(data, lim)
	for _, e := range []error{cerr, err} {
		if c.panicked(t, e) {
			t.Fatalf("panic: %v", e)
		}
	}
	if err != nil {
		return
	}
	if cerr != nil || cfg != img.Config {
		t.Fatalf("DecodeConfig %+v, %v; Decode %+v", cfg, cerr, img.Config)
	}
	if err := c.planes(img); err != nil {
		t.Fatalf("%v", err)
	}
}
