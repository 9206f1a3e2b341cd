package sampling

import (
	"fmt"
	"slices"

	"github.com/starlight/dataserver/index"
)

// Schedule is the order of one epoch for one rank: a pure function of the
// pools, the seed, the epoch, the mix, the batch size, the rank and the world
// size. Global position i of the epoch holds the kind the mix pattern puts
// there; the j-th draw of kind k reads k's pool through a keyed permutation
// of cycle j / |pool| (a fresh shuffle each time the pool is exhausted).
// Rank r's batch b is global batch Base + b*World + r (Base is 0 unless an
// elastic resume moved the division of the epoch, see Rebased). Any batch is computed in
// O(batch size) time, whatever its place in the epoch. A Schedule is immutable
// and safe for concurrent use.
type Schedule struct {
	pools   *Pools
	p       Params
	pat     *pattern
	length  uint64
	batches uint64
	// streams[k] draws kind k; with class balance the stego draws go through classStreams.
	streams      [NumKinds]stream
	classStreams []stream
	// raw is the number of global batches of the epoch, before any padding
	// that gives every rank as many batches; base is the global batch the
	// division among ranks starts at.
	raw, base uint64
	// pairs is the pairing part of the schedule (pairs.go), nil without pairing.
	pairs *pairPlan
}

// stream is one shuffled, cycled pool: its members and its key namespace.
type stream struct {
	members []int
	id      uint64
	// mined, when set, draws members by their frozen losses (mining.go).
	mined *weighted
}

// Draw is one sample of a batch.
type Draw struct {
	// Position is the global position in the epoch, 0..Len()-1.
	Position uint64
	// Index is the sample's index in Pools.Samples().
	Index int
	// Sample points into Pools.Samples().
	Sample *index.Sample
	// Kind is the kind the mix pattern asked for at this position.
	Kind index.Kind
	// Cycle counts how many times the sample's pool was exhausted before this draw in the epoch.
	Cycle uint64
	// Pair is the number of the draw's pair within its batch (0, 1, ...)
	// with pairing, -1 for a sample outside a pair.
	Pair int
	// Unit is the global position of the first sample of the draw's unit
	// (its pair's cover, or the draw itself): what keys its augmentation.
	Unit uint64
	// Transform is the D4 transform of the draw's unit (0..7, see
	// TransformOf); 0 without augmentation.
	Transform uint8
}

// New returns the schedule of p over pools. The parameters are checked
// (ErrInvalidParams) and every kind with a positive weight must have samples
// (ErrEmptyPool).
func New(pools *Pools, p Params) (*Schedule, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	p = p.Normalized()
	if p.Evaluation {
		return nil, fmt.Errorf("%w: evaluation is not served by this build yet", ErrInvalidParams)
	}
	if err := checkMiningState(p); err != nil {
		return nil, err
	}
	if p.Pairing {
		return newPaired(pools, p)
	}
	pat, err := newPattern(p.Mix)
	if err != nil {
		return nil, err
	}
	s := &Schedule{pools: pools, p: p, pat: pat}
	// effective[k] is how many draws of kind k cover its pool once.
	var effective [NumKinds]uint64
	for k := range NumKinds {
		s.streams[k] = stream{members: pools.kind[k], id: uint64(k)}
		if p.Mix[k] == 0 {
			continue
		}
		n := uint64(len(pools.kind[k]))
		if n == 0 {
			return nil, fmt.Errorf("%w: mix %s asks for %s samples (weight %d) but the snapshot serves none",
				ErrEmptyPool, p.Mix, index.Kind(k), p.Mix[k])
		}
		effective[k] = n
	}
	if p.ClassBalance && p.Mix[index.KindStego] > 0 {
		largest := 0
		for i, members := range pools.byClass {
			s.classStreams = append(s.classStreams, stream{members: members, id: uint64(NumKinds + 1 + pools.classes[i])})
			largest = max(largest, len(members))
		}
		effective[index.KindStego] = uint64(len(pools.byClass)) * uint64(largest)
	}
	// The kind with the largest pool for its weight is covered once; the others are upsampled.
	var length uint64
	for k := range NumKinds {
		if w := uint64(p.Mix[k]); w > 0 {
			length = max(length, (effective[k]*pat.period+w-1)/w)
		}
	}
	s.raw = (length + uint64(p.BatchSize) - 1) / uint64(p.BatchSize)
	s.setBatches()
	return s, nil
}

// setBatches sets the epoch's padded length and this rank's batch count
// from raw, base and the world: ceil((raw-base)/World) batches per rank.
func (s *Schedule) setBatches() {
	w := uint64(s.p.World)
	s.length = (s.raw + w - 1) / w * w * uint64(s.p.BatchSize)
	s.batches = 0
	if s.base < s.raw {
		s.batches = (s.raw - s.base + w - 1) / w
	}
}

// Params returns the normalized parameters of the schedule.
func (s *Schedule) Params() Params { return s.p }

// Pools returns the pools the schedule draws from.
func (s *Schedule) Pools() *Pools { return s.pools }

// Len returns the number of global positions of the epoch (all ranks together),
// a multiple of BatchSize*World (as divided from its start, whatever the base).
func (s *Schedule) Len() uint64 { return s.length }

// BatchesPerEpoch returns the number of batches each rank gets in the epoch.
func (s *Schedule) BatchesPerEpoch() int { return int(s.batches) }

// DrawsPerEpoch returns how many draws of kind k the whole epoch (all ranks)
// holds; 0 for a pairing schedule, whose counts PairUnits tells.
func (s *Schedule) DrawsPerEpoch(k index.Kind) uint64 {
	if k < 0 || int(k) >= NumKinds || s.pairs != nil {
		return 0
	}
	return s.pat.countBefore(int(k), s.length)
}

// Batch returns this rank's batch b, or nil when b is outside 0..BatchesPerEpoch()-1.
func (s *Schedule) Batch(b int) []Draw {
	return s.AppendBatch(nil, b)
}

// AppendBatch appends this rank's batch b to dst and returns it; dst is
// returned unchanged when b is outside 0..BatchesPerEpoch()-1.
func (s *Schedule) AppendBatch(dst []Draw, b int) []Draw {
	if b < 0 || uint64(b) >= s.batches {
		return dst
	}
	B := uint64(s.p.BatchSize)
	g := s.base + uint64(b)*uint64(s.p.World) + uint64(s.p.Rank)
	dst = slices.Grow(dst, int(B))
	from := len(dst)
	if s.pairs != nil {
		dst = s.pairs.appendBatch(dst, s, g)
	} else {
		for i := g * B; i < (g+1)*B; i++ {
			dst = append(dst, s.At(i))
		}
	}
	if s.p.Augment {
		for i := from; i < len(dst); i++ {
			dst[i].Transform = TransformOf(s.p.Seed, s.p.Epoch, dst[i].Unit)
		}
	}
	return dst
}

// At returns the draw at global position i of the epoch (any rank's),
// without its augmentation transform; positions past Len() continue the
// schedule (they pad an elastic resume).
func (s *Schedule) At(i uint64) Draw {
	if s.pairs != nil {
		B := uint64(s.p.BatchSize)
		return s.pairs.appendBatch(nil, s, i/B)[i%B]
	}
	k, j := s.pat.at(i)
	st := &s.streams[k]
	if k == int(index.KindStego) && len(s.classStreams) > 0 {
		c := uint64(len(s.classStreams))
		st = &s.classStreams[j%c]
		j /= c
	}
	n := uint64(len(st.members))
	cycle, off := j/n, j%n
	if st.mined != nil {
		idx := s.minedDraw(st, j)
		return Draw{Position: i, Index: idx, Sample: &s.pools.samples[idx], Kind: index.Kind(k), Cycle: cycle}
	}
	perm := NewPermutation(n, absorb(s.p.Seed, s.p.Epoch, st.id, cycle))
	idx := st.members[perm.At(off)]
	return Draw{Position: i, Index: idx, Sample: &s.pools.samples[idx], Kind: index.Kind(k), Cycle: cycle, Pair: -1, Unit: i}
}

// Cursor returns the cursor that resumes this schedule at batch next.
func (s *Schedule) Cursor(snapshotID string, next int) Cursor {
	return Cursor{SnapshotID: snapshotID, Params: s.p, NextBatch: uint64(next), Base: s.base}
}
