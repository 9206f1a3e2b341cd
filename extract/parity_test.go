package extract_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/starlight/dataserver/extract"
	"github.com/starlight/dataserver/extract/crop"
	"github.com/starlight/dataserver/internal/corpustest"
)

// TestCorpusParity extracts every image of the shared corpus and compares
// each stream with the reference extractor's digests in expected.jsonl.
func TestCorpusParity(t *testing.T) {
	dir := corpustest.Dir(t)
	expected := corpustest.Expected(t)
	paths := make([]string, 0, len(expected))
	for p := range expected {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	perStream := map[string]int{}
	ok := 0
	for _, p := range paths {
		want := expected[p]
		data, err := os.ReadFile(filepath.Join(dir, "datasets", filepath.FromSlash(p)))
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		s, err := extract.Extract(data, extract.Options{})
		if err != nil {
			t.Errorf("%s: extract: %v", p, err)
			perStream["error"]++
			continue
		}
		var bad []string
		if string(s.Format) != want.Format || string(s.Mode) != want.Mode || s.Width != want.Size[0] || s.Height != want.Size[1] {
			bad = append(bad, fmt.Sprintf("header %s %s %dx%d, want %s %s %dx%d", s.Format, s.Mode, s.Width, s.Height, want.Format, want.Mode, want.Size[0], want.Size[1]))
		}
		got := s.Digest()
		for _, c := range []struct {
			name, digest string
		}{
			{"pixel", got.Pixel}, {"meta", got.Meta}, {"alpha", got.Alpha}, {"lsb", got.LSB},
			{"palette", got.Palette}, {"palette_lsb", got.PaletteLSB},
		} {
			if c.digest != want.Digest(c.name) {
				perStream[c.name]++
				bad = append(bad, c.name+differing(t, p, c.name, s))
			}
		}
		for _, c := range []struct {
			name string
			v    []float64
		}{{"format", got.Format}, {"content", got.Content}} {
			if w := want.Vector(c.name); !close(c.v, w) {
				perStream[c.name]++
				bad = append(bad, fmt.Sprintf("%s %v, want %v", c.name, c.v, w))
			}
		}
		if len(bad) > 0 {
			t.Errorf("%s: %s", p, strings.Join(bad, "; "))
			continue
		}
		ok++
	}
	t.Logf("parity %d/%d; mismatches per stream: %v", ok, len(paths), perStream)
	if len(paths) != 176 {
		t.Errorf("expected.jsonl holds %d images, want 176", len(paths))
	}
}

func close(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-6 {
			return false
		}
	}
	return true
}

// differing counts differing pixel/lsb bytes against the reference RGB
// decoding when the corpus has one for the file.
func differing(tb testing.TB, p, stream string, s *extract.Streams) string {
	if stream != "pixel" && stream != "lsb" {
		return ""
	}
	rgb, ok := corpustest.ReferenceRGB(tb, p)
	if !ok {
		return " (no reference RGB to count differing bytes)"
	}
	ref := make([]uint8, extract.PixelLen)
	crop.Planar(ref, rgb, s.Width, s.Height, 3)
	n := 0
	for i := range ref {
		if stream == "pixel" && ref[i] != s.Pixel[i] || stream == "lsb" && ref[i]&1 != s.Pixel[i]&1 {
			n++
		}
	}
	return fmt.Sprintf(" (%d of %d bytes differ from reference_rgb)", n, len(ref))
}
