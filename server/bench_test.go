package server

import (
	"context"
	"errors"
	"io"
	"testing"

	"google.golang.org/grpc"

	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// benchStream pulls b.N batches of 32 samples with the default streams over
// loopback TCP after one warm epoch: the figures of cached epochs.
func benchStream(b *testing.B, pack bool) {
	r := start(b, testConfig(b), true)
	c := pb.NewDataServiceClient(dial(b, r.addr,
		grpc.WithInitialWindowSize(16<<20), grpc.WithInitialConnWindowSize(64<<20)))
	req := &pb.StreamBatchesRequest{BatchSize: 32, Seed: 1, PackBitPlanes: pack}
	if _, err := drain(c, req); err != nil { // warm the cache with one epoch
		b.Fatal(err)
	}
	req.EndEpoch = 1 << 30
	req.MaxBatches = uint32(b.N)
	b.ReportAllocs()
	b.ResetTimer()
	n, err := drain(c, req)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(n / int64(b.N))
	b.ReportMetric(float64(b.N*32)/b.Elapsed().Seconds(), "samples/s")
}

// drain reads a whole stream and returns the tensor bytes received.
func drain(c pb.DataServiceClient, req *pb.StreamBatchesRequest) (int64, error) {
	s, err := c.StreamBatches(context.Background(), req)
	if err != nil {
		return 0, err
	}
	var n int64
	for {
		m, err := s.Recv()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		for _, t := range m.GetTensors() {
			n += int64(len(t.GetData()))
		}
	}
}

// BenchmarkStreamCached streams cached batches, bit planes unpacked.
func BenchmarkStreamCached(b *testing.B) { benchStream(b, false) }

// BenchmarkStreamCachedPacked streams them with bit planes packed.
func BenchmarkStreamCachedPacked(b *testing.B) { benchStream(b, true) }
