package server

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/starlight/dataserver/feed"
	"github.com/starlight/dataserver/internal/testbin"
	"github.com/starlight/dataserver/internal/treetest"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// replayRequests are the streams whose batches the replay tests name: two
// ranks of one world, packed and not, with category loss weights.
func replayRequests() []*pb.StreamBatchesRequest {
	var out []*pb.StreamBatchesRequest
	for rank := range uint32(2) {
		out = append(out, &pb.StreamBatchesRequest{
			BatchSize: 6, Seed: 41, Epoch: 1, Rank: rank, WorldSize: 2, MaxBatches: 3, PackBitPlanes: rank == 1,
			Mix:         &pb.Mix{Clean: 1, Stego: 2, Negative: 1},
			LossWeights: &pb.LossWeights{NegativeCategories: map[string]float32{"uniform_alpha": 3}},
		})
	}
	return out
}

// wire returns the protobuf bytes of a message.
func wire(t *testing.T, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// replayAll replays every batch on the server at addr and fails unless each
// equals the message first sent, byte for byte; with columns only, the
// same message without its tensors.
func replayAll(t *testing.T, addr, where string, sent []*pb.StreamBatchesResponse) {
	t.Helper()
	c := pb.NewDataServiceClient(dial(t, addr))
	for i, m := range sent {
		got, err := c.ReplayBatch(context.Background(), &pb.ReplayBatchRequest{Receipt: m.GetReceipt()})
		if err != nil {
			t.Fatalf("%s: replaying batch %d: %v", where, i, err)
		}
		if !bytes.Equal(wire(t, got.GetBatch()), wire(t, m)) {
			t.Fatalf("%s: batch %d replayed differs from the message sent", where, i)
		}
		cols, err := c.ReplayBatch(context.Background(), &pb.ReplayBatchRequest{Receipt: m.GetReceipt(), ColumnsOnly: true})
		if err != nil {
			t.Fatalf("%s: replaying batch %d columns only: %v", where, i, err)
		}
		bare := proto.CloneOf(m)
		bare.Tensors = nil
		if !bytes.Equal(wire(t, cols.GetBatch()), wire(t, bare)) {
			t.Fatalf("%s: batch %d replayed columns only differs from the message sent without tensors", where, i)
		}
	}
}

// testReplay streams replayRequests from a server over root, then replays
// every batch: on that server, on a restarted one (new process state, no
// cache, a new port), and on a second server over a copy of the tree; a
// file of the copy then changed gives FAILED_PRECONDITION naming it, and
// after its reindex the receipt's snapshot is named as gone.
func testReplay(t *testing.T, cfg Config) {
	first := start(t, cfg, true)
	c := pb.NewDataServiceClient(dial(t, first.addr))
	var sent []*pb.StreamBatchesResponse
	seen := map[string]int{}
	for _, req := range replayRequests() {
		bs, err := pull(context.Background(), t, c, req)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range bs {
			if _, err := feed.ParseReceipt(b.GetReceipt()); err != nil {
				t.Fatalf("rank %d batch %d: %v", req.GetRank(), b.GetBatchIndex(), err)
			}
			if _, dup := seen[b.GetReceipt()]; dup {
				t.Fatalf("rank %d batch %d: receipt already sent with another batch", req.GetRank(), b.GetBatchIndex())
			}
			seen[b.GetReceipt()] = len(sent)
		}
		sent = append(sent, bs...)
	}
	if len(sent) != 6 {
		t.Fatalf("%d batches streamed, want 6", len(sent))
	}
	replayAll(t, first.addr, "same server", sent)
	if err := first.stop(t); err != nil {
		t.Fatal(err)
	}
	restarted := start(t, cfg, true)
	replayAll(t, restarted.addr, "restarted server", sent)

	copied := cfg
	copied.Root = treetest.Copy(t, cfg.Root)
	second := start(t, copied, true)
	replayAll(t, second.addr, "server over a copy", sent)

	victim := sent[0].GetPaths()[0]
	file := filepath.Join(copied.Root, filepath.FromSlash(victim))
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, append(data, 0), 0o644); err != nil {
		t.Fatal(err)
	}
	c2 := pb.NewDataServiceClient(dial(t, second.addr))
	_, err = c2.ReplayBatch(context.Background(), &pb.ReplayBatchRequest{Receipt: sent[0].GetReceipt()})
	if status.Code(err) != codes.FailedPrecondition || !strings.Contains(err.Error(), victim) {
		t.Fatalf("replay after %s changed: %v, want FAILED_PRECONDITION naming it", victim, err)
	}
	if _, err := c2.Reindex(context.Background(), &pb.ReindexRequest{}); err != nil {
		t.Fatal(err)
	}
	_, err = c2.ReplayBatch(context.Background(), &pb.ReplayBatchRequest{Receipt: sent[1].GetReceipt()})
	if status.Code(err) != codes.FailedPrecondition || !strings.Contains(err.Error(), sent[1].GetSnapshotId()) {
		t.Fatalf("replay after a reindex: %v, want FAILED_PRECONDITION naming the receipt's snapshot", err)
	}
}

// TestReplayCorpus: replay byte for byte over the shared corpus.
func TestReplayCorpus(t *testing.T) {
	testReplay(t, testConfig(t))
}

// TestReplayTrainset: the same over ../shared/trainset with the real index
// (about 45 s on two cores; CI stays on the corpus, as the trainset asks).
func TestReplayTrainset(t *testing.T) {
	if os.Getenv("CI") != "" {
		t.Skip("CI=true: the trainset replay test runs on developer machines; TestReplayCorpus covers CI")
	}
	mod, err := testbin.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(mod, "..", "shared", "trainset", "datasets")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("TRAINSET NOT FOUND at %s: skipping the trainset replay test (TestReplayCorpus covers the corpus): %v", root, err)
	}
	testReplay(t, Config{Root: root})
}

// TestReplayRefusals: a missing, garbled or edited receipt is INVALID_ARGUMENT.
func TestReplayRefusals(t *testing.T) {
	r := start(t, testConfig(t), true)
	c := pb.NewDataServiceClient(dial(t, r.addr))
	bs, err := pull(context.Background(), t, c, &pb.StreamBatchesRequest{MaxBatches: 1, Streams: []pb.StreamKind{pb.StreamKind_STREAM_KIND_FORMAT}})
	if err != nil || len(bs) != 1 {
		t.Fatalf("%d batches, %v", len(bs), err)
	}
	good := bs[0].GetReceipt()
	edited := []byte(good)
	edited[len(edited)/2] ^= 1
	for name, receipt := range map[string]string{"empty": "", "garbage": "not a receipt", "edited": string(edited), "cursor": bs[0].GetCursor()} {
		_, err := c.ReplayBatch(context.Background(), &pb.ReplayBatchRequest{Receipt: receipt})
		if status.Code(err) != codes.InvalidArgument {
			t.Errorf("%s receipt: %v, want INVALID_ARGUMENT", name, err)
		}
	}
}
