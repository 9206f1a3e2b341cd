package server

import (
	"context"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// reportLosses sends msgs on one ReportLosses stream and returns the answer.
func reportLosses(ctx context.Context, c pb.DataServiceClient, msgs ...*pb.ReportLossesRequest) (*pb.ReportLossesResponse, error) {
	s, err := c.ReportLosses(ctx)
	if err != nil {
		return nil, err
	}
	for _, m := range msgs {
		if err := s.Send(m); err != nil {
			break // the status comes with CloseAndRecv
		}
	}
	return s.CloseAndRecv()
}

func prob(p float32) *float32 { return &p }

// TestReportLosses: the counts of kept and refused records, the refusals of
// a bad run name and of an oversized message, and the run in Stats with its
// hardest samples named by path and category.
func TestReportLosses(t *testing.T) {
	cfg := testConfig(t)
	cfg.StateDir = t.TempDir()
	r := start(t, cfg, true)
	c := pb.NewDataServiceClient(dial(t, r.addr))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	negs := servedOfKind(t, r, pb.Kind_KIND_NEGATIVE)
	resp, err := reportLosses(ctx, c,
		&pb.ReportLossesRequest{Run: "run-1", Records: []*pb.LossRecord{
			{ContentId: negs[0].id, Epoch: 0, Loss: 3, Probability: prob(0.9)},
			{ContentId: negs[1].id, Epoch: 0, Loss: 0.5},
			{ContentId: strings.Repeat("ab", 32), Loss: 1},     // not served
			{ContentId: negs[2].id, Loss: float32(math.NaN())}, // not a loss
			{ContentId: negs[2].id, Loss: 1, Probability: prob(2)},
		}},
		&pb.ReportLossesRequest{Run: "run-1", Records: []*pb.LossRecord{{ContentId: negs[0].id, Epoch: 1, Loss: 5}}})
	if err != nil || resp.GetAccepted() != 3 || resp.GetRejected() != 3 {
		t.Fatalf("ReportLosses: %v, %v; want 3 accepted, 3 rejected", resp, err)
	}
	for name, msg := range map[string]*pb.ReportLossesRequest{
		"long run name":    {Run: strings.Repeat("r", 65), Records: []*pb.LossRecord{{ContentId: negs[0].id, Loss: 1}}},
		"no run name":      {Records: []*pb.LossRecord{{ContentId: negs[0].id, Loss: 1}}},
		"too many records": {Run: "run-1", Records: slices.Repeat([]*pb.LossRecord{{ContentId: negs[0].id, Loss: 1}}, MaxLossRecords+1)},
	} {
		if _, err := reportLosses(ctx, c, msg); status.Code(err) != codes.InvalidArgument {
			t.Errorf("%s: %v, want InvalidArgument", name, err)
		}
	}
	st, err := c.Stats(ctx, &pb.StatsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.GetRuns()) != 1 {
		t.Fatalf("Stats runs %v, want run-1", st.GetRuns())
	}
	run := st.GetRuns()[0]
	if run.GetRun() != "run-1" || run.GetSamples() != 2 || run.GetRecords() != 3 || run.GetLastEpoch() != 1 || len(run.GetHardest()) != 2 {
		t.Fatalf("run %v", run)
	}
	h := run.GetHardest()[0]
	if h.GetContentId() != negs[0].id || h.GetPath() != negs[0].path || h.GetCategory() == "" ||
		h.GetKind() != pb.Kind_KIND_NEGATIVE || h.GetReports() != 2 || math.Abs(h.GetLoss()-(3+0.3*(5-3))) > 1e-9 {
		t.Fatalf("hardest %v, want %s (%s) with the average of 3 then 5", h, negs[0].path, negs[0].id)
	}
}

// served is a served sample as a batch names it: its content id, its first
// path, and how many paths of the pool hold that content.
type served struct {
	id, path string
	copies   int
}

// servedOfKind streams one whole epoch of kind k only and returns its
// distinct samples, by content id.
func servedOfKind(t *testing.T, r *running, k pb.Kind) []served {
	t.Helper()
	mix := &pb.Mix{}
	switch k {
	case pb.Kind_KIND_CLEAN:
		mix.Clean = 1
	case pb.Kind_KIND_STEGO:
		mix.Stego = 1
	default:
		mix.Negative = 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	bs, err := pull(ctx, t, pb.NewDataServiceClient(dial(t, r.addr)), &pb.StreamBatchesRequest{BatchSize: 4, Mix: mix,
		Streams: []pb.StreamKind{pb.StreamKind_STREAM_KIND_FORMAT}})
	if err != nil {
		t.Fatal(err)
	}
	paths := map[string]map[string]bool{}
	var out []served
	for _, b := range bs {
		for i, id := range b.GetContentIds() {
			if paths[id] == nil {
				paths[id] = map[string]bool{}
				out = append(out, served{id: id, path: b.GetPaths()[i]})
			}
			paths[id][b.GetPaths()[i]] = true
		}
	}
	for i := range out {
		out[i].copies = len(paths[out[i].id])
		out[i].path = slices.Sorted(maps.Keys(paths[out[i].id]))[0]
	}
	slices.SortFunc(out, func(a, b served) int { return strings.Compare(a.id, b.id) })
	if len(out) < 10 {
		t.Fatalf("only %d %s samples served", len(out), k)
	}
	return out
}
