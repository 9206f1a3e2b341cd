package sampling

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/starlight/dataserver/index"
)

// newEvaluation returns the evaluation schedule of p over pools: every
// served sample exactly once per epoch, in (content id, path) order whatever
// the seed and epoch, with no mix weighting, upsampling or class balance.
// The N samples make ceil(N/BatchSize) global batches, the last one short
// when BatchSize does not divide N; rank r gets global batches r, r+World,
// r+2*World, ..., so the ranks' slices are disjoint, cover the split, and
// their batch counts differ by at most one (a rank may get none when there
// are fewer batches than ranks).
func newEvaluation(pools *Pools, p Params) (*Schedule, error) {
	var order []int
	for k := range NumKinds {
		order = append(order, pools.kind[k]...)
	}
	if len(order) == 0 {
		return nil, fmt.Errorf("%w: split %s serves no sample to evaluate", ErrEmptyPool, p.Split)
	}
	samples := pools.samples
	slices.SortFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(samples[a].ID, samples[b].ID), cmp.Compare(samples[a].Path, samples[b].Path))
	})
	n, bs, world, rank := uint64(len(order)), uint64(p.BatchSize), uint64(p.World), uint64(p.Rank)
	total := (n + bs - 1) / bs
	var mine uint64
	if rank < total {
		mine = (total - rank + world - 1) / world
	}
	return &Schedule{pools: pools, p: p, eval: order, length: n, batches: mine}, nil
}

// appendEvaluation appends this rank's evaluation batch b (its global batch
// b*World+Rank), short when it is the epoch's last and BatchSize does not
// divide the split.
func (s *Schedule) appendEvaluation(dst []Draw, b int) []Draw {
	bs := uint64(s.p.BatchSize)
	start := (uint64(b)*uint64(s.p.World) + uint64(s.p.Rank)) * bs
	end := min(start+bs, s.length)
	dst = slices.Grow(dst, int(end-start))
	for i := start; i < end; i++ {
		dst = append(dst, s.evaluationAt(i))
	}
	return dst
}

// evaluationAt returns the draw at global position i of an evaluation epoch.
func (s *Schedule) evaluationAt(i uint64) Draw {
	idx := s.eval[i]
	smp := &s.pools.samples[idx]
	return Draw{Position: i, Index: idx, Sample: smp, Kind: smp.Kind}
}

// evaluationDraws counts the draws of kind k in an evaluation epoch: its pool, once.
func (s *Schedule) evaluationDraws(k index.Kind) uint64 {
	return uint64(s.pools.Len(k))
}
