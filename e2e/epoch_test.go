package e2e

import (
	"context"
	"math"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/starlight/dataserver/internal/demotree"
	"github.com/starlight/dataserver/server"
)

// TestTopEpochOverTCP: the Go client streams the whole top epoch (2^64-1)
// and stops there; a cursor past a request's end is OUT_OF_RANGE, not an
// empty stream.
func TestTopEpochOverTCP(t *testing.T) {
	srv := startInProcess(t, server.Config{Root: demotree.Root(t)})
	c := dial(t, []string{srv.addr})
	req := light(3)
	req.Epoch = math.MaxUint64
	keys, bs := collect(t, c, req)
	if len(keys) == 0 || uint64(len(keys)) != bs[0].GetBatchesPerEpoch() {
		t.Fatalf("%d batches of the top epoch, %d per epoch", len(keys), bs[0].GetBatchesPerEpoch())
	}
	req.Cursor = bs[len(bs)-1].GetCursor()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var err error
	for _, e := range c.Stream(ctx, req) {
		if e != nil {
			err = e
			break
		}
		t.Fatal("a batch past the end of the top epoch")
	}
	if status.Code(err) != codes.OutOfRange {
		t.Errorf("cursor past the end: %v, want OutOfRange", err)
	}
}
