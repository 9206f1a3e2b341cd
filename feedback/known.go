package feedback

import (
	"cmp"
	"slices"

	"github.com/starlight/dataserver/index"
)

// Known finds the served samples of a snapshot by content id: which ids a
// run may report, and what a hardest sample is. Build one per snapshot; it
// is immutable.
type Known struct {
	samples []*index.Sample
}

// NewKnown indexes samples (a snapshot's served samples) by content id;
// of samples with the same content, the first path in byte order is named.
func NewKnown(samples []index.Sample) *Known {
	k := &Known{samples: make([]*index.Sample, len(samples))}
	for i := range samples {
		k.samples[i] = &samples[i]
	}
	slices.SortFunc(k.samples, func(a, b *index.Sample) int {
		if c := cmp.Compare(a.ID, b.ID); c != 0 {
			return c
		}
		return cmp.Compare(a.Path, b.Path)
	})
	return k
}

// Sample returns the sample with content id id.
func (k *Known) Sample(id string) (*index.Sample, bool) {
	i, ok := slices.BinarySearchFunc(k.samples, id, func(s *index.Sample, id string) int { return cmp.Compare(s.ID, id) })
	if !ok {
		return nil, false
	}
	return k.samples[i], true
}

// Has tells whether a sample has content id id.
func (k *Known) Has(id string) bool {
	_, ok := k.Sample(id)
	return ok
}
