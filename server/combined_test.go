package server

import (
	"context"
	"testing"
	"time"

	pb "github.com/starlight/dataserver/proto/dataserver/v1"
	"github.com/starlight/dataserver/sampling"
)

// The features together: pairing with augmentation, mining, elastic
// resume and replay, each built alone, over one real server.

// combinedConfig serves the demo tree with the real index (which links
// stegos to their covers), a loss feedback store and a disk cache, both in
// directories a restarted server reopens.
func combinedConfig(t *testing.T) Config {
	cfg := testConfig(t)
	cfg.Build = nil
	cfg.StateDir, cfg.CacheDir = t.TempDir(), t.TempDir()
	return cfg
}

// reportHardNegatives reports loss 100 for every tenth negative the server
// serves and 1 for the others under run.
func reportHardNegatives(ctx context.Context, t *testing.T, r *running, c pb.DataServiceClient, run string) {
	t.Helper()
	var recs []*pb.LossRecord
	for i, s := range servedOfKind(t, r, pb.Kind_KIND_NEGATIVE) {
		loss := float32(1)
		if i%10 == 0 {
			loss = 100
		}
		recs = append(recs, &pb.LossRecord{ContentId: s.id, Loss: loss})
	}
	if _, err := reportLosses(ctx, c, &pb.ReportLossesRequest{Run: run, Records: recs}); err != nil {
		t.Fatal(err)
	}
}

// pairedRequest is a pairing, augmenting request (2 stegos per cover), mined
// from epoch 1 under run when run is set.
func pairedRequest(run string) *pb.StreamBatchesRequest {
	req := &pb.StreamBatchesRequest{BatchSize: 6, Seed: 33, Epoch: 1, Pairing: true, Augment: true, StegosPerCover: 2,
		Mix: &pb.Mix{Stego: 1, Negative: 2}}
	if run != "" {
		req.Mining = &pb.Mining{Run: run, Strength: 4, FirstEpoch: 1}
	}
	return req
}

// cursorOf parses a batch's cursor.
func cursorOf(t *testing.T, b *pb.StreamBatchesResponse) sampling.Cursor {
	t.Helper()
	c, err := sampling.ParseCursor(b.GetCursor())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestReplayCombined streams batches of every combination the receipts
// must name: pairing with augmentation and 2 stegos per cover (packed and
// not, two ranks); the same mined, cut on 4 ranks and resumed elastically
// on 3 (so its batches have a base); and a plain mined, augmented epoch.
// Every batch replays byte for byte as it was sent, on the same server and
// on one restarted over the same state and cache directories.
func TestReplayCombined(t *testing.T) {
	cfg := combinedConfig(t)
	r := start(t, cfg, true)
	c := pb.NewDataServiceClient(dial(t, r.addr))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	reportHardNegatives(ctx, t, r, c, "combo")
	var sent []*pb.StreamBatchesResponse
	pullInto := func(req *pb.StreamBatchesRequest) []*pb.StreamBatchesResponse {
		t.Helper()
		bs, err := pull(ctx, t, c, req)
		if err != nil {
			t.Fatal(err)
		}
		if len(bs) == 0 {
			t.Fatalf("no batch streamed for %v", req)
		}
		sent = append(sent, bs...)
		return bs
	}

	// Pairing, augmented, 2 stegos per cover.
	for rank := range uint32(2) {
		req := pairedRequest("")
		req.Rank, req.WorldSize, req.MaxBatches, req.PackBitPlanes = rank, 2, 3, rank == 1
		for _, b := range pullInto(req) {
			checkPairs(t, b)
		}
	}

	// The same mined, 4 ranks for 2 steps, then 3 ranks from an elastic cursor.
	var last string
	for rank := range uint32(4) {
		req := pairedRequest("combo")
		req.Rank, req.WorldSize, req.MaxBatches = rank, 4, 2
		bs := pullInto(req)
		last = bs[len(bs)-1].GetCursor()
	}
	for rank := range uint32(3) {
		req := pairedRequest("combo")
		req.Rank, req.WorldSize, req.MaxBatches, req.Cursor = rank, 3, 2, sampling.ElasticCursor(last, 8)
		for _, b := range pullInto(req) {
			if cur := cursorOf(t, b); cur.Base != 8 || cur.Mining.State == "" {
				t.Fatalf("elastically resumed batch: base %d, mining state %q; want base 8 and a state", cur.Base, cur.Mining.State)
			}
		}
	}

	// A plain mined, augmented epoch.
	plain := &pb.StreamBatchesRequest{BatchSize: 5, Seed: 9, Epoch: 2, Augment: true, MaxBatches: 3, Mix: &pb.Mix{Clean: 1, Negative: 2},
		Mining: &pb.Mining{Run: "combo", Strength: 4, FirstEpoch: 1}}
	transforms := map[uint32]bool{}
	for _, b := range pullInto(plain) {
		if stateOf(t, b) == "" {
			t.Fatalf("mined batch %d names no state", b.GetBatchIndex())
		}
		for i, k := range b.GetKinds() {
			if k == pb.Kind_KIND_NEGATIVE {
				transforms[b.GetTransforms()[i]] = true
			}
		}
	}
	if len(transforms) < 2 { // each mined sample is its own unit
		t.Fatalf("every mined negative of the augmented epoch got the same transform %v", transforms)
	}

	replayAll(t, r.addr, "same server", sent)
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	restarted := start(t, cfg, true)
	replayAll(t, restarted.addr, "restarted server", sent)
}

// recordPlain notes the content ids and transforms of rank's batches
// (world ranks, division starting at base) by global position.
func recordPlain(t *testing.T, into map[[2]uint64]globalSample, bs []*pb.StreamBatchesResponse, base uint64, rank, world int) {
	t.Helper()
	for _, b := range bs {
		g := base + b.GetBatchIndex()*uint64(world) + uint64(rank)
		for j, id := range b.GetContentIds() {
			key := [2]uint64{g, uint64(j)}
			if _, dup := into[key]; dup {
				t.Fatalf("global batch %d place %d served twice", g, j)
			}
			var tr uint32
			if len(b.GetTransforms()) > 0 {
				tr = b.GetTransforms()[j]
			}
			into[key] = globalSample{id, tr}
		}
	}
}

// TestElasticResumeMined: a mined epoch (plain and pairing, augmented) cut
// on 4 ranks after a few steps and resumed from an elastic cursor on 2
// ranks over a real server, counted from outside by global position: the
// two parts together are the uninterrupted mined epoch sample for sample
// and transform for transform, nothing served twice, only padding past the
// epoch's end added; the resumed part draws by the state the cursor names.
// A plain cursor mid-epoch resumes the mined epoch exactly as well.
func TestElasticResumeMined(t *testing.T) {
	cfg := combinedConfig(t)
	r := start(t, cfg, true)
	c := pb.NewDataServiceClient(dial(t, r.addr))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	reportHardNegatives(ctx, t, r, c, "elastic")
	format := []pb.StreamKind{pb.StreamKind_STREAM_KIND_FORMAT}
	paired := pairedRequest("elastic")
	paired.Streams = format
	plain := &pb.StreamBatchesRequest{BatchSize: 4, Seed: 5, Epoch: 1, Augment: true, Mix: &pb.Mix{Clean: 1, Negative: 3}, Streams: format,
		Mining: &pb.Mining{Run: "elastic", Strength: 4, FirstEpoch: 1}}
	for _, tc := range []struct {
		name  string
		base  *pb.StreamBatchesRequest
		steps int
	}{{"plain", plain, 3}, {"pairing", paired, 2}} {
		rec := recordPlain
		if tc.base.GetPairing() {
			rec = record
		}
		whole, err := pull(ctx, t, c, tc.base)
		if err != nil {
			t.Fatal(err)
		}
		state := stateOf(t, whole[0])
		if state == "" {
			t.Fatalf("%s: the mined epoch names no state", tc.name)
		}
		want := map[[2]uint64]globalSample{}
		rec(t, want, whole, 0, 0, 1)
		// A plain cursor mid-epoch resumes the mined epoch exactly.
		mid := cloneRequest(tc.base)
		mid.Cursor = whole[2].GetCursor()
		rest, err := pull(ctx, t, c, mid)
		if err != nil {
			t.Fatal(err)
		}
		resumed := map[[2]uint64]globalSample{}
		rec(t, resumed, rest, 0, 0, 1)
		for key, s := range resumed {
			if want[key] != s || key[0] < 3 {
				t.Fatalf("%s: resumed at batch 3, global batch %d place %d holds %v, the uninterrupted epoch %v", tc.name, key[0], key[1], s, want[key])
			}
		}
		if len(rest) != len(whole)-3 {
			t.Fatalf("%s: %d batches after the cursor of batch 2, want %d", tc.name, len(rest), len(whole)-3)
		}
		got := map[[2]uint64]globalSample{}
		var last string
		for rank := range 4 {
			req := cloneRequest(tc.base)
			req.WorldSize, req.Rank, req.MaxBatches = 4, uint32(rank), uint32(tc.steps)
			bs, err := pull(ctx, t, c, req)
			if err != nil {
				t.Fatal(err)
			}
			if len(bs) != tc.steps {
				t.Fatalf("%s: rank %d: %d batches, asked %d", tc.name, rank, len(bs), tc.steps)
			}
			rec(t, got, bs, 0, rank, 4)
			last = bs[len(bs)-1].GetCursor()
		}
		consumed := uint64(4 * tc.steps)
		if consumed >= uint64(len(whole)) {
			t.Fatalf("%s: the epoch has only %d global batches, %d consumed", tc.name, len(whole), consumed)
		}
		for rank := range 2 {
			req := cloneRequest(tc.base)
			req.WorldSize, req.Rank, req.Cursor = 2, uint32(rank), sampling.ElasticCursor(last, consumed)
			bs, err := pull(ctx, t, c, req)
			if err != nil {
				t.Fatalf("%s: resuming rank %d of 2: %v", tc.name, rank, err)
			}
			for _, b := range bs {
				if s := stateOf(t, b); s != state {
					t.Fatalf("%s: resumed batch names state %q, the epoch %q", tc.name, s, state)
				}
			}
			rec(t, got, bs, consumed, rank, 2)
		}
		padding := 0
		for key, s := range got {
			if key[0] >= uint64(len(whole)) {
				padding++
				continue
			}
			if w, ok := want[key]; !ok || w != s {
				t.Fatalf("%s: global batch %d place %d holds %v, the uninterrupted epoch %v", tc.name, key[0], key[1], s, w)
			}
		}
		if len(got)-padding != len(want) {
			t.Fatalf("%s: %d samples of the epoch served, want %d", tc.name, len(got)-padding, len(want))
		}
		if padding >= 6*int(tc.base.GetBatchSize()) {
			t.Fatalf("%s: %d padding samples", tc.name, padding)
		}
		t.Logf("%s: %d global batches, %d consumed on 4 ranks, the rest on 2, %d padding samples", tc.name, len(whole), consumed, padding)
	}
}
