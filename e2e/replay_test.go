package e2e

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/starlight/dataserver/internal/corpustest"
	"github.com/starlight/dataserver/internal/treetest"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// TestReplayAcrossProcesses: batches streamed from one server process are
// replayed byte for byte by a new process after it was stopped (SIGKILL,
// no cache), and by a second process over a copy of the tree; `dataserver
// explain` prints each sample of a batch.
func TestReplayAcrossProcesses(t *testing.T) {
	root := corpustest.Datasets(t)
	addr := freeAddr(t)
	first := startProcess(t, root, addr)
	waitProcess(t, first)
	req := &pb.StreamBatchesRequest{BatchSize: 4, Seed: 3, Rank: 1, WorldSize: 2, MaxBatches: 3, PackBitPlanes: true,
		Streams: []pb.StreamKind{pb.StreamKind_STREAM_KIND_PIXEL, pb.StreamKind_STREAM_KIND_LSB, pb.StreamKind_STREAM_KIND_CONTENT}}
	var sent []*pb.StreamBatchesResponse
	for b, err := range dial(t, []string{addr}).Stream(context.Background(), req) {
		if err != nil {
			t.Fatal(err)
		}
		sent = append(sent, proto.CloneOf(b.StreamBatchesResponse))
	}
	if len(sent) != 3 {
		t.Fatalf("%d batches, want 3", len(sent))
	}
	first.kill()

	restarted := startProcess(t, root, addr)
	waitProcess(t, restarted)
	copyAddr := freeAddr(t)
	second := startProcess(t, treetest.Copy(t, root), copyAddr)
	waitProcess(t, second)
	for _, a := range []string{addr, copyAddr} {
		c := dial(t, []string{a})
		for i, m := range sent {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			got, err := c.Replay(ctx, m.GetReceipt())
			cancel()
			if err != nil {
				t.Fatalf("%s: replaying batch %d: %v", a, i, err)
			}
			want, _ := proto.Marshal(m)
			if back, _ := proto.Marshal(got.StreamBatchesResponse); !bytes.Equal(back, want) {
				t.Fatalf("%s: batch %d replayed differs from the message sent", a, i)
			}
		}
	}

	out := string(run(t, "explain", sent[1].GetReceipt(), "--addr", copyAddr))
	for i, p := range sent[1].GetPaths() {
		line := ""
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, p) {
				line = l
			}
		}
		if line == "" || !strings.Contains(line, sent[1].GetSubmissions()[i]) {
			t.Fatalf("explain does not list %s with its submission:\n%s", p, out)
		}
	}
	t.Logf("dataserver explain:\n%s", out)
}
