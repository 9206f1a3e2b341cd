package bmp_test

import (
	"path/filepath"
	"testing"

	"github.com/starlight/dataserver/internal/codectest"
)

// FuzzDecode checks that no input makes the decoder panic (a recovered
// panic shows as "internal decoder failure") and that what it returns is
// consistent with DecodeConfig and with its own sizes.
func FuzzDecode(f *testing.F) {
	f.Add([]byte("BM"))
	f.Add(mkBMP(3, 2, 24, 0, nil, ramp(24)))
	f.Add(mkBMP(3, -2, 4, 0, ramp(64), ramp(8)))
	f.Add(mkBMP(4, 2, 8, 1, ramp(1024), []byte{4, 1, 0, 0, 0, 2, 1, 0, 0, 3, 1, 2, 3, 0, 0, 1}))
	codectest.AddFiles(f, filepath.Join("testdata", "pillow", "case-*.bmp"), 0)
	if !testing.Short() {
		bmpCodec.AddCorpus(f)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		bmpCodec.Consistent(t, data, codectest.FuzzLimits)
	})
}
