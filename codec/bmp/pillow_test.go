package bmp_test

import (
	"path/filepath"
	"testing"

	"github.com/starlight/dataserver/internal/codectest"
)

// TestPillowCases decodes the generated edge cases (every depth, grey and
// colour palettes, bitfields, header variants, RLE8/RLE4 with Pillow's
// quirks, truncation) and requires Pillow's result: the same pixels, or an
// error where Pillow raised one.
func TestPillowCases(t *testing.T) {
	bmpCodec.PillowCases(t, filepath.Join("testdata", "pillow"), 70, codectest.ComparePillow)
}
