package sampling

import (
	"fmt"
	"slices"

	"github.com/starlight/dataserver/index"
)

// Pairing (Params.Pairing) makes the unit of the schedule a pair: a cover
// and 1..k of its stegos (k = StegosPerCover), cover first, always in one
// batch, while negatives stay single units.
//
// The epoch is the pair units in a keyed shuffle, each exactly once (with
// class balance, round robin over the technique classes, the smaller classes
// upsampled as in the plain schedule). The mix weighs pair units against
// negatives: the stego weight is the pairs' share and the clean weight is
// not used, since every stego brings its cover (with k = 1 the samples then
// come out as clean:stego:negative = s:s:n). Negatives follow in the
// proportion the mix asks for, drawn from their own shuffled, cycled pool.
//
// Batches are filled greedily, global batch after global batch: the next
// unit is a pair while pairs are not ahead of the mix (pairs*n <= singles*s),
// else a negative. A pair that does not fit in what is left of a batch waits
// for the next batch and a single takes its place: a negative, or, when the
// mix has no negatives, a clean sample from the clean pool (a filler, outside
// any pair). So every batch is exactly BatchSize samples and no pair is ever
// split across batches, and so across ranks. Once every pair is placed, the
// rest of the last batch, and any further batch needed to give every rank as
// many batches (or to pad an elastic resume), holds singles only.
//
// Each global batch's start (pairs and singles placed before it) is kept in
// a layout computed once per epoch in one walk (O(batches) memory, cached in
// the Pools), so any batch is computed directly from its start.
type pairPlan struct {
	units   *pairUnits
	streams []stream // one over all units, or one per class with class balance
	total   uint64   // pair units drawn per epoch
	pairW   uint64
	singleW uint64
	single  stream // negatives (singleW > 0) or clean fillers
	singleK index.Kind
	seed    uint64
	epoch   uint64
	batch   int
	layout  *pairLayout
}

// layoutKey identifies a pair layout: everything that decides which units
// land in which global batch (not the world, rank or base).
type layoutKey struct {
	seed, epoch    uint64
	pairW, singleW uint64
	batch          int
	units          unitKey
}

// pairLayout is the start of every global batch of an epoch.
type pairLayout struct {
	key    layoutKey
	starts []pairState
	end    pairState
}

// pairState counts the pair units and singles placed.
type pairState struct{ pairs, singles uint64 }

// pairStreamID is the key namespace of the pair unit streams (the plain
// schedule's streams use small ids).
const pairStreamID = 0x7061697273 << 16

// newPaired returns the pairing schedule of p (normalized, validated).
func newPaired(pools *Pools, p Params) (*Schedule, error) {
	pairW, singleW := uint64(p.Mix[index.KindStego]), uint64(p.Mix[index.KindNegative])
	if pairW == 0 {
		return nil, fmt.Errorf("%w: pairing needs a positive stego weight (mix %s): each stego brings its cover", ErrInvalidParams, p.Mix)
	}
	if p.BatchSize < p.StegosPerCover+1 {
		return nil, fmt.Errorf("%w: batch size %d cannot hold a cover with %d stegos", ErrInvalidParams, p.BatchSize, p.StegosPerCover)
	}
	ukey := unitKey{k: p.StegosPerCover, byClass: p.ClassBalance}
	units := pools.pairUnitsOf(ukey)
	if len(units.units) == 0 {
		return nil, fmt.Errorf("%w: pairing: no served stego sample has a served cover (%d stegos left unpaired)", ErrEmptyPool, pools.UnpairedStegos())
	}
	pp := &pairPlan{units: units, pairW: pairW, singleW: singleW, seed: p.Seed, epoch: p.Epoch, batch: p.BatchSize}
	if p.ClassBalance {
		largest := 0
		for i, members := range units.byClass {
			pp.streams = append(pp.streams, stream{members: members, id: pairStreamID + 1 + uint64(units.classes[i])})
			largest = max(largest, len(members))
		}
		pp.total = uint64(len(units.byClass)) * uint64(largest)
	} else {
		pp.streams = []stream{{members: units.all, id: pairStreamID}}
		pp.total = uint64(len(units.all))
	}
	pp.singleK = index.KindNegative
	if singleW == 0 {
		pp.singleK = index.KindClean
	}
	pp.single = stream{members: pools.kind[pp.singleK], id: uint64(pp.singleK)}
	if len(pp.single.members) == 0 {
		return nil, fmt.Errorf("%w: mix %s asks for negative samples (weight %d) but the snapshot serves none",
			ErrEmptyPool, p.Mix, singleW)
	}
	lkey := layoutKey{seed: p.Seed, epoch: p.Epoch, pairW: pairW, singleW: singleW, batch: p.BatchSize, units: ukey}
	if pp.layout = pools.cachedLayout(lkey); pp.layout == nil {
		pp.layout = pp.buildLayout(lkey)
		pools.keepLayout(pp.layout)
	}
	s := &Schedule{pools: pools, p: p, pairs: pp}
	s.raw = uint64(len(pp.layout.starts))
	s.setBatches()
	return s, nil
}

// buildLayout walks the epoch once, recording each global batch's start.
func (pp *pairPlan) buildLayout(key layoutKey) *pairLayout {
	l := &pairLayout{key: key}
	var st pairState
	for st.pairs < pp.total {
		l.starts = append(l.starts, st)
		st = pp.fill(st, nil)
	}
	l.starts = slices.Clip(l.starts)
	l.end = st
	return l
}

// start returns the state at the start of global batch g, beyond the epoch's
// batches too (singles only there).
func (pp *pairPlan) start(g uint64) pairState {
	if g < uint64(len(pp.layout.starts)) {
		return pp.layout.starts[g]
	}
	st := pp.layout.end
	st.singles += (g - uint64(len(pp.layout.starts))) * uint64(pp.batch)
	return st
}

// pairDue tells whether the next unit should be a pair.
func (pp *pairPlan) pairDue(st pairState) bool {
	return st.pairs < pp.total && st.pairs*pp.singleW <= st.singles*pp.pairW
}

// unitSize returns the samples of the pair unit at ordinal j.
func (pp *pairPlan) unitSize(j uint64) int {
	if pp.units.maxSize == 2 {
		return 2
	}
	u, _ := pp.unitAt(j)
	return pp.units.units[u].size()
}

// fill places one batch from st, calling emit (when set) for each unit with
// its ordinal; it returns the state after the batch.
func (pp *pairPlan) fill(st pairState, emit func(pair bool, ordinal uint64)) pairState {
	for r := pp.batch; r > 0; {
		if pp.pairDue(st) {
			if n := pp.unitSize(st.pairs); n <= r {
				if emit != nil {
					emit(true, st.pairs)
				}
				st.pairs++
				r -= n
				continue
			}
		}
		if emit != nil {
			emit(false, st.singles)
		}
		st.singles++
		r--
	}
	return st
}

// unitAt returns the pair unit drawn at ordinal j and its cycle.
func (pp *pairPlan) unitAt(j uint64) (unit int, cycle uint64) {
	st := &pp.streams[0]
	if c := uint64(len(pp.streams)); c > 1 {
		st = &pp.streams[j%c]
		j /= c
	}
	idx, cycle := pp.draw(st, j)
	return idx, cycle
}

// draw returns the member of st at ordinal j of its cycled shuffle.
func (pp *pairPlan) draw(st *stream, j uint64) (member int, cycle uint64) {
	n := uint64(len(st.members))
	cycle, off := j/n, j%n
	perm := NewPermutation(n, absorb(pp.seed, pp.epoch, st.id, cycle))
	return st.members[perm.At(off)], cycle
}

// appendBatch appends global batch g to dst.
func (pp *pairPlan) appendBatch(dst []Draw, s *Schedule, g uint64) []Draw {
	pos := g * uint64(pp.batch)
	pair := 0
	samples := s.pools.samples
	pp.fill(pp.start(g), func(isPair bool, j uint64) {
		if !isPair {
			idx, cycle := pp.draw(&pp.single, j)
			if pp.single.mined != nil {
				idx = s.minedDraw(&pp.single, j)
			}
			dst = append(dst, Draw{Position: pos, Index: idx, Sample: &samples[idx], Kind: pp.singleK, Cycle: cycle, Pair: -1, Unit: pos})
			pos++
			return
		}
		u, cycle := pp.unitAt(j)
		unit := pp.units.units[u]
		first := pos
		dst = append(dst, Draw{Position: pos, Index: unit.cover, Sample: &samples[unit.cover], Kind: index.KindClean, Cycle: cycle, Pair: pair, Unit: first})
		pos++
		for _, st := range unit.stegos {
			dst = append(dst, Draw{Position: pos, Index: st, Sample: &samples[st], Kind: index.KindStego, Cycle: cycle, Pair: pair, Unit: first})
			pos++
		}
		pair++
	})
	return dst
}

// PairUnits returns the number of pair units an epoch of a pairing schedule
// draws (0 without pairing).
func (s *Schedule) PairUnits() uint64 {
	if s.pairs == nil {
		return 0
	}
	return s.pairs.total
}
