package server

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/starlight/dataserver/feed"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// detailsOf returns the ErrorInfo and RetryInfo of a status error.
func detailsOf(t testing.TB, err error) (*errdetails.ErrorInfo, *errdetails.RetryInfo) {
	t.Helper()
	st, ok := status.FromError(err)
	if !ok {
		t.Fatalf("%v carries no status", err)
	}
	var info *errdetails.ErrorInfo
	var retry *errdetails.RetryInfo
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.ErrorInfo:
			info = d
		case *errdetails.RetryInfo:
			retry = d
		}
	}
	return info, retry
}

// TestEveryErrorCarriesDetails: each entry of the table gives its code, an
// ErrorInfo of the service's domain and its reason, and a RetryInfo exactly
// when it is retryable; an unknown error is INTERNAL and final.
func TestEveryErrorCarriesDetails(t *testing.T) {
	for _, e := range errorTable {
		err := toStatus(fmt.Errorf("wrapped: %w", e.err))
		info, retry := detailsOf(t, err)
		if status.Code(err) != e.code || info == nil || info.Domain != ErrorDomain || info.Reason != e.reason {
			t.Errorf("%v: %v, details %v", e.err, err, info)
		}
		if (retry != nil) != (e.retry > 0) || (retry != nil && retry.RetryDelay.AsDuration() != e.retry) {
			t.Errorf("%v: retry info %v, want delay %s", e.err, retry, e.retry)
		}
	}
	info, retry := detailsOf(t, toStatus(errors.New("boom")))
	if info.GetReason() != "INTERNAL" || retry != nil {
		t.Errorf("unknown error: %v %v", info, retry)
	}
	for _, want := range []string{"SHUTTING_DOWN", "NOT_READY", "TOO_MANY_STREAMS", "MEMORY_BUDGET", "SEND_TIMEOUT", "SNAPSHOT_GONE", "FILE_CHANGED", "BAD_CURSOR", "INVALID_ARGUMENT"} {
		found := false
		for _, e := range errorTable {
			found = found || e.reason == want
		}
		if !found {
			t.Errorf("no error has reason %s", want)
		}
	}
}

// TestBudgetRefusesStreams: with room for one stream's batch, a second
// stream waits for the budget wait, then ends RESOURCE_EXHAUSTED with reason
// MEMORY_BUDGET and a retry delay; Stats counts the refusal, and once the
// first stream is gone a new one is served.
func TestBudgetRefusesStreams(t *testing.T) {
	cfg := testConfig(t)
	req := &pb.StreamBatchesRequest{BatchSize: 8, Streams: []pb.StreamKind{pb.StreamKind_STREAM_KIND_PIXEL}, EndEpoch: 1000}
	one := feed.BatchBytes([]feed.Stream{feed.Pixel}, 8, false)
	cfg.MemoryBudget = one + one/2
	cfg.CacheBytes = -1
	cfg.BudgetWait = 300 * time.Millisecond
	r := start(t, cfg, true)
	c := pb.NewDataServiceClient(dial(t, r.addr))
	ctx, cancel := context.WithCancel(context.Background())
	first, err := c.StreamBatches(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := first.Recv(); err != nil {
		t.Fatal(err)
	}
	second, err := c.StreamBatches(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	_, err = second.Recv()
	info, retry := detailsOf(t, err)
	if status.Code(err) != codes.ResourceExhausted || info.GetReason() != "MEMORY_BUDGET" || retry == nil {
		t.Fatalf("second stream: %v (%v, %v)", err, info, retry)
	}
	st, err := c.Stats(context.Background(), &pb.StatsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if sv := st.GetServing(); sv.GetBudgetRefusals() != 1 || sv.GetBudgetBytes() != uint64(cfg.MemoryBudget) || sv.GetBudgetUsedBytes() == 0 {
		t.Fatalf("serving figures: refusals %d, budget %d, used %d", sv.GetBudgetRefusals(), sv.GetBudgetBytes(), sv.GetBudgetUsedBytes())
	}
	cancel()
	third, err := c.StreamBatches(context.Background(), &pb.StreamBatchesRequest{BatchSize: 8, Streams: req.Streams, MaxBatches: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := collect(third); err != nil || len(got) != 2 {
		t.Fatalf("after the first stream ended: %d batches, %v", len(got), err)
	}
}

// TestHealthWatchesCapped: Watch streams beyond MaxWatches are refused with
// RESOURCE_EXHAUSTED and reason TOO_MANY_WATCHES; Check still answers.
func TestHealthWatchesCapped(t *testing.T) {
	cfg := testConfig(t)
	cfg.MaxWatches = 2
	r := start(t, cfg, true)
	cc := dial(t, r.addr)
	h := healthpb.NewHealthClient(cc)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var open []grpc.ServerStreamingClient[healthpb.HealthCheckResponse]
	for i := 0; i < 2; i++ {
		w, err := h.Watch(ctx, &healthpb.HealthCheckRequest{Service: ServiceName})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Recv(); err != nil {
			t.Fatalf("watch %d: %v", i, err)
		}
		open = append(open, w)
	}
	w, err := h.Watch(ctx, &healthpb.HealthCheckRequest{Service: ServiceName})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.Recv()
	if info, _ := detailsOf(t, err); status.Code(err) != codes.ResourceExhausted || info.GetReason() != "TOO_MANY_WATCHES" {
		t.Fatalf("third watch: %v", err)
	}
	if resp, err := h.Check(ctx, &healthpb.HealthCheckRequest{Service: ServiceName}); err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("check next to capped watches: %v %v", resp, err)
	}
	if len(open) != 2 {
		t.Fatal("watches lost")
	}
}
