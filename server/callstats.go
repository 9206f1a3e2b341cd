package server

import (
	"context"
	"sync"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging"
	"google.golang.org/grpc"

	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// callStats is what one call sent, gathered at the transport (the batches
// as they are handed to gRPC, the caller as auth found it) and read by the
// logging interceptor for its "finished call" line: handlers do not log.
type callStats struct {
	mu                        sync.Mutex
	caller, requested         string
	batches, samples, byteSum int64
	stream                    bool
}

type callStatsKey struct{}

// statsOf returns the call's holder, nil outside a call.
func statsOf(ctx context.Context) *callStats {
	cs, _ := ctx.Value(callStatsKey{}).(*callStats)
	return cs
}

// setCaller records the authenticated caller's name.
func (cs *callStats) setCaller(name string) {
	if cs == nil {
		return
	}
	cs.mu.Lock()
	cs.caller = name
	cs.mu.Unlock()
}

// fields returns the log fields of a StreamBatches call; none for other calls.
func (cs *callStats) fields() logging.Fields {
	if cs == nil {
		return nil
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if !cs.stream {
		return nil
	}
	return logging.Fields{"consumer", consumerName(cs.caller, cs.requested),
		"batches", cs.batches, "samples", cs.samples, "bytes", cs.byteSum}
}

// statsFields is the logging interceptor's hook reading the holder.
func statsFields(ctx context.Context, _ interceptors.CallMeta) logging.Fields {
	return statsOf(ctx).fields()
}

// countStream puts a holder into each stream's context and counts the
// StreamBatches request's consumer and every batch sent successfully.
func countStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	cs := &callStats{stream: info.FullMethod == pb.DataService_StreamBatches_FullMethodName}
	return handler(srv, &countingStream{ServerStream: ss, ctx: context.WithValue(ss.Context(), callStatsKey{}, cs), cs: cs})
}

// countUnary puts a holder into each unary call's context (for the caller).
func countUnary(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	return handler(context.WithValue(ctx, callStatsKey{}, &callStats{}), req)
}

type countingStream struct {
	grpc.ServerStream
	ctx context.Context
	cs  *callStats
}

func (s *countingStream) Context() context.Context { return s.ctx }

func (s *countingStream) RecvMsg(m any) error {
	err := s.ServerStream.RecvMsg(m)
	if req, ok := m.(*pb.StreamBatchesRequest); ok && err == nil {
		s.cs.mu.Lock()
		s.cs.requested = req.GetConsumer()
		s.cs.mu.Unlock()
	}
	return err
}

func (s *countingStream) SendMsg(m any) error {
	o, ok := m.(*outgoing)
	if !ok {
		return s.ServerStream.SendMsg(m)
	}
	// The batch may be released once SendMsg returns: count it before.
	samples, size := int64(len(o.batch.Rows)), o.batch.Bytes()
	err := s.ServerStream.SendMsg(m)
	if err == nil {
		s.cs.mu.Lock()
		s.cs.batches++
		s.cs.samples += samples
		s.cs.byteSum += size
		s.cs.mu.Unlock()
	}
	return err
}
