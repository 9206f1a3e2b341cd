package client

import (
	"context"
	"fmt"
	"iter"
	"time"

	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// Stats returns the server's statistics and one page of its validation
// problems. It is retried, like a stream, on transient errors.
func (c *Client) Stats(ctx context.Context, req *pb.StatsRequest) (*pb.StatsResponse, error) {
	if req == nil {
		req = &pb.StatsRequest{}
	}
	var resp *pb.StatsResponse
	err := c.retryUnary(ctx, func(ctx context.Context) error {
		var err error
		resp, err = c.api.Stats(ctx, req)
		return err
	})
	return resp, err
}

// Problems yields every validation problem of the current snapshot, page
// after page. A listing that spans a snapshot swap fails with
// InvalidArgument; start it again.
func (c *Client) Problems(ctx context.Context) iter.Seq2[*pb.Problem, error] {
	return func(yield func(*pb.Problem, error) bool) {
		token := ""
		for {
			resp, err := c.Stats(ctx, &pb.StatsRequest{PageToken: token, PageSize: 1000})
			if err != nil {
				yield(nil, err)
				return
			}
			for _, p := range resp.GetProblems() {
				if !yield(p, nil) {
					return
				}
			}
			if token = resp.GetNextPageToken(); token == "" {
				return
			}
		}
	}
}

// Reindex asks the server (one replica) to rescan its tree and waits for the
// new snapshot. It is not retried: a second Reindex while one runs fails
// with Aborted.
func (c *Client) Reindex(ctx context.Context) (*pb.ReindexResponse, error) {
	return c.api.Reindex(ctx, &pb.ReindexRequest{})
}

// WaitReady waits until a replica reports SERVING on grpc.health.v1, or ctx
// ends. It watches the health status, reconnecting with backoff while no
// replica answers.
func (c *Client) WaitReady(ctx context.Context) error {
	var last error
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			if err := sleep(ctx, backoffDelay(c.cfg.retry, attempt)); err != nil {
				return fmt.Errorf("client: %s not SERVING: %w (last: %v)", c.target, err, last)
			}
		}
		w, err := c.health.Watch(ctx, &healthpb.HealthCheckRequest{Service: HealthService}, grpc.WaitForReady(false))
		if err != nil {
			last = err
			continue
		}
		for {
			resp, err := w.Recv()
			if err != nil {
				last = err
				break
			}
			if resp.GetStatus() == healthpb.HealthCheckResponse_SERVING {
				return nil
			}
			last = fmt.Errorf("health status %s", resp.GetStatus())
		}
		if ctx.Err() != nil {
			return fmt.Errorf("client: %s not SERVING: %w (last: %v)", c.target, ctx.Err(), last)
		}
	}
}

// retryUnary runs call until it succeeds, fails with a non-transient error,
// or the retry policy's window (or attempts) is spent.
func (c *Client) retryUnary(ctx context.Context, call func(context.Context) error) error {
	p := c.cfg.retry
	start := time.Now()
	for attempt := 1; ; attempt++ {
		err := call(ctx)
		hint, retry := retryAdvice(ctx, err)
		if err == nil || !retry || (p.MaxAttempts > 0 && attempt >= p.MaxAttempts) {
			return err
		}
		d := max(backoffDelay(p, attempt), hint)
		if time.Since(start)+d > p.Window {
			return err
		}
		if serr := sleep(ctx, d); serr != nil {
			return err
		}
	}
}
