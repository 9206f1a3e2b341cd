package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/starlight/dataserver/client"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// key identifies a batch of a schedule: where it is, what it holds and
// where it resumes.
type key struct {
	Snapshot string
	Epoch    uint64
	Index    uint64
	Cursor   string
	Paths    string
	IDs      string
}

func keyOf(b *client.Batch) key {
	return key{
		Snapshot: b.GetSnapshotId(), Epoch: b.GetEpoch(), Index: b.GetBatchIndex(), Cursor: b.GetCursor(),
		Paths: strings.Join(b.GetPaths(), "|"), IDs: strings.Join(b.GetContentIds(), "|"),
	}
}

// samplesOnly drops what depends on the request beyond the samples (the
// cursor names the rank and world), to compare the order of samples.
func (k key) samplesOnly() key { return key{Snapshot: k.Snapshot, Paths: k.Paths, IDs: k.IDs} }

// light is the request the schedule tests use: small batches carrying only
// the format vector, so the transfer stays small.
func light(seed uint64) *pb.StreamBatchesRequest {
	return &pb.StreamBatchesRequest{
		BatchSize: 8, Mix: &pb.Mix{Clean: 1, Stego: 1, Negative: 1}, Seed: seed,
		Streams: []pb.StreamKind{pb.StreamKind_STREAM_KIND_FORMAT},
	}
}

// heavy is light with the pixel plane too, about 1.5 MB a batch: a server
// cannot run far ahead of a consumer with small windows.
func heavy(seed uint64) *pb.StreamBatchesRequest {
	r := light(seed)
	r.Streams = append(r.Streams, pb.StreamKind_STREAM_KIND_PIXEL)
	return r
}

// collect streams req to its end within 90s and returns the batches' keys
// and the batches; any error fails the test.
func collect(t *testing.T, c *client.Client, req *pb.StreamBatchesRequest) ([]key, []*client.Batch) {
	t.Helper()
	keys, bs, err := tryCollect(c, req, nil)
	if err != nil {
		t.Fatalf("stream after %d batches: %v", len(keys), err)
	}
	return keys, bs
}

// tryCollect streams req to its end; each(i, b) runs after batch i.
func tryCollect(c *client.Client, req *pb.StreamBatchesRequest, each func(int, *client.Batch)) ([]key, []*client.Batch, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var keys []key
	var bs []*client.Batch
	for b, err := range c.Stream(ctx, req) {
		if err != nil {
			return keys, bs, err
		}
		keys = append(keys, keyOf(b))
		bs = append(bs, b)
		if each != nil {
			each(len(keys)-1, b)
		}
	}
	return keys, bs, nil
}

// sameKeys reports the first difference between two runs.
func sameKeys(got, want []key) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d batches, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			return fmt.Errorf("batch %d differs:\n got  %+v\n want %+v", i, got[i], want[i])
		}
	}
	return nil
}

// lastCursor returns the cursor of the last batch.
func lastCursor(keys []key) string { return keys[len(keys)-1].Cursor }
