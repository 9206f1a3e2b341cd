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
// r+2*World, ... (from the elastic base, see Rebased), so the ranks' slices
// are disjoint, cover the split, and their batch counts differ by at most
// one (a rank may get none when there are fewer batches than ranks). Pairing
// and mining play no part; augmentation applies as in training.
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
	bs := uint64(p.BatchSize)
	s := &Schedule{pools: pools, p: p, eval: order, length: uint64(len(order)), raw: (uint64(len(order)) + bs - 1) / bs}
	s.setBatches()
	return s, nil
}

// setEvaluationBatches counts this rank's evaluation batches: the global
// batches base+r, base+r+World, ... below the epoch's ceil(N/BatchSize);
// no padding, so ranks differ by at most one (and a rank may get none).
func (s *Schedule) setEvaluationBatches() {
	w, r := uint64(s.p.World), uint64(s.p.Rank)
	s.batches = 0
	if s.base+r < s.raw {
		s.batches = (s.raw - s.base - r + w - 1) / w
	}
}

// appendEvaluation appends the evaluation batch at global batch g, short
// when it is the epoch's last and BatchSize does not divide the split.
func (s *Schedule) appendEvaluation(dst []Draw, g uint64) []Draw {
	bs := uint64(s.p.BatchSize)
	for i := g * bs; i < min((g+1)*bs, s.length); i++ {
		dst = append(dst, s.evaluationAt(i))
	}
	return dst
}

// evaluationAt returns the draw at global position i of an evaluation epoch.
func (s *Schedule) evaluationAt(i uint64) Draw {
	idx := s.eval[i]
	smp := &s.pools.samples[idx]
	return Draw{Position: i, Index: idx, Sample: smp, Kind: smp.Kind, Pair: -1, Unit: i}
}

// evaluationDraws counts the draws of kind k in an evaluation epoch: its pool, once.
func (s *Schedule) evaluationDraws(k index.Kind) uint64 {
	return uint64(s.pools.Len(k))
}
