package server

import (
	"context"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

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
