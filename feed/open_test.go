package feed

import (
	"context"
	"errors"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/starlight/dataserver/catalog"
	"github.com/starlight/dataserver/internal/demotree"
	"github.com/starlight/dataserver/sampling"
)

// demoCatalog serves the demo tree, indexed by the real index.
func demoCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	cat := catalog.New(demotree.Root(t), catalog.Options{})
	if err := cat.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	return cat
}

// drain reads every batch of spec and returns their (epoch, index) pairs
// and the cursor of the last one.
func drain(t *testing.T, f *Feed, cat *catalog.Catalog, spec Spec) (int, []uint64, string, error) {
	t.Helper()
	bs, err := f.Open(context.Background(), cat, spec)
	if err != nil {
		return 0, nil, "", err
	}
	defer bs.Close()
	n, cursor := 0, ""
	var epochs []uint64
	for {
		b, err := bs.Next(context.Background())
		if err == io.EOF {
			return n, epochs, cursor, nil
		}
		if err != nil {
			return n, epochs, cursor, err
		}
		n++
		epochs = append(epochs, b.Epoch)
		cursor = b.Cursor
		b.Release()
	}
}

// TestTopEpoch: epoch 2^64-1 streams one epoch (end_epoch 0), and a cursor
// at its end, or past a request's end epoch, is ErrPastEnd instead of an
// empty stream.
func TestTopEpoch(t *testing.T) {
	cat := demoCatalog(t)
	f := newFeed(t, Config{})
	p := sampling.Params{BatchSize: 8, World: 1, Mix: sampling.Mix{1, 1, 1}, Epoch: math.MaxUint64}
	layout := Layout{Streams: []Stream{Format}}
	n, epochs, last, err := drain(t, f, cat, Spec{Params: p, Layout: layout})
	if err != nil || n == 0 {
		t.Fatalf("top epoch: %d batches, %v", n, err)
	}
	for _, e := range epochs {
		if e != math.MaxUint64 {
			t.Fatalf("a batch of epoch %d in a stream of the top epoch", e)
		}
	}
	_, _, _, err = drain(t, f, cat, Spec{Params: p, Layout: layout, Cursor: last})
	if !errors.Is(err, ErrPastEnd) || !strings.Contains(err.Error(), "leave the cursor out") {
		t.Errorf("cursor at the end of the top epoch: %v, want ErrPastEnd", err)
	}

	// An ordinary request: its last cursor, sent again, is past its end.
	p.Epoch = 3
	n, _, last, err = drain(t, f, cat, Spec{Params: p, EndEpoch: 5, Layout: layout})
	if err != nil || n == 0 {
		t.Fatalf("epochs 3-4: %d batches, %v", n, err)
	}
	if _, _, _, err := drain(t, f, cat, Spec{Params: p, EndEpoch: 5, Layout: layout, Cursor: last}); !errors.Is(err, ErrPastEnd) || !strings.Contains(err.Error(), "raise end_epoch") {
		t.Errorf("cursor at the end: %v, want ErrPastEnd", err)
	}
	// The same cursor resumes a request that goes further.
	if m, epochs, _, err := drain(t, f, cat, Spec{Params: p, EndEpoch: 6, Layout: layout, Cursor: last}); err != nil || m == 0 || epochs[0] != 5 {
		t.Errorf("resuming into epoch 5: %d batches from epoch %v, %v", m, epochs, err)
	}
	if _, _, _, err := drain(t, f, cat, Spec{Params: p, EndEpoch: 3, Layout: layout}); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "end_epoch is exclusive") {
		t.Errorf("end_epoch not after epoch: %v", err)
	}
}
