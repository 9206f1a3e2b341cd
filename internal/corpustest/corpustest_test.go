package corpustest_test

import (
	"fmt"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/extract"
	"github.com/starlight/dataserver/internal/corpustest"
)

// synthetic returns a w x h image of mode m whose bytes vary with position,
// with the planes that mode carries.
func synthetic(m codec.Mode, w, h int) *codec.Image {
	img := &codec.Image{Config: codec.Config{Mode: m, Width: w, Height: h}, RGB: make([]byte, 3*w*h)}
	for i := range img.RGB {
		img.RGB[i] = byte(i*31 + i/7)
	}
	if m == codec.ModeRGBA || m == codec.ModeLA {
		img.Alpha = make([]byte, w*h)
		for i := range img.Alpha {
			img.Alpha[i] = byte(i*13 + 5)
		}
	}
	if m == codec.ModeP {
		img.Index = make([]byte, w*h)
		img.Palette = make([]byte, 3*37)
		for i := range img.Palette {
			img.Palette[i] = byte(i*11 + 1)
		}
	}
	return img
}

// TestStreamDigestsMatchExtract checks the test-side stream digests against
// the server's own extraction (an independent implementation of the same
// SPEC.md rules) on images smaller and larger than the crop, odd and even.
func TestStreamDigestsMatchExtract(t *testing.T) {
	for _, m := range []codec.Mode{codec.ModeRGB, codec.ModeRGBA, codec.ModeLA, codec.ModeP, codec.ModeL} {
		for _, size := range [][2]int{{1, 1}, {17, 9}, {256, 256}, {301, 258}, {257, 600}} {
			t.Run(fmt.Sprintf("%s-%dx%d", m, size[0], size[1]), func(t *testing.T) {
				img := synthetic(m, size[0], size[1])
				got := corpustest.StreamDigests(img)
				d := extract.FromImage(nil, img).Digest()
				want := map[string]string{"pixel": d.Pixel, "lsb": d.LSB, "alpha": d.Alpha, "palette": d.Palette, "palette_lsb": d.PaletteLSB}
				if len(got) != len(want) {
					t.Fatalf("%d digests, want %d: %v", len(got), len(want), got)
				}
				for name, w := range want {
					if got[name] != w {
						t.Errorf("%s digest %s, extract says %s", name, got[name], w)
					}
				}
			})
		}
	}
}

// TestFilesAgreeWithExpected checks that choosing corpus files by magic
// bytes finds, for every format, exactly the files expected.jsonl records
// with that format.
func TestFilesAgreeWithExpected(t *testing.T) {
	exp := corpustest.Expected(t)
	for _, f := range []codec.Format{codec.FormatPNG, codec.FormatJPEG, codec.FormatGIF, codec.FormatWEBP, codec.FormatBMP} {
		t.Run(string(f), func(t *testing.T) {
			files := corpustest.Files(t, f)
			seen := map[string]bool{}
			for _, file := range files {
				seen[file.Rel] = true
				if e, ok := exp[file.Rel]; !ok || e.Format != string(f) {
					t.Errorf("%s: magic bytes say %s, expected.jsonl says %q (listed: %v)", file.Rel, f, e.Format, ok)
				}
			}
			for rel, e := range exp {
				if e.Format == string(f) && !seen[rel] {
					t.Errorf("%s: expected.jsonl says %s, not found by magic bytes", rel, f)
				}
			}
			if seeds := corpustest.Seeds(f); len(seeds) != len(files) {
				t.Errorf("Seeds gave %d files, Files %d", len(seeds), len(files))
			}
		})
	}
}
