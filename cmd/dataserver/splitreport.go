package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/starlight/dataserver/index"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// writeSplits prints the leak check: each split's size and groups, then one
// row per kind x technique/category x format with a column per split, so a
// cell that is empty in one split stands out.
func writeSplits(out io.Writer, r *index.Report) {
	fmt.Fprintf(out, "\nsplits by cover group (%s): served samples, byte-identical copies once\n", index.Printable(r.SplitConfig))
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SPLIT\tSAMPLES\tGROUPS")
	for _, s := range r.Splits {
		fmt.Fprintf(tw, "%s\t%d\t%d\n", s.Split, s.Samples, s.Groups)
	}
	tw.Flush()

	type row struct {
		kind        index.Kind
		group, form string
	}
	cells := map[row][]int{}
	var rows []row
	for i, s := range r.Splits {
		for _, c := range s.Cells {
			g := c.Technique
			if c.Kind == index.KindNegative {
				g = c.Category
			}
			if g == "" {
				g = "-"
			}
			k := row{c.Kind, g, strings.ToLower(string(c.Format))}
			if cells[k] == nil {
				cells[k] = make([]int, len(r.Splits))
				rows = append(rows, k)
			}
			cells[k][i] += c.Samples
		}
	}
	slices.SortFunc(rows, func(a, b row) int {
		return cmp.Or(cmp.Compare(a.kind, b.kind), cmp.Compare(a.group, b.group), cmp.Compare(a.form, b.form))
	})
	fmt.Fprintln(out, "\nleak check: samples per split")
	tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	head := []string{"KIND", "TECHNIQUE/CATEGORY", "FORMAT"}
	for _, s := range r.Splits {
		head = append(head, strings.ToUpper(s.Split))
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, k := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s", k.kind, index.Printable(k.group), k.form)
		for _, n := range cells[k] {
			fmt.Fprintf(tw, "\t%d", n)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}

// splitLine summarises Stats.splits on one line ("" when the server sent none).
func splitLine(splits []*pb.SplitStats) string {
	if len(splits) == 0 {
		return ""
	}
	parts := make([]string, len(splits))
	for i, s := range splits {
		parts[i] = fmt.Sprintf("%s %d samples (%d groups)", s.GetSplit(), s.GetSamples(), s.GetGroups())
	}
	return "\nsplits: " + strings.Join(parts, ", ") + "\n"
}

// writeSplitMoves lists up to list samples a reindex moved to another split
// (nothing when none moved).
func writeSplitMoves(w io.Writer, moves []*pb.SplitMove, list int) {
	if len(moves) == 0 {
		return
	}
	fmt.Fprintf(w, "  split moves: %d (a new file joined two groups)\n", len(moves))
	for i, m := range moves {
		if i == list {
			fmt.Fprintf(w, "    ... %d more\n", len(moves)-list)
			break
		}
		fmt.Fprintf(w, "    %s: %s -> %s\n", index.Printable(m.GetPath()), m.GetFrom(), m.GetTo())
	}
}
