package client

import (
	"context"
	"math/rand/v2"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Transient tells whether err, from a call made under ctx, is worth a retry
// (on the same replica or another): Unavailable (no replica reachable, a
// connection reset, a replica restarting, draining or still indexing) and
// DeadlineExceeded or ResourceExhausted sent by the server (its send
// timeout, too many streams) while ctx itself is still live. Every other
// code is final.
func Transient(ctx context.Context, err error) bool {
	if err == nil || ctx.Err() != nil {
		return false
	}
	st, ok := status.FromError(err)
	if !ok {
		return false
	}
	switch st.Code() {
	case codes.Unavailable:
		return true
	case codes.DeadlineExceeded:
		// The caller's deadline has not passed (ctx.Err() is nil), so the
		// server ended a stream it could not deliver in time.
		return true
	case codes.ResourceExhausted:
		// The server's stream limit; a message over the size limit is final.
		return !isMessageSize(st.Message())
	}
	return false
}

// isMessageSize recognises gRPC's own "message larger than max" errors.
func isMessageSize(msg string) bool {
	return strings.Contains(msg, "larger than max") || strings.Contains(msg, "message too large")
}

// backoffDelay is the wait before retry number attempt (1-based): the base
// delay doubled per attempt, capped, with up to half of it taken off at random.
func backoffDelay(p RetryPolicy, attempt int) time.Duration {
	d := p.BaseDelay
	for i := 1; i < attempt && d < p.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, p.MaxDelay)
	return d - time.Duration(rand.Int64N(int64(d)/2+1))
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
