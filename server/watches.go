package server

import (
	"fmt"

	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// watchMethod is the health service's streaming call.
var watchMethod = "/" + healthpb.Health_ServiceDesc.ServiceName + "/Watch"

// capWatches refuses a health Watch beyond MaxWatches running at once
// (RESOURCE_EXHAUSTED, reason TOO_MANY_WATCHES): each holds a goroutine and
// a stream for as long as its client likes, and health is open to callers
// without a token.
func (s *Server) capWatches(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	if info.FullMethod != watchMethod {
		return handler(srv, ss)
	}
	select {
	case s.watchSlots <- struct{}{}:
		defer func() { <-s.watchSlots }()
		return handler(srv, ss)
	default:
		return toStatus(fmt.Errorf("%w: %d of %d", errTooManyWatches, len(s.watchSlots), cap(s.watchSlots)))
	}
}
