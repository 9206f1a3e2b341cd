package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// printRuns writes the loss-feedback runs and their hardest samples.
func printRuns(out io.Writer, runs []*pb.RunStats) error {
	for _, r := range runs {
		fmt.Fprintf(out, "\nfeedback run %q: %d samples, %d loss records, last epoch %d; hardest:\n",
			r.GetRun(), r.GetSamples(), r.GetRecords(), r.GetLastEpoch())
		w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(w, "  LOSS\tREPORTS\tKIND\tCATEGORY\tPATH\t")
		for _, h := range r.GetHardest() {
			path := h.GetPath()
			if path == "" {
				path = "(not served now) " + h.GetContentId()
			}
			fmt.Fprintf(w, "  %.4g\t%d\t%s\t%s\t%s\t\n", h.GetLoss(), h.GetReports(), kindName(h.GetKind()), dash(h.GetCategory()), path)
		}
		if err := w.Flush(); err != nil {
			return err
		}
	}
	return nil
}
