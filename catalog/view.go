package catalog

import (
	"cmp"
	"slices"

	"github.com/starlight/dataserver/index"
	"github.com/starlight/dataserver/sampling"
)

// View is one snapshot with what is derived from it once: the samples it
// serves and its count cells. A View is immutable.
type View struct {
	// Snapshot is the index snapshot.
	Snapshot *index.Snapshot
	// Served are the accepted samples, in snapshot order: the pool the
	// sampling schedule draws from.
	Served []index.Sample
	// Counts are the count cells, sorted by submission, kind, technique,
	// category, format.
	Counts []Count
	// Accepted is len(Served).
	Accepted int
	// all are the sampling pools of every split together and splitPools
	// those of train, val and test (see PoolsFor), built once for every schedule.
	all        *sampling.Pools
	splitPools map[string]*sampling.Pools
	// Splits is the leak check: what each split serves.
	Splits []index.SplitSummary
}

// Count is the number of samples in one submission x kind x
// technique/category x format cell.
type Count struct {
	Submission string
	Kind       index.Kind
	Technique  string
	Class      int
	Category   string
	Format     string
	// Samples counts every sample of the cell, Accepted those served.
	Samples, Accepted int
}

// ID returns the snapshot id.
func (v *View) ID() string { return v.Snapshot.ID }

func newView(s *index.Snapshot) *View {
	v := &View{Snapshot: s}
	for _, smp := range s.Samples {
		if smp.Accepted {
			v.Served = append(v.Served, smp)
		}
	}
	v.Accepted = len(v.Served)
	v.all, v.splitPools = splitPools(s.Samples)
	v.Splits = index.SplitSummaries(s.Samples)
	v.Counts = countCells(s.Samples)
	return v
}

func countCells(samples []index.Sample) []Count {
	type key struct {
		sub, tech, cat, format string
		kind                   index.Kind
		class                  int
	}
	cells := map[key]*Count{}
	for _, s := range samples {
		k := key{s.Submission, s.Technique, s.Category, string(s.Format), s.Kind, s.Class}
		c := cells[k]
		if c == nil {
			c = &Count{Submission: s.Submission, Kind: s.Kind, Technique: s.Technique, Class: s.Class,
				Category: s.Category, Format: string(s.Format)}
			cells[k] = c
		}
		c.Samples++
		if s.Accepted {
			c.Accepted++
		}
	}
	out := make([]Count, 0, len(cells))
	for _, c := range cells {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b Count) int {
		return cmp.Or(cmp.Compare(a.Submission, b.Submission), cmp.Compare(a.Kind, b.Kind),
			cmp.Compare(a.Technique, b.Technique), cmp.Compare(a.Category, b.Category), cmp.Compare(a.Format, b.Format))
	})
	return out
}

// Problems returns up to limit problems starting at offset, and the total.
func (v *View) Problems(offset, limit int) ([]index.Problem, int) {
	all := v.Snapshot.Problems
	if offset < 0 || offset >= len(all) {
		return nil, len(all)
	}
	end := offset + limit
	if limit <= 0 || end > len(all) {
		end = len(all)
	}
	return all[offset:end], len(all)
}
