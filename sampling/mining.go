package sampling

import (
	"fmt"
	"math"
	"math/bits"
	"slices"

	"github.com/starlight/dataserver/index"
)

// Hard-sample mining. In a mined epoch every pool of a mined kind (each
// technique class's pool with class balance) is drawn with replacement by
// weights: a sample with a frozen loss L weighs clamp(L/median, 1/sqrt(s),
// sqrt(s)), where median is the median frozen loss of the pool's samples
// that have one and s the strength; a sample without a loss weighs 1. So no
// weight is more than s times another: a mislabeled file, whose loss stays
// high, is drawn at most s times as often as the easiest sample and cannot
// take an epoch over. Draw j of a pool hashes (seed, epoch, pool, j) to a
// point of the cumulative weights and finds its sample by binary search:
// O(log n) for any draw, so a mined schedule stays seekable and a resume
// mid-epoch draws what the uninterrupted epoch would have. The weights are
// integers (units of 2^-24), so every platform builds the same table.

// weightUnit is the integer weight of 1.
const weightUnit = 1 << 24

// minedTag keys the draws of mined pools apart from the permutations.
const minedTag = 0x6d696e6564 // "mined"

// weighted is the cumulative integer weights of one pool's members.
type weighted struct {
	cum []uint64
}

// NewMined returns the schedule of p over pools drawing the mined kinds by
// table, the run's loss summary frozen for p's epoch; the schedule's
// Params().Mining.State is table's id. A nil or empty table, an epoch before
// Mining.FirstEpoch or an evaluation schedule draws as New does. Without
// mining it is New.
func NewMined(pools *Pools, p Params, table *LossTable) (*Schedule, error) {
	p.Mining.State = ""
	s, err := New(pools, p)
	if err != nil {
		return nil, err
	}
	if !s.mines() || table.Len() == 0 {
		return s, nil
	}
	s.p.Mining.State = table.ID()
	strength := float64(s.p.Mining.Strength)
	if pp := s.pairs; pp != nil {
		// Pair units stay uniform; the singles (negatives, or clean
		// fillers) are mined when their kind is.
		if s.p.Mining.Kinds&(1<<pp.singleK) != 0 {
			pp.single.mined = newWeighted(pools.samples, pp.single.members, table, strength)
		}
		return s, nil
	}
	for k := range s.streams {
		if s.p.Mining.Kinds&(1<<k) == 0 || s.p.Mix[k] == 0 {
			continue
		}
		if k == int(index.KindStego) && len(s.classStreams) > 0 {
			for i := range s.classStreams {
				s.classStreams[i].mined = newWeighted(pools.samples, s.classStreams[i].members, table, strength)
			}
			continue
		}
		s.streams[k].mined = newWeighted(pools.samples, s.streams[k].members, table, strength)
	}
	return s, nil
}

// checkMiningState refuses a schedule that names a frozen state without
// being given its table (New is called with Mining.State set).
func checkMiningState(p Params) error {
	if p.Mining.State != "" {
		return fmt.Errorf("%w: mining state %s needs its loss table (build the schedule with NewMined)", ErrInvalidParams, p.Mining.State)
	}
	return nil
}

// mines tells whether the schedule's epoch is a mined one.
func (s *Schedule) mines() bool {
	m := s.p.Mining
	return m.Enabled() && !s.p.Evaluation && s.p.Epoch >= m.FirstEpoch
}

// Weight returns the mining draw weight of a sample of the schedule relative
// to an unmined draw (1 when its kind is not mined this epoch), for display.
func (s *Schedule) Weight(d Draw) float64 {
	st := s.streamOf(d)
	if st == nil || st.mined == nil {
		return 1
	}
	i := slices.Index(st.members, d.Index)
	if i < 0 {
		return 1
	}
	w := st.mined.cum[i]
	if i > 0 {
		w -= st.mined.cum[i-1]
	}
	mean := float64(st.mined.cum[len(st.mined.cum)-1]) / float64(len(st.members))
	return float64(w) / mean
}

// streamOf returns the stream a draw came from, nil when unknown.
func (s *Schedule) streamOf(d Draw) *stream {
	if d.Kind < 0 || int(d.Kind) >= NumKinds {
		return nil
	}
	if d.Kind == index.KindStego && len(s.classStreams) > 0 {
		for i := range s.classStreams {
			if slices.Contains(s.classStreams[i].members, d.Index) {
				return &s.classStreams[i]
			}
		}
		return nil
	}
	return &s.streams[d.Kind]
}

// newWeighted builds the cumulative weights of members by their frozen losses.
func newWeighted(samples []index.Sample, members []int, table *LossTable, strength float64) *weighted {
	losses := make([]float64, len(members))
	known := make([]float64, 0, len(members))
	for i, m := range members {
		losses[i] = -1
		if l, ok := table.Loss(samples[m].ID); ok {
			losses[i] = float64(l)
			known = append(known, float64(l))
		}
	}
	if len(known) == 0 {
		return nil
	}
	slices.Sort(known)
	median := known[(len(known)-1)/2]
	hi := math.Sqrt(strength)
	lo := 1 / hi
	w := &weighted{cum: make([]uint64, len(members))}
	var total uint64
	for i, l := range losses {
		r := 1.0
		switch {
		case l < 0:
		case median > 0:
			r = min(max(l/median, lo), hi)
		case l > 0:
			r = hi
		}
		total += max(uint64(math.Round(r*weightUnit)), 1)
		w.cum[i] = total
	}
	return w
}

// pick returns the member drawn by key: the first whose cumulative weight
// exceeds key scaled onto [0, total).
func (w *weighted) pick(key uint64) int {
	total := w.cum[len(w.cum)-1]
	u, _ := bits.Mul64(key, total)
	i, _ := slices.BinarySearch(w.cum, u+1)
	return i
}

// minedDraw returns the member index of draw j of a mined stream.
func (s *Schedule) minedDraw(st *stream, j uint64) int {
	return st.members[st.mined.pick(absorb(s.p.Seed, s.p.Epoch, st.id, j, minedTag))]
}
