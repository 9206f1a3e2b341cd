package server

import (
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// StreamBatches validates the request, opens the schedule in the feed and
// sends its batches in order. A stream that cannot reserve memory for one
// batch within the budget wait ends RESOURCE_EXHAUSTED; a consumer that
// leaves a batch untaken for SendTimeout ends it with DEADLINE_EXCEEDED; at
// shutdown it ends with UNAVAILABLE right after its current batch, whose
// cursor resumes it.
func (h *service) StreamBatches(req *pb.StreamBatchesRequest, stream pb.DataService_StreamBatchesServer) error {
	s := h.s
	defer s.track()()
	spec, leave, err := s.admit(req)
	if err != nil {
		return toStatus(err)
	}
	defer leave()
	// work ends on shutdown too: the batch being assembled is dropped, the
	// last one sent carried the cursor to resume from.
	work, stop := endingWith(stream.Context(), s.draining)
	defer stop()
	batches, err := s.feed.Open(work, s.cat, spec)
	if err != nil {
		return toStatus(err)
	}
	defer batches.Close()
	acct := s.account(consumerName(callerName(stream.Context()), req.GetConsumer()), spec.Params.Mix)
	defer acct.end()
	return toStatus(s.sendAll(work, stream, batches, acct))
}
