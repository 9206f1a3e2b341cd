package catalog_test

import (
	"context"
	"testing"

	"github.com/starlight/dataserver/catalog"
	"github.com/starlight/dataserver/demo"
	"github.com/starlight/dataserver/index"
)

// TestProgressDuringBuild: while the real index builds the demo tree,
// Progress reports a running build whose done count climbs to the total;
// after it, nothing runs.
func TestProgressDuringBuild(t *testing.T) {
	sum, err := demo.Write(t.TempDir(), demo.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var cat *catalog.Catalog
	var seen []catalog.Progress
	build := func(ctx context.Context, root string, opts index.Options) (*index.Snapshot, error) {
		inner := opts.Progress
		opts.Progress = func(done, total int) {
			inner(done, total)
			seen = append(seen, cat.Progress())
		}
		return index.Build(ctx, root, opts)
	}
	cat = catalog.New(sum.Dir, catalog.Options{Build: build})
	if p := cat.Progress(); p.Running {
		t.Fatalf("running before any build: %+v", p)
	}
	if err := cat.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(seen) < sum.Images {
		t.Fatalf("%d progress reports for %d images", len(seen), sum.Images)
	}
	for i, p := range seen {
		if !p.Running || p.Done != i+1 || p.Total != len(seen) || p.Started.IsZero() {
			t.Fatalf("report %d: %+v (of %d)", i, p, len(seen))
		}
	}
	if last := seen[len(seen)-1]; last.Rate <= 0 {
		t.Errorf("no rate at the end: %+v", last)
	}
	if mid := seen[len(seen)/2]; mid.ETA <= 0 {
		t.Errorf("no ETA half way: %+v", mid)
	}
	if p := cat.Progress(); p.Running || p.Done != len(seen) {
		t.Errorf("after the build: %+v", p)
	}
}
