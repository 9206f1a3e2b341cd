package png_test

import (
	"path/filepath"
	"testing"

	"github.com/starlight/dataserver/internal/codectest"
)

// FuzzDecode checks that no input makes the decoder panic (a recovered
// panic shows as "internal decoder failure") and that what it returns is
// consistent with DecodeConfig and with its own sizes.
func FuzzDecode(f *testing.F) {
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Add(mkPNG(3, 2, 8, 2, deflate([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0})))
	f.Add(mkPNG(5, 3, 2, 0, deflate([]byte{0, 0x1b, 0xe4, 1, 0xff, 0x0f, 4, 0x12, 0x34})))
	f.Add(mkPNG(2, 2, 16, 4, deflate([]byte{2, 1, 2, 3, 4, 5, 6, 7, 8, 3, 9, 8, 7, 6, 5, 4, 3, 2})))
	codectest.AddFiles(f, filepath.Join("testdata", "pillow", "case-*.png"), 64<<10)
	if !testing.Short() {
		pngCodec.AddCorpus(f)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pngCodec.Consistent(t, data, codectest.FuzzLimits)
	})
}
