package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/starlight/dataserver/client/clientflag"
	"github.com/starlight/dataserver/index"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

func init() {
	register(command{
		name:    "stats",
		summary: "print the server's counts, validation problems and serving figures",
		run:     runStats,
	})
}

func runStats(ctx context.Context, args []string) error {
	fl := newFlags("stats", "[--addr HOST:PORT] [flags]")
	cf := clientflag.Register(fl)
	asJSON := fl.Bool("json", false, "print the response as JSON")
	problems := fl.Uint("problems", 20, "validation problems listed (at most 1000)")
	timeout := fl.Duration("timeout", 30*time.Second, "give up after this long")
	if err := parseFlags(fl, args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	c, err := cf.Dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	size := uint32(min(max(*problems, 1), 1000))
	st, err := c.Stats(ctx, &pb.StatsRequest{PageSize: size})
	if err != nil {
		return err
	}
	if *asJSON {
		b, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(st)
		if err != nil {
			return err
		}
		fmt.Printf("%s\n", b)
		return nil
	}
	return printStats(os.Stdout, st, int(*problems))
}

// printStats writes the response as aligned tables.
func printStats(out io.Writer, st *pb.StatsResponse, problems int) error {
	if ix := st.GetIndexing(); ix.GetRunning() {
		fmt.Fprintf(out, "indexing: %d of %d files, %.0f files/s, about %.0fs left\n", ix.GetDone(), ix.GetTotal(), ix.GetFilesPerSecond(), ix.GetEtaSeconds())
		if st.GetSnapshotId() == "" {
			return nil // no snapshot yet: nothing else to show
		}
	}
	fmt.Fprintf(out, "snapshot %s, built %s (%.0fs ago), extractor %s%s\n", st.GetSnapshotId(),
		st.GetSnapshotCreated().AsTime().Local().Format(time.DateTime), st.GetSnapshotAgeSeconds(), st.GetExtractorVersion(),
		map[bool]string{true: ", REINDEXING", false: ""}[st.GetReindexing()])
	fmt.Fprintf(out, "%d samples, %d served, %d validation problems\n\n", st.GetSamples(), st.GetAccepted(), st.GetTotalProblems())

	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "SUBMISSION\tKIND\tTECHNIQUE/CATEGORY\tFORMAT\tSAMPLES\tSERVED\t")
	var byKind [4][2]uint64
	for _, r := range st.GetCounts() {
		label := r.GetTechnique()
		if label == "" {
			label = r.GetCategory()
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%d\t\n", index.Printable(r.GetSubmission()), kindName(r.GetKind()), index.Printable(dash(label)), index.Printable(r.GetFormat()), r.GetSamples(), r.GetAccepted())
		if k := int(r.GetKind()); k > 0 && k < len(byKind) {
			byKind[k][0] += r.GetSamples()
			byKind[k][1] += r.GetAccepted()
		}
	}
	for k := pb.Kind_KIND_CLEAN; k <= pb.Kind_KIND_NEGATIVE; k++ {
		fmt.Fprintf(w, "total\t%s\t\t\t%d\t%d\t\n", kindName(k), byKind[k][0], byKind[k][1])
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprint(out, splitLine(st.GetSplits()))

	sv := st.GetServing()
	ex := sv.GetExtraction()
	fmt.Fprintf(out, "\nserving: %d active streams; cache %d hits, %d misses (%d from disk), %d images, %.1f MiB; %d extraction errors\n",
		sv.GetActiveStreams(), sv.GetCacheHits(), sv.GetCacheMisses(), sv.GetDiskCacheHits(), sv.GetCacheEntries(),
		float64(sv.GetCacheBytes())/(1<<20), sv.GetExtractErrors())
	writeExtraction(out, ex, sv.GetWarmedAtIndex())
	if len(sv.GetConsumers()) > 0 {
		fmt.Fprintln(out)
		w = tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(w, "CONSUMER\tSTREAMS\tBATCHES\tSAMPLES\tREQUESTED MIX\tSERVED MIX\t")
		for _, c := range sv.GetConsumers() {
			fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%s\t%s\t\n", index.Printable(c.GetConsumer()), c.GetActiveStreams(), c.GetBatchesServed(), c.GetSamplesServed(),
				shares(c.GetRequestedMix()), shares(c.GetServedMix()))
		}
		if err := w.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(out, "(mixes are clean:stego:negative shares over the same samples sent: what their streams asked for, what they got)")
	}
	if err := printRuns(out, st.GetRuns()); err != nil {
		return err
	}
	if n := len(st.GetProblems()); n > 0 && problems > 0 {
		fmt.Fprintf(out, "\nproblems (%d of %d):\n", min(n, problems), st.GetTotalProblems())
		for i, p := range st.GetProblems() {
			if i == problems {
				break
			}
			fmt.Fprintf(out, "  %-7s %-22s %s: %s\n", severity(p.GetSeverity()), index.Printable(p.GetCode()), where(p), index.Printable(p.GetMessage()))
		}
	}
	return nil
}

// writeExtraction says where the served streams were extracted: the index
// decodes every image and fills the cache at start-up (and reindex); only
// cache misses are extracted on demand, and only those are timed.
func writeExtraction(out io.Writer, ex *pb.LatencySummary, warmed uint64) {
	fmt.Fprintf(out, "extraction while indexing: %d images put in the cache\n", warmed)
	if ex.GetCount() == 0 {
		fmt.Fprintln(out, "extraction on demand: none; every image served came from the cache")
		return
	}
	fmt.Fprintf(out, "extraction on demand (cache misses): %d images, mean %s, p50 %s, p99 %s, max %s\n",
		ex.GetCount(), secs(ex.GetMeanSeconds()), secs(ex.GetP50Seconds()), secs(ex.GetP99Seconds()), secs(ex.GetMaxSeconds()))
}

func kindName(k pb.Kind) string {
	return strings.ToLower(strings.TrimPrefix(k.String(), "KIND_"))
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func secs(s float64) string {
	return time.Duration(s * float64(time.Second)).Round(10 * time.Microsecond).String()
}

func shares(s *pb.KindShares) string {
	return fmt.Sprintf("%.2f:%.2f:%.2f", s.GetClean(), s.GetStego(), s.GetNegative())
}
