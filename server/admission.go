package server

import (
	"fmt"

	"github.com/starlight/dataserver/feed"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// admit validates a StreamBatches request, checks that one batch fits in a
// message and takes a stream slot; leave gives the slot back. The memory
// budget is reserved next, by feed.Open (it may wait).
func (s *Server) admit(req *pb.StreamBatchesRequest) (spec feed.Spec, leave func(), err error) {
	spec, err = specOf(req)
	if err != nil {
		return spec, nil, err
	}
	spec.Gather = true // batchCodec writes the cached bytes where they lie
	per := feed.BatchBytes(effectiveStreams(spec.Streams), spec.Params.BatchSize, spec.PackBits) +
		int64(spec.Params.BatchSize)*messageOverhead
	if per > int64(s.cfg.MaxSendBytes) {
		return spec, nil, fmt.Errorf("%w: a batch of %d samples with these streams takes about %d bytes, over the %d-byte message limit: lower batch_size, drop streams or pack bit planes",
			errInvalid, spec.Params.BatchSize, per, s.cfg.MaxSendBytes)
	}
	select {
	case s.streamSlots <- struct{}{}:
		return spec, func() { <-s.streamSlots }, nil
	default:
		return spec, nil, fmt.Errorf("%w: %d of %d; retry later", errTooManyStreams, len(s.streamSlots), cap(s.streamSlots))
	}
}

func effectiveStreams(s []feed.Stream) []feed.Stream {
	if len(s) == 0 {
		return feed.DefaultStreams
	}
	return s
}
