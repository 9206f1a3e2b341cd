package gif_test

import (
	"bytes"
	stdpng "image/png"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/codec/gif"
	"github.com/starlight/dataserver/internal/corpustest"
)

// TestCorpus decodes every GIF of the reference corpus (chosen by magic
// bytes) and compares mode, size and the pixel-derived stream digests with
// expected.jsonl, and the full RGB with reference_rgb where it exists.
func TestCorpus(t *testing.T) {
	root := corpustest.Datasets(t)
	dir := corpustest.Dir(t)
	exp := corpustest.Expected(t)
	n, refs := 0, 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if codec.Sniff(data) != codec.FormatGIF {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		n++
		t.Run(rel, func(t *testing.T) {
			e, ok := exp[rel]
			if !ok {
				t.Fatalf("%s has no entry in expected.jsonl", rel)
			}
			if checkEntry(t, data, e, filepath.Join(dir, "reference_rgb", rel+".rgb.png")) {
				refs++
			}
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no GIF file found in the corpus")
	}
	t.Logf("%d files checked, %d against a reference RGB decoding", n, refs)
}

// checkEntry decodes one file and compares it with its expected entry, and
// with its reference RGB decoding when there is one (reporting whether).
func checkEntry(t *testing.T, data []byte, e corpustest.Entry, refPath string) bool {
	t.Helper()
	cfg, err := gif.DecodeConfig(data)
	if err != nil {
		t.Fatalf("DecodeConfig: %v", err)
	}
	ref, refErr := os.ReadFile(refPath)
	img, err := gif.Decode(data, codec.DefaultLimits)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if cfg != img.Config {
		t.Errorf("DecodeConfig %+v != Decode %+v", cfg, img.Config)
	}
	if string(img.Mode) != e.Mode || img.Width != e.Size[0] || img.Height != e.Size[1] {
		t.Fatalf("got %s %dx%d, want %s %dx%d", img.Mode, img.Width, img.Height, e.Mode, e.Size[0], e.Size[1])
	}
	for name, got := range streamDigests(img) {
		if want := e.Digest(name); got != want {
			t.Errorf("%s stream digest %s, want %s", name, got, want)
		}
	}
	if refErr != nil {
		return false
	}
	if !bytes.Equal(img.RGB, referenceRGB(t, ref)) {
		t.Errorf("RGB differs from %s", refPath)
	}
	return true
}

// referenceRGB reads a reference RGB decoding (a lossless 8-bit RGB PNG)
// with the standard library's decoder, an implementation independent of
// the one under test.
func referenceRGB(t *testing.T, data []byte) []byte {
	t.Helper()
	im, err := stdpng.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("reference: %v", err)
	}
	b := im.Bounds()
	out := make([]byte, 0, 3*b.Dx()*b.Dy())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := im.At(x, y).RGBA()
			out = append(out, byte(r>>8), byte(g>>8), byte(bl>>8))
		}
	}
	return out
}
