package jpeg_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/codec/jpeg"
)

// fuzzLimits keep fuzzed frames small.
var fuzzLimits = codec.Limits{MaxPixels: 1 << 20, MaxDimension: 4096}

// FuzzDecode feeds arbitrary bytes to DecodeConfig and Decode (and to the
// test-only DecodeTurbo301): none may panic, and a successful decoding must
// be consistent with the header.
func FuzzDecode(f *testing.F) {
	fixtures, _ := filepath.Glob(filepath.Join("testdata", "*.jpg"))
	for _, p := range fixtures {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	// The corpus seeds are added only when it is present (corpusJPEGs would
	// skip the whole target otherwise); ../../.. is the module root.
	if _, err := os.Stat(filepath.Join("..", "..", "..", "shared", "corpus", "expected.jsonl")); err == nil {
		for _, c := range corpusJPEGs(f) {
			if data, err := os.ReadFile(c.path); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte{})
	f.Add([]byte{0xFF, 0xD8, 0xFF})
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xD9})
	f.Add(header(0xC2, 8, 8, 8, 0x11))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, cerr := jpeg.DecodeConfig(data)
		img, err := jpeg.Decode(data, fuzzLimits)
		if err != nil {
			return
		}
		if cerr != nil {
			t.Fatalf("Decode succeeded but DecodeConfig failed: %v", cerr)
		}
		if cfg != img.Config {
			t.Fatalf("DecodeConfig %+v, Decode %+v", cfg, img.Config)
		}
		if len(img.RGB) != img.Width*img.Height*3 {
			t.Fatalf("%d RGB bytes for %dx%d", len(img.RGB), img.Width, img.Height)
		}
		if img.Alpha != nil || img.Index != nil || img.Palette != nil {
			t.Fatalf("JPEG decoding filled Alpha, Index or Palette")
		}
		// The libjpeg-turbo 3.0.1 smoothing rules read other neighbouring
		// blocks: they must not panic nor fail where the default succeeds.
		img3, err := jpeg.DecodeTurbo301(data, fuzzLimits)
		if err != nil {
			t.Fatalf("Decode succeeded but DecodeTurbo301 failed: %v", err)
		}
		if img3.Config != img.Config || len(img3.RGB) != len(img.RGB) {
			t.Fatalf("DecodeTurbo301 %+v, Decode %+v", img3.Config, img.Config)
		}
	})
}
