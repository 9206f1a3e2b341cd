package index

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
)

// groups joins samples into split groups with a union-find over their
// indices: a stego with the cover its sidecar names, and every two samples
// with the same bytes.
type groups struct{ parent []int }

func newGroups(n int) *groups {
	g := &groups{parent: make([]int, n)}
	for i := range g.parent {
		g.parent[i] = i
	}
	return g
}

func (g *groups) find(i int) int {
	for g.parent[i] != i {
		g.parent[i] = g.parent[g.parent[i]]
		i = g.parent[i]
	}
	return i
}

func (g *groups) union(a, b int) {
	ra, rb := g.find(a), g.find(b)
	if ra != rb {
		g.parent[max(ra, rb)] = min(ra, rb)
	}
}

// groupSamples returns the members of each group, and the samples whose
// bytes another sample has too, in path order. samples must be sorted by
// path (as the assembler leaves them): each group's members are then in
// path order, and the groups in the order of their first path.
func groupSamples(samples []Sample) (groups [][]int, sameBytes []int) {
	g := newGroups(len(samples))
	byID := make(map[string]int, len(samples))
	shared := map[int]bool{}
	for i, s := range samples {
		if s.ID == "" {
			continue
		}
		if j, ok := byID[s.ID]; ok {
			g.union(i, j)
			shared[i], shared[j] = true, true
		} else {
			byID[s.ID] = i
		}
	}
	for i := range shared {
		sameBytes = append(sameBytes, i)
	}
	slices.Sort(sameBytes)
	for i, s := range samples {
		if s.Kind != KindStego {
			continue
		}
		j, ok := slices.BinarySearchFunc(samples, s.CoverPath, func(x Sample, p string) int { return strings.Compare(x.Path, p) })
		if ok && s.CoverPath != "" {
			g.union(i, j)
		} else if j, ok := byID[s.CoverID]; ok && s.CoverID != "" {
			g.union(i, j)
		}
	}
	slot := make([]int, len(samples)) // root -> 1 + its group's index
	var out [][]int
	for i := range samples {
		r := g.find(i)
		if slot[r] == 0 {
			out = append(out, nil)
			slot[r] = len(out)
		}
		out[slot[r]-1] = append(out[slot[r]-1], i)
	}
	return out, sameBytes
}

// groupKey is the key a group is assigned by: the smallest content id of
// its covers, clean images and negatives, else of its stegos (a stego whose
// cover is absent). Adding a stego to a cover's group does not change it;
// only a new file that joins two groups, or the cover of a group of stegos
// only, does. A sample without a content id (unreadable) keys by its path.
func groupKey(samples []Sample, members []int) string {
	best, bestStego := "", ""
	for _, i := range members {
		s := samples[i]
		if s.ID == "" {
			continue
		}
		if s.Kind == KindStego {
			if bestStego == "" || s.ID < bestStego {
				bestStego = s.ID
			}
		} else if best == "" || s.ID < best {
			best = s.ID
		}
	}
	switch {
	case best != "":
		return best
	case bestStego != "":
		return bestStego
	}
	return "path:" + samples[members[0]].Path
}

// SplitOf returns the split a group key falls in: the first 8 bytes of
// sha256(salt, 0, key) read as a fraction of 2^64, compared with the
// cumulative shares in SplitNames order. A pure function of its inputs.
func SplitOf(key, salt string, shares [3]float64) string {
	var buf [128]byte
	in := append(append(append(buf[:0], salt...), 0), key...)
	sum := sha256.Sum256(in)
	u := float64(binary.BigEndian.Uint64(sum[:8])>>11) / (1 << 53)
	acc := 0.0
	last := ""
	for i, share := range shares {
		if share <= 0 {
			continue
		}
		acc += share
		last = SplitNames[i]
		if u < acc {
			return last
		}
	}
	return last // rounding: the shares sum to just below 1
}

// pinOf returns the split a submission is pinned to, "" when none.
func (c SplitConfig) pinOf(sub string) string {
	if p, ok := c.Pins[sub]; ok {
		return p
	}
	return splitFolder(sub)
}

// assignSplits sets Group and Split on every sample and returns the
// problems: pins that force a group across splits (errors; the group goes
// whole to the pin of its first pinned file by path), pins naming no
// submission, and byte-identical copies within one submission (warnings).
func assignSplits(samples []Sample, cfg SplitConfig) []Problem {
	var probs []Problem
	shares := cfg.Shares()
	groups, sameBytes := groupSamples(samples)
	for _, members := range groups {
		key := groupKey(samples, members)
		natural := SplitOf(key, cfg.Salt, shares)
		split, pinnedBy := natural, -1
		for _, i := range members {
			if p := cfg.pinOf(samples[i].Submission); p != "" {
				split, pinnedBy = p, i
				break
			}
		}
		for _, i := range members {
			s := &samples[i]
			s.Group, s.Split = key, split
			if pinnedBy < 0 || !s.Accepted {
				continue
			}
			would := cfg.pinOf(s.Submission)
			how := "its pin"
			if would == "" {
				would, how = natural, "the hash of its group"
			}
			if would != split {
				by := samples[pinnedBy]
				probs = append(probs, Problem{Severity: SeverityError, Code: CodeSplitPinConflict, Path: s.Path,
					Message: fmt.Sprintf("in one group with %s (same bytes or cover and stego), which submission %s pins to %s; %s puts this file in %s: the whole group is served in %s",
						by.Path, by.Submission, split, how, would, split)})
			}
		}
	}
	probs = append(probs, markCopies(samples, sameBytes)...)
	return append(probs, unknownPins(samples, cfg)...)
}

// markCopies sets CopyOf on every accepted sample (of sameBytes, the
// samples whose bytes another has too, in path order) that has the bytes of
// an earlier accepted one, and warns of copies within one submission.
func markCopies(samples []Sample, sameBytes []int) []Problem {
	var probs []Problem
	type at struct{ sub, id string }
	first := map[string]int{}
	inSub := map[at]string{}
	for _, i := range sameBytes {
		s := &samples[i]
		if !s.Accepted {
			continue
		}
		if j, ok := first[s.ID]; ok {
			s.CopyOf = samples[j].Path
		} else {
			first[s.ID] = i
		}
		k := at{s.Submission, s.ID}
		if p, ok := inSub[k]; ok {
			probs = append(probs, Problem{Severity: SeverityWarning, Code: CodeDuplicateCopy, Path: s.Path,
				Message: fmt.Sprintf("same bytes as %s in this submission: served once per split (remove the copy)", p)})
		} else {
			inSub[k] = s.Path
		}
	}
	return probs
}

// unknownPins warns of pins that name no submission with images.
func unknownPins(samples []Sample, cfg SplitConfig) []Problem {
	if len(cfg.Pins) == 0 {
		return nil
	}
	subs := map[string]bool{}
	for _, s := range samples {
		subs[s.Submission] = true
	}
	var probs []Problem
	for sub, split := range cfg.Pins {
		if !subs[sub] {
			probs = append(probs, Problem{Severity: SeverityWarning, Code: CodeSplitPinUnknown, Path: sub,
				Message: fmt.Sprintf("pin %s=%s names no submission with images in this tree", sub, split)})
		}
	}
	return probs
}

// ServedIn returns the samples served in split (SplitTrain, SplitVal,
// SplitTest, or SplitAll for every split): the accepted samples of the
// split that are no copy of another (CopyOf: byte-identical files are served
// once), in the order of samples.
func ServedIn(samples []Sample, split string) []Sample {
	var out []Sample
	for _, s := range samples {
		if s.Accepted && s.CopyOf == "" && (split == SplitAll || s.SplitName() == split) {
			out = append(out, s)
		}
	}
	return out
}

// SplitName returns the sample's split; a sample of a snapshot built
// without splits counts as train.
func (s Sample) SplitName() string {
	if s.Split == "" {
		return SplitTrain
	}
	return s.Split
}

// splitProblems assigns the splits of samples (sorted by path) and returns
// the assignment's problems and the leak check's warnings.
func splitProblems(samples []Sample, cfg SplitConfig) []Problem {
	probs := assignSplits(samples, cfg)
	return append(probs, leakWarnings(tallySplits(samples), cfg.Shares())...)
}
