package server

import (
	"context"
	"strings"
	"time"

	"go.uber.org/zap"
	"google.golang.org/grpc"
)

// shutdown turns health NOT_SERVING at once, ends every stream right after
// its current batch and stops gracefully: the transport writes out every
// batch and status already handed to it, at the pace its reader takes them,
// before it closes a connection. Health watches and reflection streams, which
// would hold the connections open, end once no DataService call has run for
// drainSettle (watchers have had NOT_SERVING by then). Whatever is left when
// the grace period is over is cut.
func (s *Server) shutdown() {
	s.drainOnce.Do(func() {
		s.health.Shutdown()
		close(s.draining)
		s.cat.Close()
		done := make(chan struct{})
		go func() {
			s.grpc.GracefulStop()
			close(done)
		}()
		grace := time.NewTimer(s.cfg.GracePeriod)
		defer grace.Stop()
		tick := time.NewTicker(drainPoll)
		defer tick.Stop()
		idleSince := time.Time{}
		for {
			select {
			case <-done:
				s.log.Info("drained")
				return
			case <-grace.C:
				s.log.Warn("grace period over: stopping the calls left", zap.Duration("grace", s.cfg.GracePeriod),
					zap.Int64("data_calls", s.calls.Load()))
				s.grpc.Stop()
				<-done
				return
			case now := <-tick.C:
				switch {
				case s.watchesEnded():
				case s.calls.Load() > 0:
					idleSince = time.Time{}
				case idleSince.IsZero():
					idleSince = now
				case now.Sub(idleSince) >= drainSettle:
					s.log.Info("data calls done: ending health watches and reflection streams")
					close(s.watchesEnd)
				}
			}
		}
	})
}

// Drain timing: how often the drain looks at the calls running, and how
// long none must be running (letting watchers receive NOT_SERVING) before
// health watches and reflection streams are ended.
const (
	drainPoll   = 10 * time.Millisecond
	drainSettle = 100 * time.Millisecond
)

func (s *Server) isDraining() bool { return closed(s.draining) }

func (s *Server) watchesEnded() bool { return closed(s.watchesEnd) }

// endingWith returns a context that also ends when ch is closed; cancel
// releases it.
func endingWith(parent context.Context, ch <-chan struct{}) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	go func() {
		select {
		case <-ch:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

// closed tells whether ch is closed (it is never sent on).
func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// track counts a DataService call until the returned function runs.
func (s *Server) track() func() {
	s.calls.Add(1)
	return func() { s.calls.Add(-1) }
}

// endWatchesAtDrain gives the streams of the health and reflection services
// a context that also ends when the drain ends them, so that a health watch
// held open by a client does not hold the graceful stop until the grace
// period. (A reflection stream blocked reading its client's next request
// still waits for it, or for the grace period.)
func (s *Server) endWatchesAtDrain(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	if strings.HasPrefix(info.FullMethod, "/"+ServiceName+"/") {
		return handler(srv, ss)
	}
	ctx, cancel := endingWith(ss.Context(), s.watchesEnd)
	defer cancel()
	return handler(srv, &drainStream{ServerStream: ss, ctx: ctx})
}

// drainStream is a server stream with the drain's context.
type drainStream struct {
	grpc.ServerStream
	ctx context.Context
}

// Context returns the stream's context, which also ends at the drain.
func (d *drainStream) Context() context.Context { return d.ctx }
