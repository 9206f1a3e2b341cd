package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"

	"google.golang.org/grpc/peer"
	"google.golang.org/protobuf/proto"

	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// ErrDiscontinuity reports a batch that does not follow the previous one in
// the schedule (a server bug): resuming would lose or repeat samples.
var ErrDiscontinuity = errors.New("client: stream discontinuity")

// Stream yields the batches of req in schedule order until the request's
// end (end_epoch, max_batches), resuming by itself from the last cursor on
// transient errors: a replica killed or restarted, a dropped connection, a
// server draining or still indexing. It fails over to another replica when
// the client has several. The error of a failed stream is yielded last.
// Breaking out of the loop ends the call. A resumption that finds no
// replica still holding the stream's snapshot (the tree changed and was
// reindexed meanwhile) ends with FailedPrecondition: start the epoch again.
//
// A batch's tensors alias the received message; keep the batch as long as
// its views are in use.
func (c *Client) Stream(ctx context.Context, req *pb.StreamBatchesRequest) iter.Seq2[*Batch, error] {
	return func(yield func(*Batch, error) bool) {
		s := c.Open(ctx, req)
		defer s.Close()
		for {
			b, err := s.Next()
			if err == io.EOF {
				return
			}
			if !yield(b, err) || err != nil {
				return
			}
		}
	}
}

// BatchStream reads one resumable stream with Next; see Client.Stream.
type BatchStream struct {
	c   *Client
	ctx context.Context
	req *pb.StreamBatchesRequest

	rpc       recver
	rpcCancel context.CancelFunc
	peer      string

	cursor    string
	delivered uint64
	lastEpoch uint64 // the last epoch of the request (inclusive: the top epoch 2^64-1 has no successor)
	want      place  // the batch expected next, once one has arrived
	started   bool
	complete  bool // every batch of the request has been delivered
	failures  int
	resumes   int
	err       error
}

// place is a batch's position in the schedule.
type place struct {
	epoch, batch uint64
}

// Open starts a resumable stream read with Next; Close it when done.
// req is copied; it is not modified.
func (c *Client) Open(ctx context.Context, req *pb.StreamBatchesRequest) *BatchStream {
	r := proto.Clone(req).(*pb.StreamBatchesRequest)
	last := r.GetEpoch()
	if end := r.GetEndEpoch(); end != 0 {
		last = end - 1
	}
	return &BatchStream{c: c, ctx: ctx, req: r, cursor: r.GetCursor(), lastEpoch: last}
}

// Cursor returns the cursor of the last batch delivered (the request's own
// cursor before the first); a new request with it resumes right after.
func (s *BatchStream) Cursor() string { return s.cursor }

// Resumes counts the resumptions so far.
func (s *BatchStream) Resumes() int { return s.resumes }

// Delivered counts the batches delivered so far.
func (s *BatchStream) Delivered() uint64 { return s.delivered }

// Next returns the next batch, io.EOF after the last one, or the error that
// ended the stream (a non-transient status, or the last transient one once
// the retry policy's attempts are spent).
func (s *BatchStream) Next() (*Batch, error) {
	if s.err != nil {
		return nil, s.err
	}
	b, err := s.next()
	if err != nil {
		s.closeRPC()
		s.err = err
	}
	return b, err
}

func (s *BatchStream) next() (*Batch, error) {
	for {
		if err := s.ctx.Err(); err != nil {
			return nil, err
		}
		if s.complete || (s.req.GetMaxBatches() > 0 && s.delivered >= uint64(s.req.GetMaxBatches())) {
			return nil, s.finish()
		}
		if s.rpc == nil {
			s.open()
		}
		m, err := s.rpc.Recv()
		if err == io.EOF {
			// The server ends a call early only on an error status, so EOF
			// means the request's batches are all delivered.
			return nil, io.EOF
		}
		if err != nil {
			s.closeRPC()
			if cerr := s.ctx.Err(); cerr != nil {
				return nil, cerr
			}
			if !Transient(s.ctx, err) {
				return nil, err
			}
			s.failures++
			if s.failures >= s.c.cfg.retry.MaxAttempts {
				return nil, fmt.Errorf("client: giving up after %d attempts in a row (peer %q, cursor %q): %w", s.failures, s.peer, s.cursor, err)
			}
			d := backoffDelay(s.c.cfg.retry, s.failures)
			if h := s.c.cfg.onResume; h != nil {
				h(ResumeEvent{Err: err, Attempt: s.failures, Delay: d, Cursor: s.cursor, Peer: s.peer})
			}
			if err := sleep(s.ctx, d); err != nil {
				return nil, err
			}
			s.resumes++
			continue
		}
		if s.peer == "" {
			if p, ok := peer.FromContext(s.rpc.Context()); ok && p.Addr != nil {
				s.peer = p.Addr.String()
			}
		}
		if err := s.accept(m); err != nil {
			return nil, err
		}
		return &Batch{StreamBatchesResponse: m, Peer: s.peer, Resumes: s.resumes}, nil
	}
}

// accept checks that m follows the previous batch and moves the position on.
func (s *BatchStream) accept(m *pb.StreamBatchesResponse) error {
	got := place{m.GetEpoch(), m.GetBatchIndex()}
	if s.started && got != s.want {
		return fmt.Errorf("%w: got epoch %d batch %d from %s, expected epoch %d batch %d", ErrDiscontinuity, got.epoch, got.batch, s.peer, s.want.epoch, s.want.batch)
	}
	per := m.GetBatchesPerEpoch()
	if per == 0 || got.batch >= per || m.GetCursor() == "" {
		return fmt.Errorf("%w: batch %d of %d per epoch, cursor %q from %s", ErrDiscontinuity, got.batch, per, m.GetCursor(), s.peer)
	}
	s.started = true
	s.failures = 0
	s.delivered++
	s.cursor = m.GetCursor()
	s.want = place{got.epoch, got.batch + 1}
	if s.want.batch == per {
		s.want = place{got.epoch + 1, 0}
		s.complete = got.epoch >= s.lastEpoch
	}
	return nil
}

// finish ends a stream whose batches are all delivered: it reads the call's
// end (the server closes it at once) and reports io.EOF. A batch beyond the
// end is a discontinuity; a transport error at this point loses nothing.
func (s *BatchStream) finish() error {
	if s.rpc != nil {
		if m, err := s.rpc.Recv(); err == nil {
			return fmt.Errorf("%w: epoch %d batch %d after the last batch requested", ErrDiscontinuity, m.GetEpoch(), m.GetBatchIndex())
		}
	}
	return io.EOF
}

// open starts a call resuming after the last batch delivered.
func (s *BatchStream) open() {
	req := s.req
	if s.started {
		req = proto.Clone(s.req).(*pb.StreamBatchesRequest)
		req.Cursor = s.cursor
		if mb := s.req.GetMaxBatches(); mb > 0 {
			req.MaxBatches = mb - uint32(s.delivered)
		}
	}
	ctx, cancel := context.WithCancel(s.ctx)
	s.rpcCancel = cancel
	s.peer = ""
	rpc, err := s.c.api.StreamBatches(ctx, req)
	if err != nil {
		s.rpc = failedStream{err}
		return
	}
	s.rpc = rpc
}

func (s *BatchStream) closeRPC() {
	if s.rpcCancel != nil {
		s.rpcCancel()
		s.rpcCancel = nil
	}
	s.rpc = nil
}

// Close ends the stream's call; Next then returns an error.
func (s *BatchStream) Close() {
	s.closeRPC()
	if s.err == nil {
		s.err = errors.New("client: stream closed")
	}
}

// recver is the part of a StreamBatches call the stream reads.
type recver interface {
	Recv() (*pb.StreamBatchesResponse, error)
	Context() context.Context
}

// failedStream stands for a call that could not start: its Recv reports why.
type failedStream struct {
	err error
}

func (f failedStream) Recv() (*pb.StreamBatchesResponse, error) { return nil, f.err }

func (f failedStream) Context() context.Context { return context.Background() }
