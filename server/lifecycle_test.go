package server

import (
	"context"
	"errors"
	"net"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/starlight/dataserver/catalog/catalogtest"
	"github.com/starlight/dataserver/index"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// gatedBuild returns a builder whose calls after the first `free` ones wait
// for a value on gate; calls counts the calls started.
func gatedBuild(free int32, gate chan struct{}, calls *atomic.Int32) func(context.Context, string, index.Options) (*index.Snapshot, error) {
	return func(ctx context.Context, root string, o index.Options) (*index.Snapshot, error) {
		if calls.Add(1) > free {
			select {
			case <-gate:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		return catalogtest.Build(ctx, root, o)
	}
}

func healthOf(t *testing.T, cc *grpc.ClientConn) healthpb.HealthCheckResponse_ServingStatus {
	t.Helper()
	resp, err := healthpb.NewHealthClient(cc).Check(context.Background(), &healthpb.HealthCheckRequest{Service: ServiceName})
	if err != nil {
		t.Fatalf("health check: %v", err)
	}
	return resp.GetStatus()
}

// TestHealthTransitions: NOT_SERVING (and data calls UNAVAILABLE) until the
// first index is ready, SERVING after, NOT_SERVING at once at shutdown.
func TestHealthTransitions(t *testing.T) {
	gate := make(chan struct{})
	var calls atomic.Int32
	cfg := testConfig(t)
	cfg.Build = gatedBuild(0, gate, &calls)
	r := start(t, cfg, false)
	cc := dial(t, r.addr)
	c := pb.NewDataServiceClient(cc)
	if got := healthOf(t, cc); got != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Fatalf("before the index: %v, want NOT_SERVING", got)
	}
	// Stats answers with how far the first index is, and nothing else.
	if st, err := c.Stats(context.Background(), &pb.StatsRequest{}); err != nil || !st.GetIndexing().GetRunning() || st.GetSnapshotId() != "" {
		t.Fatalf("Stats before the index: %v, %v; want the indexing progress only", st, err)
	}
	_, err := pull(context.Background(), t, c, &pb.StreamBatchesRequest{BatchSize: 2})
	if status.Code(err) != codes.Unavailable {
		t.Fatalf("StreamBatches before the index: %v, want Unavailable", err)
	}
	close(gate)
	waitServing(t, cc)

	watch, err := healthpb.NewHealthClient(cc).Watch(context.Background(), &healthpb.HealthCheckRequest{Service: ServiceName})
	if err != nil {
		t.Fatal(err)
	}
	if m, err := watch.Recv(); err != nil || m.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("watch: %v %v, want SERVING", m, err)
	}
	errc := make(chan error, 1)
	go func() { errc <- r.stop(t) }()
	m, err := watch.Recv()
	if err == nil && m.GetStatus() != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Fatalf("at shutdown the watch says %v, want NOT_SERVING", m.GetStatus())
	}
	if err != nil {
		t.Logf("watch ended at shutdown before an update: %v", err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("Serve returned %v after a clean shutdown", err)
	}
}

// TestReindexRefusedWhileRunning: a second Reindex while one runs is
// ABORTED with a clear message; the first one finishes and swaps.
func TestReindexRefusedWhileRunning(t *testing.T) {
	gate := make(chan struct{})
	var calls atomic.Int32
	cfg := testConfig(t)
	cfg.Build = gatedBuild(1, gate, &calls)
	r := start(t, cfg, true)
	op := pb.NewDataServiceClient(dial(t, r.addr))
	first := make(chan *pb.ReindexResponse, 1)
	go func() {
		resp, err := op.Reindex(context.Background(), &pb.ReindexRequest{})
		if err != nil {
			t.Errorf("first reindex: %v", err)
		}
		first <- resp
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !r.srv.Catalog().Reindexing() {
		if time.Now().After(deadline) {
			t.Fatal("the first reindex did not start")
		}
		time.Sleep(5 * time.Millisecond)
	}
	st, err := op.Stats(context.Background(), &pb.StatsRequest{})
	if err != nil || !st.GetReindexing() {
		t.Fatalf("Stats while reindexing: reindexing=%v err=%v", st.GetReindexing(), err)
	}
	_, err = op.Reindex(context.Background(), &pb.ReindexRequest{})
	if status.Code(err) != codes.Aborted || !strings.Contains(status.Convert(err).Message(), "already running") {
		t.Fatalf("second reindex: %v, want Aborted saying it is already running", err)
	}
	close(gate)
	resp := <-first
	if resp == nil {
		t.FailNow()
	}
	if resp.GetSnapshotId() == "" || resp.GetSnapshotId() != resp.GetPreviousSnapshotId() {
		t.Fatalf("reindex of an unchanged tree: %s after %s, want the same id", resp.GetSnapshotId(), resp.GetPreviousSnapshotId())
	}
	if len(resp.GetAdded())+len(resp.GetRemoved())+len(resp.GetChanged()) != 0 {
		t.Fatalf("unchanged tree reported changes: %v", resp)
	}
	if _, err := op.Reindex(context.Background(), &pb.ReindexRequest{}); err != nil {
		t.Fatalf("a reindex after the first finished: %v", err)
	}
}

// TestSendTimeout: a consumer that stops reading is ended with
// DEADLINE_EXCEEDED after the send timeout; the server's stream count and
// goroutines return to where they were.
func TestSendTimeout(t *testing.T) {
	cfg := testConfig(t)
	cfg.SendTimeout = 300 * time.Millisecond
	r := start(t, cfg, true)
	// Small windows: the second 1.5 MB batch cannot leave until this client reads.
	cc := dial(t, r.addr, grpc.WithInitialWindowSize(1<<16), grpc.WithInitialConnWindowSize(1<<16))
	c := pb.NewDataServiceClient(cc)
	healthOf(t, cc) // connected: its goroutines count in the baseline
	base := runtime.NumGoroutine()
	stream, err := c.StreamBatches(context.Background(), &pb.StreamBatchesRequest{BatchSize: 8,
		Streams: []pb.StreamKind{pb.StreamKind_STREAM_KIND_PIXEL}})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond) // stall
	got, err := collect(stream)
	if status.Code(err) != codes.DeadlineExceeded || !strings.Contains(err.Error(), "send timeout") {
		t.Fatalf("stalled stream ended with %v after %d batches, want DeadlineExceeded (send timeout)", err, len(got))
	}
	if len(got) == 0 || len(got) >= int(got[0].GetBatchesPerEpoch()) {
		t.Fatalf("stalled stream delivered %d batches", len(got))
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, active := r.srv.consumers.Snapshot()
		n := runtime.NumGoroutine()
		if active == 0 && n <= base+2 {
			break
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("after the timeout: %d active streams, %d goroutines (baseline %d)\n%s", active, n, base, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestGracefulShutdown: with a stream running, shutdown turns health
// NOT_SERVING at once, the stream ends UNAVAILABLE right after a delivered
// batch, Serve returns within the grace period, and resuming from the last
// cursor on a new server completes the epoch exactly.
func TestGracefulShutdown(t *testing.T) {
	cfg := testConfig(t)
	cfg.GracePeriod = 10 * time.Second
	req := &pb.StreamBatchesRequest{BatchSize: 6, Seed: 3, Streams: []pb.StreamKind{pb.StreamKind_STREAM_KIND_PIXEL}}

	ref := start(t, cfg, true)
	want, err := pull(context.Background(), t, pb.NewDataServiceClient(dial(t, ref.addr)), req)
	if err != nil {
		t.Fatal(err)
	}

	r := start(t, cfg, true)
	// Small windows keep the stream from running ahead into client buffers.
	cc := dial(t, r.addr, grpc.WithInitialWindowSize(1<<16), grpc.WithInitialConnWindowSize(1<<16))
	stream, err := pb.NewDataServiceClient(cc).StreamBatches(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	var got []*pb.StreamBatchesResponse
	for len(got) < 3 {
		b, err := stream.Recv()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, b)
	}
	began := time.Now()
	errc := make(chan error, 1)
	go func() { errc <- r.stop(t) }()
	probe := dial(t, r.addr)
	for {
		resp, err := healthpb.NewHealthClient(probe).Check(context.Background(), &healthpb.HealthCheckRequest{Service: ServiceName})
		if err != nil || resp.GetStatus() == healthpb.HealthCheckResponse_NOT_SERVING {
			break // NOT_SERVING, or already refusing new calls
		}
		if time.Since(began) > 2*time.Second {
			t.Fatal("health still SERVING 2s into the shutdown")
		}
		time.Sleep(time.Millisecond)
	}
	rest, err := collect(stream)
	got = append(got, rest...)
	if status.Code(err) != codes.Unavailable {
		t.Fatalf("stream ended with %v, want Unavailable", err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if d := time.Since(began); d > cfg.GracePeriod {
		t.Fatalf("shutdown took %s, over the %s grace period", d, cfg.GracePeriod)
	}
	if len(got) >= len(want) {
		t.Skipf("the stream finished its %d batches before the shutdown reached it", len(want))
	}
	again := start(t, cfg, true)
	resume := cloneRequest(req)
	resume.Cursor = got[len(got)-1].GetCursor()
	tail, err := pull(context.Background(), t, pb.NewDataServiceClient(dial(t, again.addr)), resume)
	if err != nil {
		t.Fatal(err)
	}
	sameBatches(t, append(got, tail...), want)
}

// TestShutdownWaitsForSlowReader: a consumer that takes its batches slowly
// still receives the batch the drain let through and the UNAVAILABLE status
// after it, although its connection also holds a health watch (which the
// drain ends once the data calls are done) and the server has nothing left
// to run: the stop is graceful, not a cut once the handlers return.
func TestShutdownWaitsForSlowReader(t *testing.T) {
	cfg := testConfig(t)
	cfg.GracePeriod = 20 * time.Second
	req := &pb.StreamBatchesRequest{BatchSize: 6, Seed: 5, Streams: []pb.StreamKind{pb.StreamKind_STREAM_KIND_PIXEL}}
	r := start(t, cfg, true)
	// Small windows: the batch in flight waits in the server's transport
	// until the reader makes room.
	cc := dial(t, r.addr, grpc.WithInitialWindowSize(1<<16), grpc.WithInitialConnWindowSize(1<<16))
	watch, err := healthpb.NewHealthClient(cc).Watch(context.Background(), &healthpb.HealthCheckRequest{Service: ServiceName})
	if err != nil {
		t.Fatal(err)
	}
	if m, err := watch.Recv(); err != nil || m.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("watch starts with %v, %v", m.GetStatus(), err)
	}
	stream, err := pb.NewDataServiceClient(cc).StreamBatches(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	// Wait until the next batch is handed to the transport.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		figs, _ := r.srv.consumers.Snapshot()
		if len(figs) == 1 && figs[0].Samples >= 2*uint64(req.BatchSize) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the second batch was not sent within 30s")
		}
	}
	errc := make(chan error, 1)
	go func() { errc <- r.stop(t) }()
	// Between two batches the reader pauses for longer than the drain
	// settles: the last batch's handler has returned well before the
	// batch is read.
	n := 1
	for {
		time.Sleep(3 * drainSettle)
		_, err = stream.Recv()
		if err != nil {
			break
		}
		n++
	}
	if st, _ := status.FromError(err); st.Code() != codes.Unavailable || !strings.Contains(st.Message(), "shutting down") {
		t.Fatalf("slow reader ended after %d batches with %v; want UNAVAILABLE saying the server is shutting down", n, err)
	}
	var last healthpb.HealthCheckResponse_ServingStatus
	for {
		m, err := watch.Recv()
		if err != nil {
			break
		}
		last = m.GetStatus()
	}
	if last != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Errorf("watch last saw %v, want NOT_SERVING", last)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if n < 2 {
		t.Errorf("slow reader took %d batch; the one handed to the transport before the shutdown is lost", n)
	}
	t.Logf("slow reader took %d batches, then UNAVAILABLE", n)
}

// TestTooManyStreams: past MaxStreams a call is RESOURCE_EXHAUSTED.
func TestTooManyStreams(t *testing.T) {
	cfg := testConfig(t)
	cfg.MaxStreams = 1
	r := start(t, cfg, true)
	c := pb.NewDataServiceClient(dial(t, r.addr))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Many epochs of pixels: the stream is still running (its sends held by
	// flow control) when the second one asks, whatever the tree's size.
	first, err := c.StreamBatches(ctx, &pb.StreamBatchesRequest{BatchSize: 2, EndEpoch: 1 << 20, Streams: []pb.StreamKind{pb.StreamKind_STREAM_KIND_PIXEL}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := first.Recv(); err != nil {
		t.Fatal(err)
	}
	_, err = pull(context.Background(), t, c, &pb.StreamBatchesRequest{BatchSize: 2})
	if status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("second stream: %v, want ResourceExhausted", err)
	}
}

// TestExposure: without tokens only loopback listeners are accepted, unless allowed.
func TestExposure(t *testing.T) {
	public := &net.TCPAddr{IP: net.IPv4zero, Port: 50051}
	local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 50051}
	if err := (Config{}).checkExposure(public); !errors.Is(err, ErrConfig) {
		t.Errorf("public without tokens: %v, want ErrConfig", err)
	}
	if err := (Config{}).checkExposure(local); err != nil {
		t.Errorf("loopback: %v", err)
	}
	if err := (Config{AllowInsecurePublic: true}).checkExposure(public); err != nil {
		t.Errorf("public, allowed: %v", err)
	}
	if err := (Config{Tokens: testTokens}).checkExposure(public); err != nil {
		t.Errorf("public with tokens: %v", err)
	}
	err := Run(context.Background(), Config{Root: t.TempDir(), Addr: "0.0.0.0:0"}, nil)
	if !errors.Is(err, ErrConfig) {
		t.Errorf("Run on 0.0.0.0 without tokens: %v, want ErrConfig before listening", err)
	}
	// /metrics names consumers: the same rule holds for its address.
	err = Run(context.Background(), Config{Root: t.TempDir(), Addr: "127.0.0.1:0", MetricsAddr: "0.0.0.0:0"}, nil)
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "--metrics-addr") {
		t.Errorf("Run with metrics on 0.0.0.0 without tokens: %v, want ErrConfig naming --metrics-addr", err)
	}
}

// TestParseTokensRefuses: an empty list, null and a token of spaces are
// refused with a message saying what to do.
func TestParseTokensRefuses(t *testing.T) {
	for in, want := range map[string]string{
		"[]":   "holds no token",
		"null": "holds no token",
		`[{"name":"x","role":"operator","token":"                    "}]`:       "spaces",
		`[{"name":"x","role":"operator","token":"abcdefgh ijklmnopqrst"}]`:      "spaces",
		`[{"name":"x","role":"operator","token":"abcdefghijklmnopqrst\u0007"}]`: "control",
	} {
		_, err := ParseTokens([]byte(in), "tokens.json")
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "tokens.json") {
			t.Errorf("ParseTokens(%s): %v, want ErrConfig mentioning %q", in, err, want)
		}
	}
	if toks, err := ParseTokens([]byte(`[{"name":"x","role":"operator","token":"abcdefghijklmnopqrst"}]`), "t"); err != nil || len(toks) != 1 {
		t.Errorf("a good token: %v", err)
	}
}
