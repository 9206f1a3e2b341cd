package webp_test

import (
	"path/filepath"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/internal/codectest"
)

// FuzzDecode checks that no input makes the decoder panic (a recovered
// panic shows as "decoder panic") and that what it returns is consistent
// with DecodeConfig and with its own sizes. It is seeded with the vector
// files, the corpus's WebP files when the corpus is present, and a few
// hand-made headers.
func FuzzDecode(f *testing.F) {
	codectest.AddFiles(f, filepath.Join("testdata", "pillow", "*.webp"), 0)
	webpCodec.AddCorpus(f)
	f.Add([]byte("RIFF\x0c\x00\x00\x00WEBPVP8 "))
	f.Add([]byte("RIFF\x16\x00\x00\x00WEBPVP8L\x0a\x00\x00\x00\x2f\x00\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Add([]byte("RIFF\x1e\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x10\x00\x00\x00\xff\x00\x00\xff\x00\x00ALPH\x01\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		webpCodec.Consistent(t, data, fuzzLimits)
	})
}

// fuzzLimits keep a fuzzed header from asking for much memory.
var fuzzLimits = codec.Limits{MaxPixels: 1 << 18, MaxDimension: 2048}
