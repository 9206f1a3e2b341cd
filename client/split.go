package client

import (
	"google.golang.org/protobuf/proto"

	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// The splits a request may name (StreamBatchesRequest.split); "" is train.
const (
	SplitTrain = "train"
	SplitVal   = "val"
	SplitTest  = "test"
	SplitAll   = "all"
)

// Evaluation returns a copy of req asking for one evaluation pass over
// split: every sample of the split exactly once, in a fixed order, with no
// mix weighting, upsampling or class balance; the last batch may be short.
// Ranks (req.rank, req.world_size) get disjoint slices covering the split;
// their batches_per_epoch differ by at most one. The pass is the epoch
// req.epoch (end_epoch is set to the next one); a cursor resumes it.
func Evaluation(req *pb.StreamBatchesRequest, split string) *pb.StreamBatchesRequest {
	out := proto.Clone(req).(*pb.StreamBatchesRequest)
	out.Split, out.Evaluation = split, true
	out.Mix, out.ClassBalance = nil, false
	out.EndEpoch = out.GetEpoch() + 1
	return out
}
