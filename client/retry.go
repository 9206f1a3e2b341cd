package client

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

// Transient tells whether err, from a call made under ctx, is worth a retry
// (on the same replica or another), by the one rule both clients follow:
// the server said so (the status carries a google.rpc.RetryInfo: a replica
// restarting, draining or still indexing, too many streams, the memory
// budget, its send timeout), or the status is UNAVAILABLE with no details at
// all (the transport failed: no replica reachable, a connection reset).
// Every other status is final; a message's text never decides.
func Transient(ctx context.Context, err error) bool {
	_, ok := retryAdvice(ctx, err)
	return ok
}

// retryAdvice tells whether err is worth a retry (see Transient) and the
// delay the server asked for (0 when it gave none).
func retryAdvice(ctx context.Context, err error) (time.Duration, bool) {
	if err == nil || ctx.Err() != nil {
		return 0, false
	}
	st, ok := status.FromError(err)
	if !ok {
		return 0, false
	}
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok {
			return max(ri.GetRetryDelay().AsDuration(), 0), true
		}
	}
	return 0, st.Code() == codes.Unavailable && len(st.Proto().GetDetails()) == 0
}

// awaitServing waits until the client's target answers SERVING on
// grpc.health.v1 Check, polling with the policy's backoff, until deadline
// or ctx ends. A server without the health service counts as serving.
func (c *Client) awaitServing(ctx context.Context, deadline time.Time) error {
	var last error
	for attempt := 1; ; attempt++ {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		resp, err := c.health.Check(cctx, &healthpb.HealthCheckRequest{Service: HealthService}, grpc.WaitForReady(false))
		cancel()
		switch {
		case err == nil && resp.GetStatus() == healthpb.HealthCheckResponse_SERVING:
			return nil
		case status.Code(err) == codes.Unimplemented:
			return nil
		case err == nil:
			last = fmt.Errorf("health status %s", resp.GetStatus())
		default:
			last = err
		}
		d := backoffDelay(c.cfg.retry, attempt)
		if time.Now().Add(d).After(deadline) {
			return fmt.Errorf("%s not SERVING within the retry window (last: %v)", c.target, last)
		}
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
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
