package catalog

import (
	"cmp"
	"slices"

	"github.com/starlight/dataserver/index"
	"github.com/starlight/dataserver/sampling"
)

// PoolsFor returns the sampling pools of a split: sampling.SplitTrain (also
// ""), SplitVal, SplitTest or SplitAll. Each serves the bytes of
// byte-identical files once. An unknown name gets nil.
func (v *View) PoolsFor(split string) *sampling.Pools {
	switch split {
	case "":
		return v.splitPools[sampling.SplitTrain]
	case sampling.SplitAll:
		return v.all
	}
	return v.splitPools[split]
}

// splitPools builds the pools of every split together and of each split
// over one copy of the served samples, ordered by split so that each
// split's pools read a contiguous part of it.
func splitPools(samples []index.Sample) (*sampling.Pools, map[string]*sampling.Pools) {
	served := index.ServedIn(samples, index.SplitAll)
	rank := func(s index.Sample) int { return slices.Index(index.SplitNames, s.SplitName()) }
	slices.SortStableFunc(served, func(a, b index.Sample) int { return cmp.Compare(rank(a), rank(b)) })
	out := make(map[string]*sampling.Pools, len(index.SplitNames))
	lo := 0
	for lo < len(served) && rank(served[lo]) < 0 {
		lo++ // a split of no known name: served in "all" only
	}
	for i, name := range index.SplitNames {
		hi := lo
		for hi < len(served) && rank(served[hi]) == i {
			hi++
		}
		out[name] = sampling.NewPools(served[lo:hi:hi])
		lo = hi
	}
	return sampling.NewPools(served), out
}

// SplitMove is one sample whose split changed between two snapshots.
type SplitMove struct {
	Path, From, To string
}

// splitMoves lists the samples present in both snapshots whose split
// differs (a new file joined two groups, or the split options changed), by path.
func splitMoves(old, new *index.Snapshot) []SplitMove {
	if old == nil || new == nil {
		return nil
	}
	var out []SplitMove
	for _, s := range new.Samples {
		o, ok := old.Sample(s.Path)
		if ok && o.SplitName() != s.SplitName() {
			out = append(out, SplitMove{Path: s.Path, From: o.SplitName(), To: s.SplitName()})
		}
	}
	return out
}
