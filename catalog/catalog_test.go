package catalog_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/starlight/dataserver/catalog"
	"github.com/starlight/dataserver/catalog/catalogtest"
	"github.com/starlight/dataserver/index"
	"github.com/starlight/dataserver/internal/corpustest"
)

// TestLeases: the current snapshot and held ones resolve; a released,
// replaced snapshot is ErrSnapshotGone; nothing resolves before the first.
func TestLeases(t *testing.T) {
	root := corpustest.Datasets(t)
	cat := catalog.New(root, catalog.Options{Build: catalogtest.Build})
	if _, err := cat.Acquire(""); !errors.Is(err, catalog.ErrNotReady) {
		t.Fatalf("before the first snapshot: %v", err)
	}
	select {
	case <-cat.Ready():
		t.Fatal("ready before the first snapshot")
	default:
	}
	first := catalogtest.MustBuild(t, root)
	cat.Set(first)
	<-cat.Ready()
	lease, err := cat.Acquire(first.ID)
	if err != nil {
		t.Fatal(err)
	}
	second := &index.Snapshot{ID: "second", Created: time.Now(), Samples: first.Samples[:10]}
	cat.Set(second)
	if l, err := cat.Acquire(first.ID); err != nil {
		t.Fatalf("held snapshot: %v", err)
	} else {
		l.Release()
	}
	if l, err := cat.Acquire(""); err != nil || l.View().ID() != "second" {
		t.Fatalf("current: %v", err)
	} else {
		l.Release()
	}
	lease.Release()
	lease.Release() // twice is harmless
	if _, err := cat.Acquire(first.ID); !errors.Is(err, catalog.ErrSnapshotGone) {
		t.Fatalf("released old snapshot: %v, want ErrSnapshotGone", err)
	}
	if v := cat.Current(); v.Accepted != 10 || len(v.Counts) == 0 {
		t.Fatalf("view of the second snapshot: %d accepted, %d cells", v.Accepted, len(v.Counts))
	}
}

// TestReindexRefusal: a second Reindex while one runs fails at once with
// ErrReindexRunning; the first goes on even when its caller stops waiting.
func TestReindexRefusal(t *testing.T) {
	root := corpustest.Datasets(t)
	gate := make(chan struct{})
	var calls atomic.Int32
	cat := catalog.New(root, catalog.Options{Build: func(ctx context.Context, r string, o index.Options) (*index.Snapshot, error) {
		calls.Add(1)
		<-gate
		return catalogtest.Build(ctx, r, o)
	}})
	defer cat.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := cat.Reindex(ctx); done <- err }()
	for !cat.Reindexing() {
		time.Sleep(time.Millisecond)
	}
	if _, err := cat.Reindex(context.Background()); !errors.Is(err, catalog.ErrReindexRunning) {
		t.Fatalf("second reindex: %v", err)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("caller that stopped waiting: %v", err)
	}
	close(gate)
	<-cat.Ready() // the build went on and swapped
	for cat.Reindexing() {
		time.Sleep(time.Millisecond)
	}
	res, err := cat.Reindex(context.Background())
	if err != nil || res.Previous == nil || res.Current.ID() != res.Previous.ID() || !res.Changes.Empty() {
		t.Fatalf("reindex of an unchanged tree: %+v, %v", res, err)
	}
	if calls.Load() != 2 {
		t.Fatalf("%d builds, want 2", calls.Load())
	}
}

// TestProblemsPaging pages a view's problems.
func TestProblemsPaging(t *testing.T) {
	cat := catalog.New("x", catalog.Options{})
	ps := []index.Problem{{Code: "a"}, {Code: "b"}, {Code: "c"}}
	v := cat.Set(&index.Snapshot{ID: "p", Problems: ps})
	if page, total := v.Problems(1, 5); total != 3 || len(page) != 2 || page[0].Code != "b" {
		t.Fatalf("page %v total %d", page, total)
	}
	if page, _ := v.Problems(3, 5); len(page) != 0 {
		t.Fatalf("past the end: %v", page)
	}
}
