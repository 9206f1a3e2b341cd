package index

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/starlight/dataserver/codec"
)

// SplitSummary is one split of the leak check: what it serves.
type SplitSummary struct {
	Split string `json:"split"`
	// Samples counts the samples served (byte-identical copies once).
	Samples int `json:"samples"`
	// Groups counts the groups they belong to.
	Groups int `json:"groups"`
	// Cells count the samples by kind x technique x category x format.
	Cells []SplitCell `json:"cells"`
}

// SplitCell is the number of samples of one kind, technique (stego),
// category (negatives) and format in a split.
type SplitCell struct {
	Kind      Kind   `json:"kind"`
	Technique string `json:"technique"`
	// Class is the technique class id, ClassNone for clean and negatives.
	Class    int          `json:"class"`
	Category string       `json:"category"`
	Format   codec.Format `json:"format"`
	Samples  int          `json:"samples"`
}

// SplitSummaries returns the leak check's table for train, val and test,
// over the samples each serves (see ServedIn).
func SplitSummaries(samples []Sample) []SplitSummary {
	out := make([]SplitSummary, len(SplitNames))
	groups := make([]map[string]bool, len(SplitNames))
	cells := make([]map[SplitCell]int, len(SplitNames))
	for i, name := range SplitNames {
		out[i] = SplitSummary{Split: name, Cells: []SplitCell{}}
		groups[i], cells[i] = map[string]bool{}, map[SplitCell]int{}
	}
	for _, s := range samples {
		i := slices.Index(SplitNames, s.SplitName())
		if !s.Accepted || i < 0 || s.CopyOf != "" {
			continue
		}
		out[i].Samples++
		groups[i][s.Group] = true
		cells[i][SplitCell{Kind: s.Kind, Technique: s.Technique, Class: s.Class, Category: s.Category, Format: s.Format}]++
	}
	for i := range out {
		out[i].Groups = len(groups[i])
		for c, n := range cells[i] {
			c.Samples = n
			out[i].Cells = append(out[i].Cells, c)
		}
		slices.SortFunc(out[i].Cells, func(a, b SplitCell) int {
			return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Technique, b.Technique),
				cmp.Compare(a.Category, b.Category), cmp.Compare(a.Format, b.Format))
		})
	}
	return out
}

// minExpected is how many samples of a kind or technique a split must be
// expected to hold (by its share of the samples) before lacking them is
// reported: below it, a small tree lacks them by chance.
const minExpected = 5

// leakValue is one kind ("kind", "clean") or stego technique
// ("technique", "alpha") the leak check compares across splits.
type leakValue struct{ what, name string }

// splitTally counts the served samples of each split, in all and by kind
// and technique: what the leak check compares.
type splitTally struct {
	samples [3]int
	values  map[leakValue]*[3]int
}

func (t *splitTally) add(split int, v leakValue) {
	c := t.values[v]
	if c == nil {
		c = new([3]int)
		t.values[v] = c
	}
	c[split]++
}

// tallySplits counts the samples each split serves, in one pass.
func tallySplits(samples []Sample) splitTally {
	t := splitTally{values: map[leakValue]*[3]int{}}
	var kinds [3][3]int
	for _, s := range samples {
		if !s.Accepted || s.CopyOf != "" || s.Kind < 0 || int(s.Kind) >= len(kinds) {
			continue
		}
		var i int
		switch s.SplitName() {
		case SplitTrain:
			i = 0
		case SplitVal:
			i = 1
		case SplitTest:
			i = 2
		default:
			continue
		}
		t.samples[i]++
		kinds[s.Kind][i]++
		if s.Kind == KindStego && s.Technique != "" {
			t.add(i, leakValue{"technique", s.Technique})
		}
	}
	for k, c := range kinds {
		if c != [3]int{} {
			cc := c
			t.values[leakValue{"kind", Kind(k).String()}] = &cc
		}
	}
	return t
}

// leakWarnings compares the splits: a split with a positive share that
// serves nothing, and a split that lacks a kind or a stego technique that
// another split serves, are warnings (its rates would say nothing of it),
// when the split was expected to hold at least minExpected of them.
func leakWarnings(t splitTally, shares [3]float64) []Problem {
	var probs []Problem
	total := t.samples[0] + t.samples[1] + t.samples[2]
	for i, n := range t.samples {
		if n == 0 {
			if float64(total)*shares[i] >= minExpected {
				probs = append(probs, Problem{Severity: SeverityWarning, Code: CodeSplitLacks, Path: ".",
					Message: fmt.Sprintf("split %s (share %.3g) serves no sample of %d", SplitNames[i], shares[i], total)})
			}
			continue
		}
		missing := map[string][]string{}
		for v, c := range t.values {
			all := c[0] + c[1] + c[2]
			if c[i] == 0 && float64(all)*float64(n)/float64(total) >= minExpected {
				missing[v.what] = append(missing[v.what], v.name)
			}
		}
		for _, what := range []string{"kind", "technique"} {
			if names := missing[what]; len(names) > 0 {
				slices.Sort(names)
				probs = append(probs, Problem{Severity: SeverityWarning, Code: CodeSplitLacks, Path: ".",
					Message: fmt.Sprintf("split %s has no %s %s that another split serves", SplitNames[i], what, strings.Join(names, ", "))})
			}
		}
	}
	return probs
}
