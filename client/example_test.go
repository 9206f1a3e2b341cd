package client_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/starlight/dataserver/client"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// A trainer streams one epoch of batches, one negative in every three
// samples, and reads the pixel and packed LSB planes of each batch. The
// stream resumes by itself if the server restarts.
func Example() {
	ctx := context.Background()
	c, err := client.Dial(ctx, []string{"127.0.0.1:50051"}, client.WithToken(os.Getenv("DATASERVER_TOKEN")))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	req := &pb.StreamBatchesRequest{
		BatchSize:     32,
		Mix:           &pb.Mix{Clean: 1, Stego: 1, Negative: 1},
		Seed:          42,
		Epoch:         0,
		Streams:       []pb.StreamKind{pb.StreamKind_STREAM_KIND_PIXEL, pb.StreamKind_STREAM_KIND_LSB},
		PackBitPlanes: true,
	}
	for b, err := range c.Stream(ctx, req) {
		if err != nil {
			log.Fatal(err)
		}
		pixel, _ := b.Tensor("pixel")
		px, err := pixel.Uint8() // [B,3,256,256], no copy
		if err != nil {
			log.Fatal(err)
		}
		lsb, _ := b.Tensor("lsb")
		bits, err := lsb.Uint8() // unpacked once from 1 bit a value
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(b.GetEpoch(), b.GetBatchIndex(), len(px), len(bits), b.GetLabels())
	}
}

// Several replicas: calls spread over them, and a stream whose replica dies
// resumes on another from its last cursor. A DNS name that resolves to every
// replica (a Kubernetes headless Service) works the same way.
func ExampleDial_replicas() {
	ctx := context.Background()
	c, err := client.Dial(ctx, []string{"10.0.0.11:50051", "10.0.0.12:50051", "10.0.0.13:50051"},
		client.WithCAFile("ca.pem"), client.WithToken(os.Getenv("DATASERVER_TOKEN")))
	// or: client.Dial(ctx, []string{"dns:///dataserver-headless.ml.svc.cluster.local:50051"}, ...)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	// Rank 2 of 4 reads its share of epoch 3.
	for b, err := range c.Stream(ctx, &pb.StreamBatchesRequest{BatchSize: 64, Seed: 1, Epoch: 3, Rank: 2, WorldSize: 4}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(b.Peer, b.GetBatchIndex(), b.Resumes)
	}
}

// Next-style reading, keeping the cursor to resume later (for instance in
// the trainer's checkpoint).
func ExampleClient_Open() {
	ctx := context.Background()
	c, err := client.Dial(ctx, []string{"127.0.0.1:50051"})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	req := &pb.StreamBatchesRequest{BatchSize: 16, Seed: 7, EndEpoch: 10}
	s := c.Open(ctx, req)
	for range 100 {
		b, err := s.Next()
		if err != nil {
			break // io.EOF at the end
		}
		_ = b
	}
	s.Close()
	// Later, maybe in another process: the same request plus the cursor.
	req.Cursor = s.Cursor()
	for b, err := range c.Stream(ctx, req) {
		if err != nil {
			log.Fatal(err)
		}
		_ = b
	}
}

// A dashboard reads the counts and pages through the validation problems.
func ExampleClient_Stats() {
	ctx := context.Background()
	c, err := client.Dial(ctx, []string{"127.0.0.1:50051"}, client.WithWaitReady())
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	st, err := c.Stats(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(st.GetSnapshotId(), st.GetSamples(), st.GetAccepted(), st.GetServing().GetActiveStreams())
	for p, err := range c.Problems(ctx) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(p.GetSeverity(), p.GetCode(), p.GetPath(), p.GetMessage())
	}
}

// Bit planes travel packed 8 values a byte, most significant bit first.
func ExampleUnpackBits() {
	values := make([]uint8, 10)
	client.UnpackBits(values, []byte{0b10110000, 0b01000000})
	fmt.Println(values)
	// Output: [1 0 1 1 0 0 0 0 0 1]
}
