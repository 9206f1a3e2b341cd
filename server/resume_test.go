package server

import (
	"context"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	pb "github.com/starlight/dataserver/proto/dataserver/v1"
	"github.com/starlight/dataserver/sampling"
)

func cloneRequest(r *pb.StreamBatchesRequest) *pb.StreamBatchesRequest {
	return proto.Clone(r).(*pb.StreamBatchesRequest)
}

// paths lists the samples of batches in order.
func paths(bs []*pb.StreamBatchesResponse) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.GetPaths()...)
	}
	return out
}

// sameBatches fails unless got and want hold the same batches, in order.
func sameBatches(t *testing.T, got, want []*pb.StreamBatchesResponse) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d batches, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i].GetBatchIndex() != want[i].GetBatchIndex() || got[i].GetEpoch() != want[i].GetEpoch() ||
			strings.Join(got[i].GetPaths(), ",") != strings.Join(want[i].GetPaths(), ",") ||
			got[i].GetCursor() != want[i].GetCursor() {
			t.Fatalf("batch %d differs: epoch %d index %d vs epoch %d index %d", i,
				got[i].GetEpoch(), got[i].GetBatchIndex(), want[i].GetEpoch(), want[i].GetBatchIndex())
		}
	}
}

// TestDeterminismResumeRanks: same request, same batches; cancel mid-epoch
// and resume from the cursor gives the uninterrupted run; each rank's
// batches are exactly the sampling schedule's, over two epochs.
func TestDeterminismResumeRanks(t *testing.T) {
	r := start(t, testConfig(t), true)
	c := pb.NewDataServiceClient(dial(t, r.addr))
	req := &pb.StreamBatchesRequest{BatchSize: 5, Seed: 11, Epoch: 2, EndEpoch: 4, ClassBalance: true,
		Mix: &pb.Mix{Clean: 2, Stego: 1, Negative: 1}, Streams: []pb.StreamKind{pb.StreamKind_STREAM_KIND_CONTENT}}
	a, err := pull(context.Background(), t, c, req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := pull(context.Background(), t, c, req)
	if err != nil {
		t.Fatal(err)
	}
	sameBatches(t, b, a)
	if a[0].GetEpoch() != 2 || a[len(a)-1].GetEpoch() != 3 || len(a) != 2*int(a[0].GetBatchesPerEpoch()) {
		t.Fatalf("two epochs 2..3: got %d batches from epoch %d to %d", len(a), a[0].GetEpoch(), a[len(a)-1].GetEpoch())
	}

	// Cancel after k batches, resume from the cursor, at several places
	// including an epoch boundary.
	per := int(a[0].GetBatchesPerEpoch())
	for _, k := range []int{1, per / 2, per, per + 1} {
		ctx, cancel := context.WithCancel(context.Background())
		stream, err := c.StreamBatches(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		var head []*pb.StreamBatchesResponse
		for len(head) < k {
			m, err := stream.Recv()
			if err != nil {
				t.Fatal(err)
			}
			head = append(head, m)
		}
		cancel()
		resume := cloneRequest(req)
		resume.Cursor = head[len(head)-1].GetCursor()
		tail, err := pull(context.Background(), t, c, resume)
		if err != nil {
			t.Fatalf("resume after %d batches: %v", k, err)
		}
		sameBatches(t, append(head, tail...), a)
	}

	// Ranks: each rank's batches are the schedule's batches for that rank.
	view := r.srv.Catalog().Current()
	const world = 3
	for rank := 0; rank < world; rank++ {
		rr := cloneRequest(req)
		rr.Rank, rr.WorldSize, rr.EndEpoch = uint32(rank), world, 0
		got, err := pull(context.Background(), t, c, rr)
		if err != nil {
			t.Fatal(err)
		}
		sched, err := sampling.New(view.PoolsFor(sampling.SplitTrain), sampling.Params{Seed: 11, Epoch: 2, Mix: sampling.Mix{2, 1, 1},
			BatchSize: 5, Rank: rank, World: world, ClassBalance: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != sched.BatchesPerEpoch() {
			t.Fatalf("rank %d: %d batches, schedule has %d", rank, len(got), sched.BatchesPerEpoch())
		}
		for bi, m := range got {
			var want []string
			for _, d := range sched.Batch(bi) {
				want = append(want, d.Sample.Path)
			}
			if strings.Join(m.GetPaths(), ",") != strings.Join(want, ",") {
				t.Fatalf("rank %d batch %d differs from the schedule", rank, bi)
			}
		}
	}

	// A cursor with other parameters is refused; garbage too.
	bad := cloneRequest(req)
	bad.Cursor = a[0].GetCursor()
	bad.Seed = 12
	if _, err := pull(context.Background(), t, c, bad); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("cursor with another seed: %v, want InvalidArgument", err)
	}
	bad.Seed, bad.Cursor = 11, "garbage"
	if _, err := pull(context.Background(), t, c, bad); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("garbage cursor: %v, want InvalidArgument", err)
	}
}
