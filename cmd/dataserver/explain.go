package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/starlight/dataserver/client/clientflag"
	"github.com/starlight/dataserver/feed"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

func init() {
	register(command{
		name:    "explain",
		summary: "print the samples of the batch a receipt names (path, submission, kind, technique, category, loss weight)",
		run:     runExplain,
	})
}

// techniqueNames are the technique classes 0..4 by name.
var techniqueNames = []string{"alpha", "palette", "lsb.rgb", "exif", "raw"}

func runExplain(ctx context.Context, args []string) error {
	fl := flag.NewFlagSet("explain", flag.ContinueOnError)
	fl.Usage = func() {
		fmt.Fprintln(fl.Output(), "usage: dataserver explain RECEIPT [flags]")
		fl.PrintDefaults()
	}
	cf := clientflag.Register(fl)
	asJSON := fl.Bool("json", false, "print the batch's columns as JSON")
	timeout := fl.Duration("timeout", 60*time.Second, "give up after this long")
	// The receipt may come before or after the flags.
	var receipt string
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		receipt, args = args[0], args[1:]
	}
	if err := fl.Parse(args); err != nil {
		return exitCode(2)
	}
	if receipt == "" && fl.NArg() > 0 {
		receipt = fl.Arg(0)
	} else if fl.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "dataserver explain: unexpected argument %q\n", fl.Arg(0))
		return exitCode(2)
	}
	if receipt == "" || fl.NArg() > 1 {
		fl.Usage()
		return exitCode(2)
	}
	r, err := feed.ParseReceipt(receipt)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	c, err := cf.Dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	b, err := c.Explain(ctx, receipt)
	if err != nil {
		return err
	}
	if *asJSON {
		out, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(b.StreamBatchesResponse)
		if err != nil {
			return err
		}
		fmt.Printf("%s\n", out)
		return nil
	}
	return printExplain(os.Stdout, r, b.StreamBatchesResponse)
}

// printExplain writes the batch's position and one line per sample.
func printExplain(out io.Writer, r feed.Receipt, b *pb.StreamBatchesResponse) error {
	p := r.Position
	fmt.Fprintf(out, "snapshot %s, extractor %s, epoch %d, batch %d of %d, %d samples\n", b.GetSnapshotId(),
		b.GetExtractorVersion(), b.GetEpoch(), b.GetBatchIndex(), b.GetBatchesPerEpoch(), len(b.GetPaths()))
	fmt.Fprintf(out, "rank %d of %d, seed %d, mix %s, split %s, digest %x\n\n", p.Rank, p.World, p.Seed, p.Mix, p.Split, r.Digest)
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "#\tPATH\tSUBMISSION\tKIND\tTECHNIQUE\tCATEGORY\tLOSS WEIGHT\t")
	for i, p := range b.GetPaths() {
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%g\t\n", i, p, at(b.GetSubmissions(), i), kindName(at(b.GetKinds(), i)),
			techniqueName(at(b.GetTechniqueClasses(), i)), dash(at(b.GetNegativeCategories(), i)), at(b.GetLossWeights(), i))
	}
	return w.Flush()
}

// at returns s[i], or the zero value when a (hostile) response is short.
func at[T any](s []T, i int) T {
	var zero T
	if i < len(s) {
		return s[i]
	}
	return zero
}

func techniqueName(c int32) string {
	if c >= 0 && int(c) < len(techniqueNames) {
		return techniqueNames[c]
	}
	return "-"
}
