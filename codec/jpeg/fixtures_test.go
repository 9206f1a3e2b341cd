package jpeg_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/codec/jpeg"
)

// TestFixturesMatchLibjpegTurbo decodes the fixtures of testdata, which
// cover the paths the corpus lacks, and compares every byte with
// libjpeg-turbo 3.1.3's decoding.
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
			want, w, h := referenceRGB(t, strings.TrimSuffix(f, ".jpg")+".rgb.png")
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
			t.Logf("%s (%s): %d of %d bytes differ", name, img.Mode, diff, len(want))
			if diff != 0 {
				p := first / 3
				t.Errorf("%d bytes differ; first at pixel (%d,%d) channel %d: got %d want %d",
					diff, p%w, p/w, first%3, img.RGB[first], want[first])
			}
		})
	}
}
