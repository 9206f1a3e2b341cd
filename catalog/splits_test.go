package catalog_test

import (
	"context"
	"testing"
	"time"

	"github.com/starlight/dataserver/catalog"
	"github.com/starlight/dataserver/index"
	"github.com/starlight/dataserver/sampling"
)

// TestSplitPoolsAndMoves: each split's pools hold its samples, identical
// bytes once; "all" holds every split; a reindex reports the samples whose
// split changed.
func TestSplitPoolsAndMoves(t *testing.T) {
	smp := func(path, id, split string) index.Sample {
		return index.Sample{ID: id, Path: path, Kind: index.KindClean, Class: index.ClassNone, Accepted: true, Split: split, Group: id}
	}
	dup := smp("a/clean/2copy.png", "id2", "val")
	dup.CopyOf = "a/clean/2.png"
	first := &index.Snapshot{ID: "one", Created: time.Now(), Samples: []index.Sample{
		smp("a/clean/1.png", "id1", "train"), smp("a/clean/2.png", "id2", "val"), dup, smp("a/clean/3.png", "id3", "test"),
	}}
	second := &index.Snapshot{ID: "two", Created: time.Now(), Samples: []index.Sample{
		smp("a/clean/1.png", "id1", "val"), smp("a/clean/2.png", "id2", "val"), dup, smp("a/clean/3.png", "id3", "test"),
	}}
	snaps := []*index.Snapshot{first, second}
	cat := catalog.New("root", catalog.Options{Build: func(context.Context, string, index.Options) (*index.Snapshot, error) {
		s := snaps[0]
		snaps = snaps[1:]
		return s, nil
	}})
	res, err := cat.Reindex(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	v := res.Current
	for split, want := range map[string]int{"": 1, "train": 1, "val": 1, "test": 1, "all": 3} {
		if got := v.PoolsFor(split).Len(index.KindClean); got != want {
			t.Errorf("split %q: %d samples, want %d", split, got, want)
		}
	}
	if v.PoolsFor("dev") != nil {
		t.Error("pools of an unknown split")
	}
	if v.Splits[1].Split != "val" || v.Splits[1].Samples != 1 || v.Splits[1].Groups != 1 {
		t.Errorf("leak check of val: %+v", v.Splits[1])
	}
	if _, err := sampling.New(v.PoolsFor("val"), sampling.Params{BatchSize: 1, World: 1, Evaluation: true, Split: "val"}); err != nil {
		t.Fatal(err)
	}
	res, err = cat.Reindex(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.SplitMoves) != 1 || res.SplitMoves[0] != (catalog.SplitMove{Path: "a/clean/1.png", From: "train", To: "val"}) {
		t.Errorf("split moves %+v", res.SplitMoves)
	}
}
