package jpeg_test

import (
	"bytes"
	"image"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/codec/jpeg"
	"github.com/starlight/dataserver/internal/corpustest"
)

// corpusJPEG is one JPEG file of the corpus and its reference decoding.
type corpusJPEG struct {
	rel  string // path relative to the datasets root
	path string
	ref  string // Pillow's RGB decoding as PNG
}

// corpusJPEGs lists every file of the corpus whose magic bytes say JPEG.
func corpusJPEGs(tb testing.TB) []corpusJPEG {
	tb.Helper()
	dir := corpustest.Dir(tb)
	root := filepath.Join(dir, "datasets")
	var out []corpusJPEG
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		var magic [3]byte
		_, _ = f.Read(magic[:])
		f.Close()
		if codec.Sniff(magic[:]) != codec.FormatJPEG {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		out = append(out, corpusJPEG{
			rel:  filepath.ToSlash(rel),
			path: p,
			ref:  filepath.Join(dir, "reference_rgb", rel+".rgb.png"),
		})
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].rel < out[j].rel })
	if len(out) == 0 {
		tb.Fatalf("no JPEG files found under %s", root)
	}
	return out
}

// referenceRGB decodes a reference PNG into interleaved RGB bytes.
func referenceRGB(t *testing.T, path string) ([]byte, int, int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reference decoding missing: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	out := make([]byte, 0, w*h*3)
	switch m := img.(type) {
	case *image.RGBA:
		for y := 0; y < h; y++ {
			row := m.Pix[y*m.Stride : y*m.Stride+4*w]
			for x := 0; x < w; x++ {
				out = append(out, row[4*x], row[4*x+1], row[4*x+2])
			}
		}
	case *image.Gray:
		for y := 0; y < h; y++ {
			for _, v := range m.Pix[y*m.Stride : y*m.Stride+w] {
				out = append(out, v, v, v)
			}
		}
	default:
		t.Fatalf("%s: unexpected reference PNG type %T", path, img)
	}
	return out, w, h
}

// TestCorpusMatchesPillow decodes every corpus JPEG and compares each byte
// with Pillow's reference decoding and the pixel digest of expected.jsonl.
func TestCorpusMatchesPillow(t *testing.T) {
	files := corpusJPEGs(t)
	expected := corpustest.Expected(t)
	identical := 0
	for _, f := range files {
		t.Run(f.rel, func(t *testing.T) {
			data, err := os.ReadFile(f.path)
			if err != nil {
				t.Fatal(err)
			}
			img, err := jpeg.Decode(data, codec.DefaultLimits)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			want, w, h := referenceRGB(t, f.ref)
			if img.Width != w || img.Height != h {
				t.Fatalf("size %dx%d, reference %dx%d", img.Width, img.Height, w, h)
			}
			diff := 0
			first := -1
			for i := range want {
				if img.RGB[i] != want[i] {
					if first < 0 {
						first = i
					}
					diff++
				}
			}
			t.Logf("%s: %d of %d bytes differ", f.rel, diff, len(want))
			if diff != 0 {
				p := first / 3
				t.Errorf("%d bytes differ; first at pixel (%d,%d) channel %d: got %d want %d",
					diff, p%w, p/w, first%3, img.RGB[first], want[first])
			}
			e, ok := expected[f.rel]
			if !ok {
				t.Fatalf("no expected.jsonl entry")
			}
			if string(img.Mode) != e.Mode || img.Format != codec.Format(e.Format) {
				t.Errorf("format/mode %s/%s, expected %s/%s", img.Format, img.Mode, e.Format, e.Mode)
			}
			if e.Size != [2]int{img.Width, img.Height} {
				t.Errorf("size %dx%d, expected %v", img.Width, img.Height, e.Size)
			}
			if got := corpustest.PixelDigest(img.RGB, img.Width, img.Height); got != e.Digest("pixel") {
				t.Errorf("pixel digest %s, expected %s", got, e.Digest("pixel"))
			}
			cfg, err := jpeg.DecodeConfig(data)
			if err != nil {
				t.Fatalf("DecodeConfig: %v", err)
			}
			if cfg != img.Config {
				t.Errorf("DecodeConfig %+v, Decode %+v", cfg, img.Config)
			}
			if !t.Failed() {
				identical++
			}
		})
	}
	t.Logf("%d/%d corpus JPEGs identical to Pillow", identical, len(files))
}
