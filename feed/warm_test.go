package feed

import (
	"context"
	"reflect"
	"testing"

	"github.com/starlight/dataserver/index"
)

// TestWarmFromTheIndex: a feed warmed by the index's Extracted hook serves
// a whole corpus epoch without extracting anything, the streams equal to a
// cold feed's, and its disk cache lets a restarted feed do the same.
func TestWarmFromTheIndex(t *testing.T) {
	root, _ := corpus(t)
	dir := t.TempDir()
	warm := newFeed(t, Config{CacheDir: dir})
	snap, err := index.Build(context.Background(), root, index.Options{Extracted: warm.Warm})
	if err != nil {
		t.Fatal(err)
	}
	cold := newFeed(t, Config{})
	restarted := newFeed(t, Config{CacheDir: dir})
	served := snap.Served()
	for i := range served {
		s := &served[i]
		want, err := cold.Load(context.Background(), root, s)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []*Feed{warm, restarted} {
			got, err := f.Load(context.Background(), root, s)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: warmed streams differ from extracted ones", s.Path)
			}
		}
	}
	for name, f := range map[string]*Feed{"warmed": warm, "restarted on its disk cache": restarted} {
		if st := f.Stats(); st.CacheMisses != 0 || st.CacheHits != uint64(len(served)) {
			t.Errorf("%s feed: %d misses, %d hits over %d samples; want 0 misses", name, st.CacheMisses, st.CacheHits, len(served))
		}
	}
	if st := warm.Stats(); st.Warmed != uint64(len(served)) {
		t.Errorf("warmed feed counts %d images warmed, the index handed over %d", st.Warmed, len(served))
	}
	if st := cold.Stats(); st.CacheMisses == 0 || st.Warmed != 0 {
		t.Errorf("the cold feed extracted nothing: %+v", st)
	}
	warm.Warm("0000", nil) // nothing to store, no panic
}
