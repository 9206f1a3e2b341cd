package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/starlight/dataserver/feed"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// sendAll sends the batches of a stream in order until the last one, an
// error, or the drain (right after the batch being sent). work is the
// stream's context, ended by the drain too.
func (s *Server) sendAll(work context.Context, stream pb.DataService_StreamBatchesServer, batches *feed.Batches, acct *streamAccount) error {
	snd := newSender(stream)
	defer snd.close()
	// The batches the transport may still hold when the stream ends: their
	// charge ends when it lets go, or a send timeout later.
	var held []*outgoing
	defer func() {
		for _, o := range held {
			o.expire(s.cfg.SendTimeout)
		}
	}()
	for {
		b, err := batches.Next(work)
		switch {
		case err == io.EOF:
			return nil
		case err != nil && s.isDraining():
			return errDraining
		case err != nil:
			return err
		}
		o := newOutgoing(b)
		o.queued = func() { acct.served(b) } // counted once the transport has it, as before
		held = append(slices.DeleteFunc(held, (*outgoing).settled), o)
		if err := snd.send(stream.Context(), o, s.cfg.SendTimeout); err != nil {
			if errors.Is(err, errSendTimeout) {
				s.log.Warn("stream ended: send timeout", zapConsumer(acct.label), zapBatch(b))
			}
			return err
		}
		if s.isDraining() {
			return errDraining
		}
	}
}

// sender performs the sends of one stream in a goroutine of its own, so that
// a send blocked on a stalled consumer can be given up after a timeout. A
// send is done when the transport has written the whole message, not when
// SendMsg has queued it: one batch per stream is in the transport at a
// time, charged to the budget, and a consumer that stops reading is caught
// by the timeout on the batch it left unread.
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
			if err == nil && o.queued != nil {
				o.queued()
			}
			if err == nil {
				select {
				case <-o.written:
				case <-s.stream.Context().Done():
					err = s.stream.Context().Err()
				}
			}
			s.out <- err
		}
	}()
	return s
}

// send hands m to the sending goroutine and waits until the transport has
// written it, ctx ends or timeout passes.
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
