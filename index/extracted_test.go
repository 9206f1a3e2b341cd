package index

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"github.com/starlight/dataserver/extract"
	"github.com/starlight/dataserver/internal/corpustest"
)

// TestExtractedStreamsAreExtracts: over the corpus, Options.Extracted is
// called for every served sample (clean, pixel and non-pixel stego,
// negatives) with exactly the streams extract.Extract gives for its file;
// an image with an error is never handed over, and HeaderOnly hands over
// only what its payload checks decoded.
func TestExtractedStreamsAreExtracts(t *testing.T) {
	root := corpustest.Datasets(t)
	var mu sync.Mutex
	got := map[string]*extract.Streams{}
	calls := 0
	s, err := Build(context.Background(), root, Options{Extracted: func(id string, st *extract.Streams) {
		mu.Lock()
		defer mu.Unlock()
		got[id] = st
		calls++
	}})
	if err != nil {
		t.Fatal(err)
	}
	served := s.Served()
	for _, x := range served {
		st, ok := got[x.ID]
		if !ok {
			t.Errorf("%s (%s): no streams handed over", x.Path, x.Kind)
			continue
		}
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(x.Path)))
		if err != nil {
			t.Fatal(err)
		}
		want, err := extract.Extract(data, extract.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(st, want) {
			t.Errorf("%s: handed-over streams differ from extract.Extract", x.Path)
		}
	}
	t.Logf("%d calls for %d served samples (%d distinct contents)", calls, len(served), len(got))

	tr := baseTree(t)
	bad := "a_submission_2025/clean/bad-filter.png"
	tr.write(bad, breakFirstFilter(t, encPNG(t, opaque(picture(7, 32, 32)))))
	handed := map[string]bool{}
	for _, headerOnly := range []bool{false, true} {
		clear(handed)
		snap := tr.build(Options{HeaderOnly: headerOnly, Extracted: func(id string, _ *extract.Streams) {
			mu.Lock()
			defer mu.Unlock()
			handed[id] = true
		}})
		x, ok := snap.Sample(bad)
		if !ok {
			t.Fatalf("%s not indexed", bad)
		}
		if handed[x.ID] {
			t.Errorf("HeaderOnly %t: the undecodable image was handed over", headerOnly)
		}
		n := 0
		for _, y := range snap.Served() {
			if handed[y.ID] {
				n++
			}
		}
		if !headerOnly && n != len(snap.Served()) {
			t.Errorf("%d of %d served samples handed over", n, len(snap.Served()))
		}
		if headerOnly && n == len(snap.Served()) && len(snap.Served()) > 0 {
			t.Errorf("HeaderOnly handed over all %d served samples: it decodes only negatives and pixel stego", n)
		}
	}
}
