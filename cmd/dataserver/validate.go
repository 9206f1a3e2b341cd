package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/schollz/progressbar/v3"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/index"
)

func init() {
	register(command{
		name:    "validate",
		summary: "index a dataset tree, print a summary and its problems; exit 1 when there are errors",
		run:     runValidate,
	})
}

func runValidate(ctx context.Context, args []string) error {
	return validate(ctx, args, os.Stdout, stderrIsTerminal())
}

// validate runs the command, writing the report to out and, when progress
// is set, a progress bar to stderr.
func validate(ctx context.Context, args []string, out io.Writer, progress bool) error {
	fl := newFlags("validate", "--root DIR [--json] [flags]")
	root := fl.String("root", "", "the datasets folder holding the *_submission_* folders (required)")
	asJSON := fl.Bool("json", false, "print the report as one JSON object instead of tables")
	workers := fl.Int("workers", 0, "files read at once (0: GOMAXPROCS)")
	if err := parseFlags(fl, args); err != nil {
		return err
	}
	if *root == "" {
		return missing(fl, "--root is required: the datasets folder holding the *_submission_* folders")
	}
	if fl.NArg() > 0 {
		return missing(fl, fmt.Sprintf("unexpected argument %q (flags only)", fl.Arg(0)))
	}
	opts := index.Options{Workers: *workers}
	var bar *progressbar.ProgressBar
	if progress {
		opts.Progress = func(done, total int) {
			if bar == nil {
				bar = newBar(os.Stderr, total, "indexing", "files")
			}
			_ = bar.Set(done)
		}
	}
	snap, err := index.Build(ctx, *root, opts)
	if bar != nil {
		_ = bar.Finish()
	}
	if err != nil {
		return err
	}
	rep := index.NewReport(snap)
	if *asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		writeReport(out, rep)
	}
	if rep.HasErrors() {
		return exitCode(1)
	}
	return nil
}

// writeReport prints the report as tables followed by the problems.
func writeReport(out io.Writer, r *index.Report) {
	fmt.Fprintf(out, "root      %s\nsnapshot  %s\nsamples   %d (%d served), %d errors, %d warnings\n\n",
		index.Printable(r.Root), r.SnapshotID, r.Samples, r.Accepted, r.Errors, r.Warnings)

	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SUBMISSION\tKIND\tTECHNIQUE/CATEGORY\tSAMPLES\tSERVED")
	for _, c := range r.Counts {
		g := c.Group
		if g == "" {
			g = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\n", index.Printable(c.Submission), c.Kind, index.Printable(g), c.Total, c.Accepted)
	}
	tw.Flush()

	formats := map[codec.Format]bool{}
	for _, f := range r.Formats {
		formats[f.Format] = true
	}
	cols := make([]string, 0, len(formats))
	for f := range formats {
		cols = append(cols, string(f))
	}
	sort.Strings(cols)
	fmt.Fprintln(out, "\nformats of the served samples")
	tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "SUBMISSION\tKIND\t%s\n", strings.Join(cols, "\t"))
	type row struct{ sub, kind string }
	cells := map[row]map[string]int{}
	var rows []row
	for _, f := range r.Formats {
		k := row{f.Submission, f.Kind.String()}
		if cells[k] == nil {
			cells[k] = map[string]int{}
			rows = append(rows, k)
		}
		cells[k][string(f.Format)] = f.Count
	}
	for _, k := range rows {
		fmt.Fprintf(tw, "%s\t%s", index.Printable(k.sub), k.kind)
		for _, c := range cols {
			fmt.Fprintf(tw, "\t%d", cells[k][c])
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()

	fmt.Fprintln(out, "\nclean (clean + negatives) vs stego format balance")
	tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SUBMISSION\tFORMAT\tCLEAN\tSTEGO\tCLEAN SHARE\tSTEGO SHARE")
	for _, b := range r.Balance {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.0f%%\t%.0f%%\n", index.Printable(b.Submission), b.Format, b.Clean, b.Stego, 100*b.CleanShare, 100*b.StegoShare)
	}
	tw.Flush()

	fmt.Fprintln(out, "\nnegative categories")
	subs := make([]string, 0, len(r.Categories))
	for s := range r.Categories {
		subs = append(subs, s)
	}
	sort.Strings(subs)
	for _, s := range subs {
		fmt.Fprintf(out, "  %s: %s\n", index.Printable(s), index.Printable(strings.Join(r.Categories[s], ", ")))
	}

	if len(r.Duplicates) > 0 {
		fmt.Fprintf(out, "\nsame bytes under the same label (groups: %d):\n", len(r.Duplicates))
		for _, g := range r.Duplicates {
			fmt.Fprintf(out, "  %s\n", index.Printable(strings.Join(g, "  =  ")))
		}
	}

	if len(r.Problems) == 0 {
		fmt.Fprintln(out, "\nno problems")
		return
	}
	fmt.Fprintf(out, "\nproblems (%d errors, %d warnings):\n", r.Errors, r.Warnings)
	for _, p := range r.Problems {
		fmt.Fprintf(out, "  %s\n", p)
	}
}
