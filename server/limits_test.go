package server

import (
	"context"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// TestDefaultClientLimit: a client with gRPC's default 4 MiB receive limit
// (grpcurl's too) gets a batch of 4 with the default streams, unpacked, as
// the README's grpcurl call asks.
func TestDefaultClientLimit(t *testing.T) {
	r := start(t, testConfig(t), true)
	cc, err := grpc.NewClient(r.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	got, err := pull(context.Background(), t, pb.NewDataServiceClient(cc), &pb.StreamBatchesRequest{BatchSize: 4, MaxBatches: 2})
	if err != nil || len(got) != 2 {
		t.Fatalf("%d batches, %v", len(got), err)
	}
}

// TestErrorMessagesSayWhatToDo: what a caller reads names no Go package and
// says what to do instead.
func TestErrorMessagesSayWhatToDo(t *testing.T) {
	r := start(t, testConfig(t), true)
	c := pb.NewDataServiceClient(dial(t, r.addr))
	good, err := pull(context.Background(), t, c, &pb.StreamBatchesRequest{BatchSize: 4, MaxBatches: 1, Streams: []pb.StreamKind{pb.StreamKind_STREAM_KIND_FORMAT}})
	if err != nil {
		t.Fatal(err)
	}
	cursor := good[0].GetCursor()
	for name, c2 := range map[string]struct {
		req  *pb.StreamBatchesRequest
		code codes.Code
		hint string
	}{
		"bad cursor":       {&pb.StreamBatchesRequest{BatchSize: 4, Cursor: "garbage"}, codes.InvalidArgument, "leave it out"},
		"cursor mismatch":  {&pb.StreamBatchesRequest{BatchSize: 4, Seed: 9, Cursor: cursor}, codes.InvalidArgument, "leave it out"},
		"gone snapshot":    {&pb.StreamBatchesRequest{BatchSize: 4, SnapshotId: "0000"}, codes.FailedPrecondition, "leave snapshot_id and the cursor out"},
		"end before start": {&pb.StreamBatchesRequest{BatchSize: 4, Epoch: 5, EndEpoch: 5}, codes.InvalidArgument, "end_epoch is exclusive"},
		"past the end":     {&pb.StreamBatchesRequest{BatchSize: 4, EndEpoch: 1, Cursor: lastCursor(t, c)}, codes.OutOfRange, "raise end_epoch"},
	} {
		_, err := pull(context.Background(), t, c, c2.req)
		st, _ := status.FromError(err)
		msg := st.Message()
		if st.Code() != c2.code || !strings.Contains(msg, c2.hint) {
			t.Errorf("%s: %v, want %s saying %q", name, err, c2.code, c2.hint)
		}
		for _, prefix := range []string{"sampling:", "feed:", "catalog:", "server:", "index:"} {
			if strings.Contains(msg, prefix) {
				t.Errorf("%s: message %q carries the package prefix %q", name, msg, prefix)
			}
		}
	}
}

// lastCursor returns the cursor of the last batch of epoch 0 (format only, batch 4).
func lastCursor(t *testing.T, c pb.DataServiceClient) string {
	t.Helper()
	all, err := pull(context.Background(), t, c, &pb.StreamBatchesRequest{BatchSize: 4, Streams: []pb.StreamKind{pb.StreamKind_STREAM_KIND_FORMAT}})
	if err != nil || len(all) == 0 {
		t.Fatalf("%d batches, %v", len(all), err)
	}
	return all[len(all)-1].GetCursor()
}
