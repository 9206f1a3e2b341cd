package server

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/starlight/dataserver/proto/dataserver/v1"
	"github.com/starlight/dataserver/sampling"
)

func minedRequest(run string, epoch, end uint64) *pb.StreamBatchesRequest {
	return &pb.StreamBatchesRequest{BatchSize: 4, Seed: 5, Epoch: epoch, EndEpoch: end, Mix: &pb.Mix{Negative: 1},
		Streams: []pb.StreamKind{pb.StreamKind_STREAM_KIND_FORMAT},
		Mining:  &pb.Mining{Run: run, Strength: 4, FirstEpoch: 1}}
}

// ids lists the content ids of batches in order.
func ids(bs []*pb.StreamBatchesResponse) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.GetContentIds()...)
	}
	return out
}

func stateOf(t *testing.T, b *pb.StreamBatchesResponse) string {
	t.Helper()
	c, err := sampling.ParseCursor(b.GetCursor())
	if err != nil {
		t.Fatal(err)
	}
	return c.Mining.State
}

// TestMiningOverServer reports a high loss for a tenth of the corpus's
// negatives and streams mined epochs: the hardest tenth's share rises from
// its share of the pool to what strength 4 implies (weight 2 against 1),
// the frozen state is named in the cursors and reused by every stream of
// the epoch, later reports change only later epochs, a cursor resumes the
// mined epoch exactly (also on a restarted server over the same state
// directory), and a cursor naming a state the server does not hold fails
// with FAILED_PRECONDITION.
func TestMiningOverServer(t *testing.T) {
	cfg := testConfig(t)
	cfg.StateDir = t.TempDir()
	r := start(t, cfg, true)
	c := pb.NewDataServiceClient(dial(t, r.addr))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	negs := servedOfKind(t, r, pb.Kind_KIND_NEGATIVE)
	// The pool holds n files; byte-identical ones share a content id and so a loss.
	n, k := 0, 0
	for _, s := range negs {
		n += s.copies
	}
	hard := map[string]bool{}
	var recs []*pb.LossRecord
	for i, s := range negs {
		loss := float32(1)
		if i%10 == 0 && k+s.copies <= max(n/10, 1) {
			loss, hard[s.id] = 100, true
			k += s.copies
		}
		recs = append(recs, &pb.LossRecord{ContentId: s.id, Loss: loss})
	}
	if _, err := reportLosses(ctx, c, &pb.ReportLossesRequest{Run: "mine", Records: recs}); err != nil {
		t.Fatal(err)
	}
	const epochs = 60
	all, err := pull(ctx, t, c, minedRequest("mine", 0, epochs+1))
	if err != nil {
		t.Fatal(err)
	}
	count := func(ep uint64) (hits, draws int) {
		for _, b := range all {
			if b.GetEpoch() != ep {
				continue
			}
			for _, id := range b.GetContentIds() {
				draws++
				if hard[id] {
					hits++
				}
			}
		}
		return
	}
	h0, d0 := count(0)
	if stateOf(t, all[0]) != "" || math.Abs(float64(h0)/float64(d0)-float64(k)/float64(n)) > 4.0/float64(d0) {
		t.Fatalf("epoch 0 (not mined): hardest tenth %d of %d draws, want about %d/%d", h0, d0, k, n)
	}
	hits, draws := 0, 0
	state := ""
	for ep := uint64(1); ep <= epochs; ep++ {
		h, d := count(ep)
		hits, draws = hits+h, draws+d
	}
	for _, b := range all[1:] {
		if b.GetEpoch() == 0 {
			continue
		}
		if s := stateOf(t, b); state == "" {
			state = s
		} else if s != state {
			t.Fatalf("epoch %d batch %d names state %s, the others %s (no report in between)", b.GetEpoch(), b.GetBatchIndex(), s, state)
		}
	}
	if state == "" {
		t.Fatal("mined epochs name no frozen state")
	}
	p := float64(k) / float64(n)
	want := 2 * p / (2*p + (1 - p))
	bound := 4 * p / (4*p + (1 - p))
	got := float64(hits) / float64(draws)
	tol := 5 * math.Sqrt(want*(1-want)/float64(draws))
	t.Logf("%d negatives, hardest %d: share %.4f over %d mined draws (pool share %.4f, strength 4 implies %.4f ± %.4f, bound %.4f)",
		n, k, got, draws, p, want, tol, bound)
	if math.Abs(got-want) > tol || got > bound {
		t.Fatalf("hardest tenth drew %.4f of the mined draws, want %.4f ± %.4f and never above %.4f", got, want, tol, bound)
	}

	// Reports after the freeze leave the frozen epochs alone; a new epoch sees them.
	last := uint64(epochs - 1)
	if _, err := reportLosses(ctx, c, &pb.ReportLossesRequest{Run: "mine", Records: []*pb.LossRecord{{ContentId: negs[1].id, Loss: 1000}}}); err != nil {
		t.Fatal(err)
	}
	again, err := pull(ctx, t, c, minedRequest("mine", last, last+1))
	if err != nil {
		t.Fatal(err)
	}
	var frozenEpoch []*pb.StreamBatchesResponse
	for _, b := range all {
		if b.GetEpoch() == last {
			frozenEpoch = append(frozenEpoch, b)
		}
	}
	if !slices.Equal(ids(again), ids(frozenEpoch)) || stateOf(t, again[0]) != state {
		t.Fatalf("a second stream of frozen epoch %d drew otherwise after a later report", last)
	}
	later, err := pull(ctx, t, c, minedRequest("mine", epochs+1, epochs+2))
	if err != nil {
		t.Fatal(err)
	}
	if stateOf(t, later[0]) == state {
		t.Fatal("the epoch after the report draws by the old state")
	}

	// Resume mid-epoch from a cursor, here and on a restarted server.
	resume := minedRequest("mine", last, last+1)
	resume.Cursor = frozenEpoch[2].GetCursor()
	got1, err := pull(ctx, t, c, resume)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(got1), ids(frozenEpoch[3:])) {
		t.Fatal("the resumed mined epoch differs from the uninterrupted one")
	}
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	r2 := start(t, cfg, true)
	c2 := pb.NewDataServiceClient(dial(t, r2.addr))
	got2, err := pull(ctx, t, c2, resume)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(got2), ids(frozenEpoch[3:])) {
		t.Fatal("after a restart the resumed mined epoch differs from the uninterrupted one")
	}
	fresh, err := pull(ctx, t, c2, minedRequest("mine", last, last+1))
	if err != nil || !slices.Equal(ids(fresh), ids(frozenEpoch)) {
		t.Fatalf("after a restart epoch %d drew otherwise (%v)", last, err)
	}

	// A cursor naming a state this server does not hold.
	cur, err := sampling.ParseCursor(frozenEpoch[2].GetCursor())
	if err != nil {
		t.Fatal(err)
	}
	cur.Mining.State = strings.Repeat("7", 64)
	resume.Cursor = cur.Encode()
	_, err = pull(ctx, t, c2, resume)
	if status.Code(err) != codes.FailedPrecondition || !strings.Contains(err.Error(), "not held by this server") {
		t.Fatalf("unknown state: %v, want FailedPrecondition naming it", err)
	}
}
