package server

import (
	"context"
	"fmt"

	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// ReplayBatch returns the batch a receipt names, the message first sent byte
// for byte; columns_only leaves its tensors out (the digest is still checked).
// A replay takes one of the stream slots while it assembles, and the batch
// and its copy in the reply are charged to the memory budget (feed.Replay).
func (h *service) ReplayBatch(ctx context.Context, req *pb.ReplayBatchRequest) (*pb.ReplayBatchResponse, error) {
	s := h.s
	defer s.track()()
	if req.GetReceipt() == "" {
		return nil, toStatus(fmt.Errorf("%w: receipt is required (a StreamBatchesResponse.receipt)", errInvalid))
	}
	select {
	case s.streamSlots <- struct{}{}:
		defer func() { <-s.streamSlots }()
	default:
		return nil, toStatus(fmt.Errorf("%w: %d of %d; retry later", errTooManyStreams, len(s.streamSlots), cap(s.streamSlots)))
	}
	b, err := s.feed.Replay(ctx, s.cat, req.GetReceipt())
	if err != nil {
		return nil, toStatus(err)
	}
	defer b.Release()
	m := batchMessage(b)
	if req.GetColumnsOnly() {
		m.Tensors = nil
	}
	for i, t := range m.Tensors {
		if bt := &b.Tensors[i]; bt.Parts != nil {
			t.Data = concat(bt.Parts)
		} else {
			t.Data = concat([][]byte{bt.Data})
		}
	}
	return &pb.ReplayBatchResponse{Batch: m}, nil
}
