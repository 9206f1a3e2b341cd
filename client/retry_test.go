package client

import (
	"context"
	"errors"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/types/known/durationpb"

	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// detailed builds a status error with an ErrorInfo and, when retry is
// positive, a RetryInfo, as the server attaches them.
func detailed(code codes.Code, reason string, retry time.Duration) error {
	details := []protoadapt.MessageV1{&errdetails.ErrorInfo{Domain: "dataserver.starlight", Reason: reason}}
	if retry > 0 {
		details = append(details, &errdetails.RetryInfo{RetryDelay: durationpb.New(retry)})
	}
	st, err := status.New(code, "detailed "+reason).WithDetails(details...)
	if err != nil {
		panic(err)
	}
	return st.Err()
}

// TestTransientRule: a retry iff the status carries RetryInfo, or it is
// UNAVAILABLE without details; never from the text.
func TestTransientRule(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		err  error
		want bool
	}{
		{status.Error(codes.Unavailable, "connection reset"), true},
		{detailed(codes.Unavailable, "SHUTTING_DOWN", time.Second), true},
		{detailed(codes.ResourceExhausted, "MEMORY_BUDGET", time.Second), true},
		{detailed(codes.DeadlineExceeded, "SEND_TIMEOUT", time.Millisecond), true},
		{detailed(codes.Unavailable, "SOMETHING_FINAL", 0), false},
		{status.Error(codes.ResourceExhausted, "too many streams running; retry later"), false},
		{status.Error(codes.DeadlineExceeded, "deadline"), false},
		{detailed(codes.FailedPrecondition, "SNAPSHOT_GONE", 0), false},
		{errors.New("unavailable"), false},
		{nil, false},
	} {
		if got := Transient(ctx, c.err); got != c.want {
			t.Errorf("Transient(%v) = %v, want %v", c.err, got, c.want)
		}
	}
	if hint, ok := retryAdvice(ctx, detailed(codes.ResourceExhausted, "MEMORY_BUDGET", 3*time.Second)); !ok || hint != 3*time.Second {
		t.Errorf("retry delay %s, %v", hint, ok)
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if Transient(done, status.Error(codes.Unavailable, "x")) {
		t.Error("a retry after the caller's context ended")
	}
}

// TestStreamRetriesOnRetryInfo: a RESOURCE_EXHAUSTED with RetryInfo is
// resumed after at least the delay asked; one without details is final.
func TestStreamRetriesOnRetryInfo(t *testing.T) {
	f := &fake{perEpoch: 3, fail: func(call, sent int) error {
		if call == 0 && sent == 1 {
			return detailed(codes.ResourceExhausted, "MEMORY_BUDGET", 50*time.Millisecond)
		}
		return nil
	}}
	addr, _ := serveFake(t, f)
	c := dialTest(t, []string{addr})
	start := time.Now()
	got, _, err := ids(t, c, &pb.StreamBatchesRequest{BatchSize: 1})
	if err != nil || len(got) != 3 {
		t.Fatalf("got %v, %v", got, err)
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Fatalf("resumed after %s, before the server's retry delay", d)
	}

	f2 := &fake{perEpoch: 3, fail: func(call, sent int) error {
		return status.Error(codes.ResourceExhausted, "grpc: received message larger than max")
	}}
	addr2, _ := serveFake(t, f2)
	c2 := dialTest(t, []string{addr2})
	if _, _, err := ids(t, c2, &pb.StreamBatchesRequest{BatchSize: 1}); status.Code(err) != codes.ResourceExhausted || len(f2.requests()) != 1 {
		t.Fatalf("err %v after %d calls, want one call and ResourceExhausted", err, len(f2.requests()))
	}
}

// TestStreamGivesUpAfterWindow: with no attempt cap, a stream that keeps
// failing gives up once its retry window has passed.
func TestStreamGivesUpAfterWindow(t *testing.T) {
	f := &fake{perEpoch: 4, fail: func(int, int) error { return status.Error(codes.Unavailable, "down") }}
	addr, _ := serveFake(t, f)
	c := dialTest(t, []string{addr}, WithRetry(RetryPolicy{Window: 300 * time.Millisecond, BaseDelay: 5 * time.Millisecond, MaxDelay: 20 * time.Millisecond}))
	start := time.Now()
	_, _, err := ids(t, c, &pb.StreamBatchesRequest{BatchSize: 1})
	if status.Code(err) != codes.Unavailable {
		t.Fatalf("err %v, want Unavailable after the window", err)
	}
	if d := time.Since(start); d > 5*time.Second || len(f.requests()) < 3 {
		t.Fatalf("gave up after %s and %d calls", d, len(f.requests()))
	}
}

// TestDefaultRetryWindow: the default policy rides out minutes.
func TestDefaultRetryWindow(t *testing.T) {
	var c config
	c.withDefaults()
	if c.retry.Window < 5*time.Minute || c.retry.MaxAttempts != 0 {
		t.Fatalf("default policy %+v", c.retry)
	}
}
