package index

import (
	"cmp"
	"slices"
	"sort"

	"github.com/starlight/dataserver/codec"
)

// Report summarises a snapshot for people and for the validate command.
type Report struct {
	Root       string `json:"root"`
	SnapshotID string `json:"snapshot_id"`
	Samples    int    `json:"samples"`
	Accepted   int    `json:"accepted"`
	Errors     int    `json:"errors"`
	Warnings   int    `json:"warnings"`
	// Counts has one row per submission, kind and group (technique for
	// stego, category for negatives, "" for clean).
	Counts []Count `json:"counts"`
	// Formats has one row per submission, kind and format.
	Formats []FormatCount `json:"formats"`
	// Categories lists the negative categories present per submission.
	Categories map[string][]string `json:"categories"`
	// Balance compares the clean side (clean and negatives) with the stego
	// side per submission and format, accepted samples only.
	Balance []Balance `json:"balance"`
	// Duplicates are the groups of paths with the same bytes and label.
	Duplicates [][]string `json:"duplicates"`
	// SplitConfig is the split configuration, as text.
	SplitConfig string `json:"split_config"`
	// Splits is the leak check: what each split serves, by kind x
	// technique x category x format.
	Splits   []SplitSummary `json:"splits"`
	Problems []Problem      `json:"problems"`
}

// Count is the number of samples of one submission, kind and group.
type Count struct {
	Submission string `json:"submission"`
	Kind       Kind   `json:"kind"`
	// Group is the technique of stego samples, the category of negatives, "" for clean.
	Group    string `json:"group"`
	Total    int    `json:"total"`
	Accepted int    `json:"accepted"`
}

// FormatCount is the number of samples of one submission, kind and format.
type FormatCount struct {
	Submission string       `json:"submission"`
	Kind       Kind         `json:"kind"`
	Format     codec.Format `json:"format"`
	Count      int          `json:"count"`
}

// Balance is the clean and stego counts of one format in one submission,
// with each side's share of that format among its own samples.
type Balance struct {
	Submission string       `json:"submission"`
	Format     codec.Format `json:"format"`
	Clean      int          `json:"clean"`
	Stego      int          `json:"stego"`
	CleanShare float64      `json:"clean_share"`
	StegoShare float64      `json:"stego_share"`
}

// NewReport summarises s.
func NewReport(s *Snapshot) *Report {
	r := &Report{Root: s.Root, SnapshotID: s.ID, Samples: len(s.Samples), Categories: map[string][]string{}, Duplicates: s.Duplicates, Problems: s.Problems,
		SplitConfig: s.Splits.String(), Splits: SplitSummaries(s.Samples)}
	if r.Duplicates == nil {
		r.Duplicates = [][]string{}
	}
	if r.Problems == nil {
		r.Problems = []Problem{}
	}
	for _, p := range s.Problems {
		if p.Severity == SeverityError {
			r.Errors++
		} else {
			r.Warnings++
		}
	}
	type ckey struct {
		sub   string
		kind  Kind
		group string
	}
	type fkey struct {
		sub  string
		kind Kind
		f    codec.Format
	}
	type bkey struct {
		sub string
		f   codec.Format
	}
	counts := map[ckey]*Count{}
	formats := map[fkey]int{}
	bal := map[bkey]*Balance{}
	cats := map[string]map[string]bool{}
	sideTotal := map[string][2]int{}
	for _, x := range s.Samples {
		g := x.Technique
		if x.Kind == KindNegative {
			g = x.Category
			if g != "" {
				if cats[x.Submission] == nil {
					cats[x.Submission] = map[string]bool{}
				}
				cats[x.Submission][g] = true
			}
		}
		k := ckey{x.Submission, x.Kind, g}
		c := counts[k]
		if c == nil {
			c = &Count{Submission: x.Submission, Kind: x.Kind, Group: g}
			counts[k] = c
		}
		c.Total++
		if !x.Accepted {
			continue
		}
		r.Accepted++
		c.Accepted++
		if x.Format == "" {
			continue
		}
		formats[fkey{x.Submission, x.Kind, x.Format}]++
		b := bal[bkey{x.Submission, x.Format}]
		if b == nil {
			b = &Balance{Submission: x.Submission, Format: x.Format}
			bal[bkey{x.Submission, x.Format}] = b
		}
		t := sideTotal[x.Submission]
		if x.Kind == KindStego {
			b.Stego++
			t[1]++
		} else {
			b.Clean++
			t[0]++
		}
		sideTotal[x.Submission] = t
	}
	for _, c := range counts {
		r.Counts = append(r.Counts, *c)
	}
	slices.SortFunc(r.Counts, func(a, b Count) int {
		return cmp.Or(cmp.Compare(a.Submission, b.Submission), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Group, b.Group))
	})
	for k, n := range formats {
		r.Formats = append(r.Formats, FormatCount{Submission: k.sub, Kind: k.kind, Format: k.f, Count: n})
	}
	slices.SortFunc(r.Formats, func(a, b FormatCount) int {
		return cmp.Or(cmp.Compare(a.Submission, b.Submission), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Format, b.Format))
	})
	for _, b := range bal {
		t := sideTotal[b.Submission]
		if t[0] > 0 {
			b.CleanShare = float64(b.Clean) / float64(t[0])
		}
		if t[1] > 0 {
			b.StegoShare = float64(b.Stego) / float64(t[1])
		}
		r.Balance = append(r.Balance, *b)
	}
	slices.SortFunc(r.Balance, func(a, b Balance) int {
		return cmp.Or(cmp.Compare(a.Submission, b.Submission), cmp.Compare(a.Format, b.Format))
	})
	for sub, set := range cats {
		for c := range set {
			r.Categories[sub] = append(r.Categories[sub], c)
		}
		sort.Strings(r.Categories[sub])
	}
	return r
}

// HasErrors reports whether any problem is an error.
func (r *Report) HasErrors() bool { return r.Errors > 0 }
