package png_test

import (
	"path/filepath"
	"testing"

	"github.com/starlight/dataserver/internal/codectest"
)

// TestPillowCases decodes the generated edge cases (every colour type and
// depth, interlacing, broken chunks, early and corrupt zlib streams, APNG
// regions) and requires Pillow's result: the same pixels, or an error
// where Pillow raised one.
func TestPillowCases(t *testing.T) {
	pngCodec.PillowCases(t, filepath.Join("testdata", "pillow"), 100, codectest.ComparePillow)
}
