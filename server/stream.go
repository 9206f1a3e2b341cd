package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/starlight/dataserver/feed"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// StreamBatches validates the request, opens the schedule in the feed and
// sends its batches in order. A consumer that leaves a batch untaken for
// SendTimeout ends the stream with DEADLINE_EXCEEDED; at shutdown the stream
// ends with UNAVAILABLE right after its current batch, whose cursor resumes it.
func (h *service) StreamBatches(req *pb.StreamBatchesRequest, stream pb.DataService_StreamBatchesServer) error {
	s := h.s
	defer s.track()()
	spec, err := specOf(req)
	if err != nil {
		return toStatus(err)
	}
	spec.Gather = true // batchCodec writes the cached bytes where they lie
	per := feed.BatchBytes(effectiveStreams(spec.Streams), spec.Params.BatchSize, spec.PackBits) +
		int64(spec.Params.BatchSize)*messageOverhead
	if per > int64(s.cfg.MaxSendBytes) {
		return toStatus(fmt.Errorf("%w: a batch of %d samples with these streams takes about %d bytes, over the %d-byte message limit: lower batch_size, drop streams or pack bit planes",
			errInvalid, spec.Params.BatchSize, per, s.cfg.MaxSendBytes))
	}
	select {
	case s.streamSlots <- struct{}{}:
		defer func() { <-s.streamSlots }()
	default:
		return toStatus(fmt.Errorf("%w: %d of %d; retry later", errTooManyStreams, len(s.streamSlots), cap(s.streamSlots)))
	}
	ctx := stream.Context()
	// work ends on shutdown too: the batch being assembled is dropped, the
	// last one sent carried the cursor to resume from.
	work, stop := endingWith(ctx, s.draining)
	defer stop()

	batches, err := s.feed.Open(work, s.cat, spec)
	if err != nil {
		return toStatus(err)
	}
	defer batches.Close()

	name := consumerName(callerName(ctx), req.GetConsumer())
	end := s.consumers.Start(name, spec.Params.Mix)
	defer end()
	s.metrics.activeStreams.Inc()
	defer s.metrics.activeStreams.Dec()
	shares := spec.Params.Mix.Normalize().Shares()
	for k, v := range shares {
		s.metrics.requestedMix.WithLabelValues(name, feed.KindName(k)).Set(v)
	}

	snd := newSender(stream)
	defer snd.close()
	for {
		b, err := batches.Next(work)
		switch {
		case err == io.EOF:
			return nil
		case err != nil && s.isDraining():
			return toStatus(errDraining)
		case err != nil:
			return toStatus(err)
		}
		o := newOutgoing(b)
		if err := snd.send(ctx, o, s.cfg.SendTimeout); err != nil {
			o.abandon() // the send may still hold it: budget now, memory to the collector
			if errors.Is(err, errSendTimeout) {
				s.log.Warn("stream ended: send timeout", zapConsumer(name), zapBatch(b))
			}
			return toStatus(err)
		}
		s.consumers.Served(name, spec.Params.Mix, b.Kinds)
		for k, n := range b.Kinds {
			if n > 0 {
				s.metrics.served.WithLabelValues(name, feed.KindName(k)).Add(float64(n))
			}
		}
		if s.isDraining() {
			return toStatus(errDraining)
		}
	}
}

func effectiveStreams(s []feed.Stream) []feed.Stream {
	if len(s) == 0 {
		return feed.DefaultStreams
	}
	return s
}

// sender performs the sends of one stream in a goroutine of its own, so that
// a send blocked on a stalled consumer can be given up after a timeout.
type sender struct {
	stream pb.DataService_StreamBatchesServer
	in     chan *outgoing
	out    chan error
}

func newSender(stream pb.DataService_StreamBatchesServer) *sender {
	s := &sender{stream: stream, in: make(chan *outgoing), out: make(chan error, 1)}
	go func() {
		for o := range s.in {
			err := s.stream.SendMsg(o)
			o.sent() // the transport holds its own references to the chunks
			s.out <- err
		}
	}()
	return s
}

// send hands m to the sending goroutine and waits until the transport takes
// it, ctx ends or timeout passes.
func (s *sender) send(ctx context.Context, m *outgoing, timeout time.Duration) error {
	select {
	case s.in <- m:
	case <-ctx.Done():
		return ctx.Err()
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case err := <-s.out:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return fmt.Errorf("%w (batch %d not taken within %s)", errSendTimeout, m.msg.GetBatchIndex(), timeout)
	}
}

// close stops the goroutine once its current send returns; after the
// handler returns, gRPC ends the stream and any blocked send with it.
func (s *sender) close() { close(s.in) }
