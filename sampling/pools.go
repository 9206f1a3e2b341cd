package sampling

import (
	"cmp"
	"slices"

	"github.com/starlight/dataserver/index"
)

// Pools are the served samples of a snapshot split by kind, each pool ordered
// by (content id, path) so the order does not hang on how paths sort; the stego
// pool is also split by technique class. Build them once per snapshot: they are
// immutable and safe for concurrent use by any number of schedules.
type Pools struct {
	samples []index.Sample
	kind    [NumKinds][]int
	classes []int
	byClass [][]int
	// pairs holds the pair units and layouts built on demand (pairpools.go).
	pairs pairCache
}

// NewPools splits samples into pools. Only samples with Accepted set and a
// known kind are taken. The pools refer to samples by index and keep the
// slice: do not modify it afterwards.
func NewPools(samples []index.Sample) *Pools {
	p := &Pools{samples: samples}
	for i := range samples {
		s := &samples[i]
		if !s.Accepted || s.Kind < 0 || int(s.Kind) >= NumKinds {
			continue
		}
		p.kind[s.Kind] = append(p.kind[s.Kind], i)
	}
	byIDPath := func(a, b int) int {
		if c := cmp.Compare(samples[a].ID, samples[b].ID); c != 0 {
			return c
		}
		return cmp.Compare(samples[a].Path, samples[b].Path)
	}
	for k := range p.kind {
		slices.SortFunc(p.kind[k], byIDPath)
	}
	for _, i := range p.kind[index.KindStego] {
		c := samples[i].Class
		at, found := slices.BinarySearch(p.classes, c)
		if !found {
			p.classes = slices.Insert(p.classes, at, c)
			p.byClass = slices.Insert(p.byClass, at, nil)
		}
		p.byClass[at] = append(p.byClass[at], i)
	}
	return p
}

// Samples returns the slice the pools index into.
func (p *Pools) Samples() []index.Sample { return p.samples }

// Len returns the number of served samples of kind k.
func (p *Pools) Len(k index.Kind) int {
	if k < 0 || int(k) >= NumKinds {
		return 0
	}
	return len(p.kind[k])
}

// Classes returns the technique classes present among the served stego
// samples, ascending, and the size of each class's pool.
func (p *Pools) Classes() (classes []int, sizes []int) {
	sizes = make([]int, len(p.byClass))
	for i, c := range p.byClass {
		sizes[i] = len(c)
	}
	return slices.Clone(p.classes), sizes
}
