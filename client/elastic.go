package client

import (
	"strconv"

	"google.golang.org/protobuf/proto"

	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// Elastic resumes an epoch with another number of consumers than the one
// that started it. In synchronous training every consumer (rank, or
// rank x worker) of the old layout took the same number of batches, steps;
// cursor is any of their last cursors and oldWorld their number (the
// world_size of the old requests). The request returned (req copied, with
// its own world_size and rank) resumes right after those steps*oldWorld
// batches of the epoch, the rest divided among the new world: no sample is
// lost or repeated. The cursor text is the server's elastic form, the
// cursor, a dot and the number of batches consumed.
func Elastic(req *pb.StreamBatchesRequest, cursor string, oldWorld int, steps uint64) *pb.StreamBatchesRequest {
	r := proto.Clone(req).(*pb.StreamBatchesRequest)
	r.Cursor = ElasticCursor(cursor, steps*uint64(oldWorld))
	return r
}

// ElasticCursor returns the elastic form of cursor after consumed batches
// of its division of the epoch (all its consumers together).
func ElasticCursor(cursor string, consumed uint64) string {
	return cursor + "." + strconv.FormatUint(consumed, 10)
}
