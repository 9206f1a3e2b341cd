package jpeg_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/codec/jpeg"
)

// TestFixturesMatchLibjpegTurbo decodes the fixtures of testdata, which
// cover the paths the corpus lacks, and compares every byte with the
// reference decoding NAME.rgb.png: Pillow 9.4 with libjpeg-turbo 2.1.5,
// block smoothing included.
func TestFixturesMatchLibjpegTurbo(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.jpg"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures in testdata (%v)", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".jpg")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			img, err := jpeg.Decode(data, codec.DefaultLimits)
			if name == "arithmetic" {
				if !errors.Is(err, codec.ErrUnsupported) {
					t.Fatalf("arithmetic coding: got %v, want ErrUnsupported", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			compareRGB(t, img, strings.TrimSuffix(f, ".jpg")+".rgb.png")
		})
	}
}

// smoothingSplits names the block smoothing fixtures whose libjpeg-turbo
// 2.1.5 and 3.x references must differ, with the rule that makes them
// differ, so that decoding with the wrong release's rules fails the
// fixture test.
var smoothingSplits = map[string]string{
	"gray-smooth-15x37":         "two blocks wide",
	"smooth-dconly-16x16":       "two blocks wide",
	"smooth-partial-13x29-444":  "two blocks wide",
	"smooth-dconly-31x70-422":   "chroma two blocks wide",
	"smooth-dconly-27x45-420":   "chroma two blocks wide, 2 luma block rows per iMCU row",
	"smooth-dconly-420":         "2 luma block rows per iMCU row",
	"smooth-partial-420":        "2 luma block rows per iMCU row",
	"smooth-lowband-420":        "2 luma block rows per iMCU row",
	"smooth-refine-420":         "2 luma block rows per iMCU row",
	"smooth-lowband-40x48-420":  "2 luma block rows per iMCU row",
	"smooth-partial-50x100-420": "2 luma block rows per iMCU row",
	"smooth-refine-24x57-440":   "2 luma block rows per iMCU row",
}

// TestSmoothingFixturesMatchLibjpegTurbo3 checks the libjpeg-turbo 3.0.1+
// block smoothing rules against that release's decodings
// (NAME.ljt3.rgb.png, written by libjpeg-turbo 3.1.3), and that the
// fixtures listed in smoothingSplits tell the two releases apart.
func TestSmoothingFixturesMatchLibjpegTurbo3(t *testing.T) {
	refs, err := filepath.Glob(filepath.Join("testdata", "*.ljt3.rgb.png"))
	if err != nil || len(refs) == 0 {
		t.Fatalf("no libjpeg-turbo 3 references in testdata (%v)", err)
	}
	seen := map[string]bool{}
	for _, ref3 := range refs {
		base := strings.TrimSuffix(ref3, ".ljt3.rgb.png")
		name := filepath.Base(base)
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(base + ".jpg")
			if err != nil {
				t.Fatal(err)
			}
			img, err := jpeg.DecodeTurbo301(data, codec.DefaultLimits)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			compareRGB(t, img, ref3)
			want21, _, _ := referenceRGB(t, base+".rgb.png")
			want3, _, _ := referenceRGB(t, ref3)
			split := !bytes.Equal(want21, want3)
			if why, ok := smoothingSplits[name]; ok && !split {
				t.Errorf("the 2.1.5 and 3.x references are identical: the fixture no longer exercises %s", why)
			}
			t.Logf("references differ: %v", split)
		})
	}
	for name := range smoothingSplits {
		if !seen[name] {
			t.Errorf("fixture %s has no libjpeg-turbo 3 reference", name)
		}
	}
}

// compareRGB fails t unless img is byte for byte the reference PNG at path.
func compareRGB(t *testing.T, img *codec.Image, path string) {
	t.Helper()
	want, w, h := referenceRGB(t, path)
	if img.Width != w || img.Height != h {
		t.Fatalf("size %dx%d, reference %dx%d", img.Width, img.Height, w, h)
	}
	diff, first := 0, -1
	for i := range want {
		if img.RGB[i] != want[i] {
			if first < 0 {
				first = i
			}
			diff++
		}
	}
	t.Logf("%s (%s): %d of %d bytes differ", filepath.Base(path), img.Mode, diff, len(want))
	if diff != 0 {
		p := first / 3
		t.Errorf("%d bytes differ from %s; first at pixel (%d,%d) channel %d: got %d want %d",
			diff, filepath.Base(path), p%w, p/w, first%3, img.RGB[first], want[first])
	}
}
