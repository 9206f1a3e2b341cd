package catalog

import (
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
		return v.Pools
	}
	return v.splitPools[split]
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
