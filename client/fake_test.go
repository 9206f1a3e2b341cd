package client

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// fake is a DataService with a synthetic schedule: per epochs of perEpoch
// batches, batch i of epoch e holding one sample "e/i", cursor "e:i".
// Faults are injected per call through fail.
type fake struct {
	pb.UnimplementedDataServiceServer
	perEpoch uint64

	mu    sync.Mutex
	calls []*pb.StreamBatchesRequest
	auth  []string
	// fail decides, for call n (0-based) and the batches sent so far in
	// it, whether to end the call with an error instead of the next batch.
	fail func(call int, sent int) error
	// hold, when it returns true, blocks the call before the next batch
	// until the call ends (the replica is stopped, the client leaves).
	hold func(call int, sent int) bool
	// skip, when set, is added to the start batch of resumed calls (a bug).
	skip uint64
}

func (f *fake) StreamBatches(req *pb.StreamBatchesRequest, stream pb.DataService_StreamBatchesServer) error {
	f.mu.Lock()
	call := len(f.calls)
	f.calls = append(f.calls, req)
	md, _ := metadata.FromIncomingContext(stream.Context())
	f.auth = append(f.auth, strings.Join(md.Get("authorization"), ","))
	fail, hold := f.fail, f.hold
	f.mu.Unlock()

	epoch, batch := req.GetEpoch(), uint64(0)
	if c := req.GetCursor(); c != "" {
		e, b, ok := strings.Cut(c, ":")
		en, err1 := strconv.ParseUint(e, 10, 64)
		bn, err2 := strconv.ParseUint(b, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			return status.Errorf(codes.InvalidArgument, "bad cursor %q", c)
		}
		epoch, batch = en, bn+1+f.skip
		if batch >= f.perEpoch {
			epoch, batch = epoch+1, 0
		}
	}
	end := req.GetEndEpoch()
	if end == 0 {
		end = req.GetEpoch() + 1
	}
	sent := 0
	for ; epoch < end; epoch, batch = epoch+1, 0 {
		for ; batch < f.perEpoch; batch++ {
			if req.GetMaxBatches() > 0 && sent >= int(req.GetMaxBatches()) {
				return nil
			}
			if hold != nil && hold(call, sent) {
				<-stream.Context().Done()
				return stream.Context().Err()
			}
			if fail != nil {
				if err := fail(call, sent); err != nil {
					return err
				}
			}
			m := &pb.StreamBatchesResponse{
				SnapshotId: "snap", Epoch: epoch, BatchIndex: batch, BatchesPerEpoch: f.perEpoch,
				Cursor: fmt.Sprintf("%d:%d", epoch, batch), ContentIds: []string{fmt.Sprintf("%d/%d", epoch, batch)},
			}
			if err := stream.Send(m); err != nil {
				return err
			}
			sent++
		}
	}
	return nil
}

func (f *fake) Stats(ctx context.Context, _ *pb.StatsRequest) (*pb.StatsResponse, error) {
	return &pb.StatsResponse{SnapshotId: "snap"}, nil
}

func (f *fake) requests() []*pb.StreamBatchesRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*pb.StreamBatchesRequest(nil), f.calls...)
}

// serveFake serves f on a loopback port with health SERVING; stop ends it
// (closing its connections, as a killed replica would).
func serveFake(t *testing.T, f *fake, opts ...grpc.ServerOption) (addr string, stop func()) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer(opts...)
	pb.RegisterDataServiceServer(s, f)
	h := health.NewServer()
	h.SetServingStatus(HealthService, healthpb.HealthCheckResponse_SERVING)
	healthpb.RegisterHealthServer(s, h)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Serve(lis)
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			s.Stop()
			<-done
		})
	}
	t.Cleanup(stop)
	return lis.Addr().String(), stop
}

// fastRetry keeps the tests quick.
var fastRetry = WithRetry(RetryPolicy{MaxAttempts: 5, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond})

func dialTest(t *testing.T, addrs []string, opts ...Option) *Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, addrs, append([]Option{fastRetry, WithWaitReady()}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// ids runs a stream to its end and returns its sample ids and final error.
func ids(t *testing.T, c *Client, req *pb.StreamBatchesRequest) ([]string, []*Batch, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out []string
	var bs []*Batch
	for b, err := range c.Stream(ctx, req) {
		if err != nil {
			return out, bs, err
		}
		out = append(out, b.GetContentIds()...)
		bs = append(bs, b)
	}
	return out, bs, nil
}

func seq(epochs, per int) []string {
	var out []string
	for e := range epochs {
		for b := range per {
			out = append(out, fmt.Sprintf("%d/%d", e, b))
		}
	}
	return out
}
