package server

import (
	"github.com/starlight/dataserver/feed"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// pairsAndTransforms fills the batch's pair_index (with pairing) and
// transforms (with augmentation); both stay empty otherwise.
func pairsAndTransforms(m *pb.StreamBatchesResponse, b *feed.Batch) {
	if b.Paired {
		m.PairIndex = make([]int32, len(b.Rows))
		for i, r := range b.Rows {
			m.PairIndex[i] = r.Pair
		}
	}
	if b.Augmented {
		m.Transforms = make([]uint32, len(b.Rows))
		for i, r := range b.Rows {
			m.Transforms[i] = uint32(r.Transform)
		}
	}
}
