package server

import (
	"strings"

	"github.com/starlight/dataserver/catalog"
	"github.com/starlight/dataserver/index"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// splitStatsOf lays out the leak check's table: per split its size, its
// groups and its cells (submission left empty).
func splitStatsOf(sums []index.SplitSummary) []*pb.SplitStats {
	out := make([]*pb.SplitStats, len(sums))
	for i, s := range sums {
		st := &pb.SplitStats{Split: s.Split, Samples: uint64(s.Samples), Groups: uint64(s.Groups)}
		for _, c := range s.Cells {
			st.Counts = append(st.Counts, &pb.CountRow{
				Kind: kindOf(c.Kind), Technique: c.Technique, TechniqueClass: int32(c.Class), Category: c.Category,
				Format: strings.ToLower(string(c.Format)), Samples: uint64(c.Samples), Accepted: uint64(c.Samples),
			})
		}
		out[i] = st
	}
	return out
}

// splitMovesOf lays out the samples a reindex moved to another split.
func splitMovesOf(moves []catalog.SplitMove) []*pb.SplitMove {
	out := make([]*pb.SplitMove, len(moves))
	for i, m := range moves {
		out[i] = &pb.SplitMove{Path: m.Path, From: m.From, To: m.To}
	}
	return out
}
