package server

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/starlight/dataserver/internal/corpustest"
	"github.com/starlight/dataserver/internal/demotree"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// TestReindexWhileStreaming: a stream running across a Reindex keeps its
// snapshot to the end; its snapshot stays pinnable while held and is
// FAILED_PRECONDITION after; new streams get the new snapshot.
func TestReindexWhileStreaming(t *testing.T) {
	cfg := testConfig(t)
	cfg.Root = demotree.Copy(t)
	r := start(t, cfg, true)
	// Small windows and pixel tensors keep the stream from finishing early.
	c := pb.NewDataServiceClient(dial(t, r.addr, grpc.WithInitialWindowSize(1<<16), grpc.WithInitialConnWindowSize(1<<16)))
	req := &pb.StreamBatchesRequest{BatchSize: 4, Seed: 5, Streams: []pb.StreamKind{pb.StreamKind_STREAM_KIND_PIXEL}}
	want, err := pull(context.Background(), t, c, req)
	if err != nil {
		t.Fatal(err)
	}
	old := want[0].GetSnapshotId()

	stream, err := c.StreamBatches(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	first, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	// Remove a clean image and reindex while the stream runs.
	clean := filepath.Join(cfg.Root, demotree.Summary(t).Submissions[0], "clean")
	entries, err := os.ReadDir(clean)
	if err != nil || len(entries) == 0 {
		t.Fatalf("no clean image in %s: %v", clean, err)
	}
	gone := filepath.Join(clean, entries[0].Name())
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	re, err := c.Reindex(context.Background(), &pb.ReindexRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if re.GetSnapshotId() == old || re.GetPreviousSnapshotId() != old || len(re.GetRemoved()) != 1 {
		t.Fatalf("reindex: %s (previous %s), removed %v", re.GetSnapshotId(), re.GetPreviousSnapshotId(), re.GetRemoved())
	}
	// Pinning the old snapshot works while the running stream holds it.
	pinned := cloneRequest(req)
	pinned.SnapshotId, pinned.MaxBatches = old, 1
	if got, err := pull(context.Background(), t, c, pinned); err != nil || got[0].GetSnapshotId() != old {
		t.Fatalf("pinning the held snapshot: %v", err)
	}
	rest, err := collect(stream)
	if err != nil {
		t.Fatal(err)
	}
	sameBatches(t, append([]*pb.StreamBatchesResponse{first}, rest...), want)

	// Now nothing holds it.
	if _, err := pull(context.Background(), t, c, pinned); status.Code(err) != codes.FailedPrecondition {
		t.Fatalf("pinning a released snapshot: %v, want FailedPrecondition", err)
	}
	resume := cloneRequest(req)
	resume.Cursor = want[0].GetCursor()
	if _, err := pull(context.Background(), t, c, resume); status.Code(err) != codes.FailedPrecondition {
		t.Fatalf("a cursor of a released snapshot: %v, want FailedPrecondition", err)
	}
	fresh, err := pull(context.Background(), t, c, req)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range fresh {
		if b.GetSnapshotId() != re.GetSnapshotId() {
			t.Fatalf("new stream served snapshot %s, want %s", b.GetSnapshotId(), re.GetSnapshotId())
		}
		for _, p := range b.GetPaths() {
			if strings.HasSuffix(gone, filepath.FromSlash(p)) {
				t.Fatalf("removed file %s served after the reindex", p)
			}
		}
	}
}

// TestStatsCounts: Stats counts equal the tree's files by kind, pages the
// problems, and reports the serving figures of a finished stream.
func TestStatsCounts(t *testing.T) {
	r := start(t, corpusConfig(t), true)
	c := pb.NewDataServiceClient(dial(t, r.addr))
	// Count the images of the tree by their folder, independently.
	want := map[pb.Kind]uint64{}
	for path := range corpustest.Expected(t) {
		parts := strings.Split(path, "/")
		switch parts[1] {
		case "clean":
			want[pb.Kind_KIND_CLEAN]++
		case "stego":
			want[pb.Kind_KIND_STEGO]++
		case "negatives":
			want[pb.Kind_KIND_NEGATIVE]++
		}
	}
	if _, err := pull(context.Background(), t, c, &pb.StreamBatchesRequest{BatchSize: 3, MaxBatches: 4, Consumer: "stats-test",
		Mix: &pb.Mix{Clean: 1, Stego: 1, Negative: 1}, Streams: []pb.StreamKind{pb.StreamKind_STREAM_KIND_FORMAT}}); err != nil {
		t.Fatal(err)
	}
	st, err := c.Stats(context.Background(), &pb.StatsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[pb.Kind]uint64{}
	var total uint64
	for _, row := range st.GetCounts() {
		got[row.GetKind()] += row.GetSamples()
		total += row.GetSamples()
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("kind %s: Stats counts %d, the tree has %d", k, got[k], n)
		}
	}
	if total != st.GetSamples() || st.GetSnapshotId() == "" || st.GetSnapshotCreated() == nil {
		t.Errorf("samples %d vs rows %d, snapshot %q", st.GetSamples(), total, st.GetSnapshotId())
	}
	var cons *pb.ConsumerStats
	for _, cs := range st.GetServing().GetConsumers() {
		if cs.GetConsumer() == "stats-test" {
			cons = cs
		}
	}
	if cons == nil || cons.GetBatchesServed() != 4 || cons.GetSamplesServed() != 12 || cons.GetActiveStreams() != 0 {
		t.Fatalf("consumer figures: %v", cons)
	}
	if m := cons.GetServedMix(); m.GetClean() != 1.0/3 || m.GetStego() != 1.0/3 || m.GetNegative() != 1.0/3 {
		t.Errorf("served mix %v, want a third each over 4 batches of 3", m)
	}
	if st.GetServing().GetCacheMisses() == 0 || st.GetServing().GetExtraction().GetCount() == 0 {
		t.Errorf("no extraction figures: %v", st.GetServing())
	}
	// Paging the problems covers them exactly once.
	var seen uint64
	tok := ""
	for {
		page, err := c.Stats(context.Background(), &pb.StatsRequest{PageToken: tok, PageSize: 2})
		if err != nil {
			t.Fatal(err)
		}
		seen += uint64(len(page.GetProblems()))
		if tok = page.GetNextPageToken(); tok == "" {
			break
		}
	}
	if seen != st.GetTotalProblems() {
		t.Fatalf("paged %d problems, total says %d", seen, st.GetTotalProblems())
	}
	if _, err := c.Stats(context.Background(), &pb.StatsRequest{PageToken: "%%%"}); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("bad page token: %v", err)
	}
}

// TestRequestLimits: invalid requests are INVALID_ARGUMENT with a reason.
func TestRequestLimits(t *testing.T) {
	cfg := testConfig(t)
	cfg.MaxSendBytes = 8 << 20
	r := start(t, cfg, true)
	c := pb.NewDataServiceClient(dial(t, r.addr))
	for name, req := range map[string]*pb.StreamBatchesRequest{
		"mix 0:0:0":      {BatchSize: 2, Mix: &pb.Mix{}},
		"split":          {BatchSize: 2, Split: "holdout"},
		"mining no run":  {BatchSize: 2, Mining: &pb.Mining{Strength: 2}},
		"too big":        {BatchSize: 64, Streams: []pb.StreamKind{pb.StreamKind_STREAM_KIND_PIXEL}},
		"rank >= world":  {BatchSize: 2, Rank: 2, WorldSize: 2},
		"unknown stream": {BatchSize: 2, Streams: []pb.StreamKind{99}},
		"twice":          {BatchSize: 2, Streams: []pb.StreamKind{pb.StreamKind_STREAM_KIND_META, pb.StreamKind_STREAM_KIND_META}},
		"end before":     {BatchSize: 2, Epoch: 5, EndEpoch: 3},
		"bad weight":     {BatchSize: 2, LossWeights: &pb.LossWeights{Negative: floatPtr(-1)}},
	} {
		_, err := pull(context.Background(), t, c, req)
		if status.Code(err) != codes.InvalidArgument {
			t.Errorf("%s: %v, want InvalidArgument", name, err)
		}
	}
	// A request that leaves batch_size out gets DefaultBatchSize.
	got, err := pull(context.Background(), t, c, &pb.StreamBatchesRequest{MaxBatches: 1})
	if err != nil || len(got) != 1 || len(got[0].GetContentIds()) != DefaultBatchSize {
		t.Fatalf("no batch size: %d batches, err %v; want one of %d samples", len(got), err, DefaultBatchSize)
	}
	// Category weights override the negative default.
	got, err = pull(context.Background(), t, c, &pb.StreamBatchesRequest{BatchSize: 9, MaxBatches: 4,
		Mix: &pb.Mix{Negative: 1}, Streams: []pb.StreamKind{pb.StreamKind_STREAM_KIND_FORMAT},
		LossWeights: &pb.LossWeights{Negative: floatPtr(3), NegativeCategories: map[string]float32{"rgb_no_alpha": 5}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range got {
		for i, cat := range b.GetNegativeCategories() {
			want := float32(3)
			if cat == "rgb_no_alpha" {
				want = 5
			}
			if b.GetKinds()[i] != pb.Kind_KIND_NEGATIVE || b.GetLossWeights()[i] != want {
				t.Fatalf("%s (%s): kind %s weight %v, want negative %v", b.GetPaths()[i], cat, b.GetKinds()[i], b.GetLossWeights()[i], want)
			}
		}
	}
}

func floatPtr(v float32) *float32 { return &v }

// TestServeRealIndex serves the corpus indexed by index.Build itself: the
// snapshot holds every image of the tree, and a whole epoch streams.
func TestServeRealIndex(t *testing.T) {
	cfg := corpusConfig(t)
	cfg.Build = nil
	r := start(t, cfg, true)
	c := pb.NewDataServiceClient(dial(t, r.addr))
	st, err := c.Stats(context.Background(), &pb.StatsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(corpustest.Expected(t)); st.GetSamples() != uint64(n) {
		t.Errorf("index.Build snapshot holds %d samples, the corpus %d images", st.GetSamples(), n)
	}
	got, err := pull(context.Background(), t, c, &pb.StreamBatchesRequest{BatchSize: 8,
		Streams: []pb.StreamKind{pb.StreamKind_STREAM_KIND_FORMAT}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 || uint64(len(got)) != got[0].GetBatchesPerEpoch() {
		t.Fatalf("%d batches for an epoch", len(got))
	}
	t.Logf("real index: %d samples, %d accepted, %d problems; epoch of %d batches",
		st.GetSamples(), st.GetAccepted(), st.GetTotalProblems(), len(got))
}
