package gif_test

import (
	"path/filepath"
	"testing"

	"github.com/starlight/dataserver/internal/codectest"
)

// FuzzDecode checks that no input makes the decoder panic (a recovered
// panic shows as "internal decoder failure") and that what it returns is
// consistent with DecodeConfig and with its own sizes.
func FuzzDecode(f *testing.F) {
	f.Add([]byte("GIF89a"))
	f.Add(mkGIF(3, 2, pattern(6)))
	f.Add(mkGIF(5, 4, pattern(20), pattern(20)))
	codectest.AddFiles(f, filepath.Join("testdata", "pillow", "case-*.gif"), 64<<10)
	if !testing.Short() {
		gifCodec.AddCorpus(f)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		gifCodec.Consistent(t, data, codectest.FuzzLimits)
	})
}
