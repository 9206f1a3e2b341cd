package reliability

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/extract"
	"github.com/starlight/dataserver/index"
	"github.com/starlight/dataserver/internal/treetest"
)

// bombBytesPerPixel bounds the heap one decompression bomb may take, per
// declared pixel, to index (as a negative: decoded, five extractors) or to
// extract (as the feed does at serve time).
const bombBytesPerPixel = 16

// TestDecompressionBombMemory measures the live heap that a black PNG of
// side x side pixels (about a thousandth of that on disk) takes to index
// as a negative and to extract, and projects it to an image at the default
// pixel limit on every worker at once.
func TestDecompressionBombMemory(t *testing.T) {
	side := 4096
	if isLong() {
		side = 8192 // exactly codec.DefaultLimits.MaxPixels
	}
	data := deflatePNG(side, side)
	px := uint64(side * side)
	root := filepath.Join(t.TempDir(), "datasets")
	treetest.WriteFile(t, root, "b_submission_2025/negatives/special_cases/bomb.png", data)

	h := watchHeap()
	snap, err := index.Build(context.Background(), root, index.Options{Workers: 1})
	peak, base := h.Stop()
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := snap.Sample("b_submission_2025/negatives/special_cases/bomb.png"); !ok || !s.Accepted {
		t.Errorf("the black %dx%d negative is not served: %v", side, side, snap.Problems)
	}
	indexHeap := peak - base

	h = watchHeap()
	st, err := extract.Extract(data, extract.Options{})
	peak, base = h.Stop()
	if err != nil || st == nil {
		t.Fatalf("extracting the %dx%d PNG: %v", side, side, err)
	}
	runtime.KeepAlive(st)
	extractHeap := peak - base

	perIndex, perExtract := float64(indexHeap)/float64(px), float64(extractHeap)/float64(px)
	limit := uint64(codec.DefaultLimits.MaxPixels)
	worst := max(perIndex, perExtract) * float64(limit) * float64(runtime.GOMAXPROCS(0))
	t.Logf("FIGURE decompression bomb %dx%d (%d KiB on disk, %.0f Mpx): index as a negative %s live heap (%.1f B/px), extract %s (%.1f B/px); at the default limit of %d Mpx on %d workers at once: about %s",
		side, side, len(data)>>10, float64(px)/(1<<20), mib(indexHeap), perIndex, mib(extractHeap), perExtract,
		limit>>20, runtime.GOMAXPROCS(0), mib(uint64(worst)))
	for what, v := range map[string]float64{"indexing": perIndex, "extracting": perExtract} {
		if v > bombBytesPerPixel {
			t.Errorf("%s the bomb took %.1f B of heap per pixel, over the %d B bound", what, v, bombBytesPerPixel)
		}
	}
}
