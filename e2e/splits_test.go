package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/starlight/dataserver/client"
	"github.com/starlight/dataserver/index"
	"github.com/starlight/dataserver/internal/corpustest"
	"github.com/starlight/dataserver/internal/treetest"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
	"github.com/starlight/dataserver/server"
)

// splitServed indexes root as a server with splits cfg does and returns
// the samples split serves, keyed by content id and path.
func splitServed(t *testing.T, root string, cfg index.SplitConfig, split string) map[string]index.Sample {
	t.Helper()
	snap, err := index.Build(context.Background(), root, index.Options{Splits: cfg, HeaderOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]index.Sample{}
	for _, s := range index.ServedIn(snap.Samples, split) {
		out[s.ID+" "+s.Path] = s
	}
	return out
}

// evalRank is what one rank of an evaluation pass received.
type evalRank struct {
	batches, perEpoch int
	sizes             []int
	pairs             []string
}

// evaluationPass streams one evaluation pass of split at world size world
// (the ranks at once, as a job would) and returns each rank's batches.
func evaluationPass(t *testing.T, c *client.Client, split string, world, batchSize int) []evalRank {
	t.Helper()
	out := make([]evalRank, world)
	errs := make(chan error, world)
	for r := range world {
		go func() {
			req := client.Evaluation(&pb.StreamBatchesRequest{BatchSize: uint32(batchSize), Rank: uint32(r), WorldSize: uint32(world), Seed: 9,
				Streams: []pb.StreamKind{pb.StreamKind_STREAM_KIND_FORMAT}}, split)
			ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
			defer cancel()
			for b, err := range c.Stream(ctx, req) {
				if err != nil {
					errs <- fmt.Errorf("rank %d: %w", r, err)
					return
				}
				if b.GetSplit() != split {
					errs <- fmt.Errorf("rank %d: batch of split %q, asked for %q", r, b.GetSplit(), split)
					return
				}
				o := &out[r]
				o.batches++
				o.perEpoch = int(b.GetBatchesPerEpoch())
				o.sizes = append(o.sizes, b.Len())
				for i, p := range b.GetPaths() {
					o.pairs = append(o.pairs, b.GetContentIds()[i]+" "+p)
				}
			}
			errs <- nil
		}()
	}
	for range world {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// checkPass asserts that the ranks together delivered every sample of want
// exactly once, that each rank got the batches its batches_per_epoch
// announced, that the counts differ by at most one and that at most one
// batch (the epoch's last) is short.
func checkPass(t *testing.T, ranks []evalRank, want map[string]index.Sample, batchSize int) {
	t.Helper()
	seen := map[string]int{}
	short, lo, hi := 0, 1<<30, 0
	for r, o := range ranks {
		if o.batches != o.perEpoch && o.batches > 0 {
			t.Errorf("rank %d got %d batches, batches_per_epoch says %d", r, o.batches, o.perEpoch)
		}
		lo, hi = min(lo, o.batches), max(hi, o.batches)
		for _, n := range o.sizes {
			if n < batchSize {
				short++
			}
		}
		for _, k := range o.pairs {
			seen[k]++
		}
	}
	if hi-lo > 1 {
		t.Errorf("batch counts per rank from %d to %d", lo, hi)
	}
	if short > 1 {
		t.Errorf("%d short batches", short)
	}
	for k := range want {
		if seen[k] != 1 {
			t.Errorf("%s delivered %d times", k, seen[k])
		}
	}
	for k, n := range seen {
		if _, ok := want[k]; !ok {
			t.Errorf("%s delivered %d times but is not in the split", k, n)
		}
	}
}

// TestEvaluationPasses: over the corpus and the trainset, evaluation
// passes of val (and test) at world sizes 1, 2 and 3, pulled through gRPC
// from a server on loopback, deliver each sample of the split exactly once,
// counted by content id and path against the index's own assignment.
func TestEvaluationPasses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		root   func(testing.TB) string
		splits index.SplitConfig
		names  []string
	}{
		{"corpus", corpustest.Datasets, index.SplitConfig{Fractions: map[string]float64{"train": 0.6, "val": 0.2, "test": 0.2}}, []string{"val", "test"}},
		{"trainset", corpustest.Trainset, index.SplitConfig{}, []string{"val"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := tc.root(t)
			srv := startInProcess(t, server.Config{Root: root, Splits: tc.splits})
			c := dial(t, []string{srv.addr})
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			st, err := c.Stats(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range tc.names {
				want := splitServed(t, root, tc.splits, name)
				if len(want) == 0 {
					t.Fatalf("split %s of %s is empty", name, tc.name)
				}
				for _, s := range st.GetSplits() {
					if s.GetSplit() == name && s.GetSamples() != uint64(len(want)) {
						t.Errorf("Stats: split %s has %d samples, the index %d", name, s.GetSamples(), len(want))
					}
				}
				for _, world := range []int{1, 2, 3} {
					const bs = 7
					ranks := evaluationPass(t, c, name, world, bs)
					checkPass(t, ranks, want, bs)
					t.Logf("%s %s world %d: %d samples, batches per rank %v", tc.name, name, world, len(want), func() []int {
						var n []int
						for _, r := range ranks {
							n = append(n, r.batches)
						}
						return n
					}())
				}
			}
		})
	}
}

// TestEvaluationResumeAndRefusals: an evaluation pass cut after two
// batches resumes from its cursor to the same pass; a training request
// refuses the evaluation cursor; a server with another split salt refuses
// it too (its snapshot id differs); the request in grpcurl's default JSON
// form, {"split":"val","evaluation":true}, through a plain gRPC client with
// the default 4 MiB message limit, gets the whole split once.
func TestEvaluationResumeAndRefusals(t *testing.T) {
	root := corpustest.Datasets(t)
	cfg := index.SplitConfig{Fractions: map[string]float64{"train": 0.6, "val": 0.4}}
	srv := startInProcess(t, server.Config{Root: root, Splits: cfg})
	c := dial(t, []string{srv.addr})
	want := splitServed(t, root, cfg, "val")

	req := client.Evaluation(&pb.StreamBatchesRequest{BatchSize: 5, Streams: []pb.StreamKind{pb.StreamKind_STREAM_KIND_FORMAT}}, "val")
	full, _ := collect(t, c, req)
	head := clone(req)
	head.MaxBatches = 2
	first, _ := collect(t, c, head)
	resumed := clone(req)
	resumed.Cursor = lastCursor(first)
	tail, _ := collect(t, c, resumed)
	if err := sameKeys(append(first, tail...), full); err != nil {
		t.Fatalf("resumed evaluation pass: %v", err)
	}

	// the receipt of an evaluation batch (the short last one) replays it
	_, batches := collect(t, c, req)
	last := batches[len(batches)-1]
	rctx, rcancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer rcancel()
	again, err := c.Replay(rctx, last.GetReceipt())
	if err != nil {
		t.Fatalf("replay of an evaluation batch: %v", err)
	}
	if fmt.Sprint(again.GetPaths()) != fmt.Sprint(last.GetPaths()) || again.GetSplit() != "val" {
		t.Errorf("replayed %v (split %q), streamed %v", again.GetPaths(), again.GetSplit(), last.GetPaths())
	}

	training := &pb.StreamBatchesRequest{BatchSize: 5, Split: "val", Cursor: lastCursor(first), Streams: req.Streams}
	if _, _, err := tryCollect(c, training, nil); status.Code(err) == codes.OK {
		t.Error("a training request took an evaluation cursor")
	}
	other := startInProcess(t, server.Config{Root: root, Splits: index.SplitConfig{Fractions: cfg.Fractions, Salt: "another"}})
	oc := dial(t, []string{other.addr}, client.WithRetry(client.RetryPolicy{MaxAttempts: 1}))
	if _, _, err := tryCollect(oc, resumed, nil); status.Code(err) == codes.OK {
		t.Error("a server with another split salt took the cursor")
	} else {
		t.Logf("other salt: %v", err)
	}

	var asked pb.StreamBatchesRequest
	if err := protojson.Unmarshal([]byte(`{"split":"val","evaluation":true}`), &asked); err != nil {
		t.Fatal(err)
	}
	conn, err := grpc.NewClient(srv.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	stream, err := pb.NewDataServiceClient(conn).StreamBatches(ctx, &asked)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for {
		m, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("default JSON request: %v", err)
		}
		for i, p := range m.GetPaths() {
			seen[m.GetContentIds()[i]+" "+p]++
		}
	}
	if len(seen) != len(want) {
		t.Errorf("default JSON request: %d samples, the split has %d", len(seen), len(want))
	}
	for k, n := range seen {
		if _, ok := want[k]; !ok || n != 1 {
			t.Errorf("%s delivered %d times (in split: %t)", k, n, ok)
		}
	}
}

// TestReindexReportsSplitMoves: a copy of a stego whose sidecar names a
// cover of another split joins the two groups; Reindex, called through
// gRPC, reports the samples that moved, and they are exactly those a fresh
// index of the changed tree puts elsewhere.
func TestReindexReportsSplitMoves(t *testing.T) {
	root := treetest.Copy(t, corpustest.Datasets(t))
	cfg := index.SplitConfig{Fractions: map[string]float64{"train": 0.5, "val": 0.5}}
	before, err := index.Build(context.Background(), root, index.Options{Splits: cfg, HeaderOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var stego, other index.Sample
	for _, s := range before.Samples {
		if s.Kind != index.KindStego || !s.Accepted || s.Technique != "raw" || s.CoverPath == "" {
			continue
		}
		for _, c := range before.Samples {
			if c.Kind == index.KindClean && c.Accepted && c.Submission == s.Submission && c.Format == s.Format && c.Split != s.Split {
				stego, other = s, c
				break
			}
		}
		if stego.Path != "" {
			break
		}
	}
	if stego.Path == "" {
		t.Fatal("no raw stego with a clean image of its format in another split")
	}
	srv := startInProcess(t, server.Config{Root: root, Splits: cfg})
	c := dial(t, []string{srv.addr})

	data, err := os.ReadFile(filepath.Join(root, stego.Path))
	if err != nil {
		t.Fatal(err)
	}
	copyPath := strings.TrimSuffix(stego.Path, filepath.Ext(stego.Path)) + "_copy" + filepath.Ext(stego.Path)
	treetest.WriteFile(t, root, copyPath, data)
	sidecar, err := os.ReadFile(filepath.Join(root, stego.Path+".json"))
	if err != nil {
		t.Fatal(err)
	}
	cover := filepath.Base(stego.CoverPath)
	treetest.WriteFile(t, root, copyPath+".json", []byte(strings.Replace(string(sidecar), `"`+cover+`"`, `"`+filepath.Base(other.Path)+`"`, 1)))

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := c.Reindex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	after, err := index.Build(context.Background(), root, index.Options{Splits: cfg, HeaderOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := after.Sample(copyPath); !s.Accepted || s.CoverPath != other.Path {
		t.Fatalf("the copy is not a served stego of %s: %+v", other.Path, s)
	}
	want := map[string]string{}
	for _, s := range before.Samples {
		if a, _ := after.Sample(s.Path); a.Split != s.Split {
			want[s.Path] = s.Split + "->" + a.Split
		}
	}
	got := map[string]string{}
	for _, m := range res.GetSplitMoves() {
		got[m.GetPath()] = m.GetFrom() + "->" + m.GetTo()
	}
	if len(want) == 0 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("split moves %v, the index moved %v", got, want)
	}
	t.Logf("joining %s and %s moved %d samples", stego.CoverPath, other.Path, len(got))
}

// TestPinnedSubmissionServedWhole: a server pinning a submission to test
// serves every sample of it in an evaluation pass of test and none in
// train; a file elsewhere with the same bytes as a pinned one goes with it,
// reported by a split-pin-conflict error naming both.
func TestPinnedSubmissionServedWhole(t *testing.T) {
	root := corpustest.Datasets(t)
	const pinned = "beta_submission_2025"
	cfg := index.SplitConfig{Fractions: map[string]float64{"train": 1}, Pins: map[string]string{pinned: "test"}}
	srv := startInProcess(t, server.Config{Root: root, Splits: cfg})
	c := dial(t, []string{srv.addr})
	want := splitServed(t, root, cfg, "test")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conflicts := map[string]string{}
	for p, err := range c.Problems(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if p.GetCode() == index.CodeSplitPinConflict {
			conflicts[p.GetPath()] = p.GetMessage()
		}
	}
	beta := 0
	for _, s := range want {
		if s.Submission == pinned {
			beta++
		} else if msg, ok := conflicts[s.Path]; !ok || !strings.Contains(msg, pinned+"/") {
			t.Errorf("%s of %s is in test with no split-pin-conflict naming the pinned file (%q)", s.Path, s.Submission, msg)
		}
	}
	for _, s := range splitServed(t, root, cfg, index.SplitAll) {
		if _, ok := want[s.ID+" "+s.Path]; s.Submission == pinned && !ok {
			t.Errorf("%s of the pinned submission is not in test", s.Path)
		}
	}
	if beta == 0 {
		t.Fatal("the pinned submission serves nothing")
	}
	checkPass(t, evaluationPass(t, c, "test", 2, 4), want, 4)
	for _, r := range evaluationPass(t, c, "train", 1, 16) {
		for _, k := range r.pairs {
			if strings.Contains(k, " "+pinned+"/") {
				t.Fatalf("train serves %s of the pinned submission", k)
			}
		}
	}
	t.Logf("test: %d samples of %s and %d group mates elsewhere (%d split-pin-conflict errors)", beta, pinned, len(want)-beta, len(conflicts))
}
