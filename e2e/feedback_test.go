package e2e

import (
	"context"
	"errors"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/starlight/dataserver/client"
	"github.com/starlight/dataserver/internal/corpustest"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// reportLosses sends records of run on one ReportLosses stream.
func reportLosses(ctx context.Context, c *client.Client, run string, recs []*pb.LossRecord) (*pb.ReportLossesResponse, error) {
	s, err := pb.NewDataServiceClient(c.Conn()).ReportLosses(ctx)
	if err != nil {
		return nil, err
	}
	for len(recs) > 0 {
		n := min(len(recs), 10)
		if err := s.Send(&pb.ReportLossesRequest{Run: run, Records: recs[:n]}); err != nil {
			break // the status comes with CloseAndRecv
		}
		recs = recs[n:]
	}
	return s.CloseAndRecv()
}

// pullAll streams req to its end over the raw API.
func pullAll(ctx context.Context, c *client.Client, req *pb.StreamBatchesRequest) ([]*pb.StreamBatchesResponse, error) {
	s, err := pb.NewDataServiceClient(c.Conn()).StreamBatches(ctx, req)
	if err != nil {
		return nil, err
	}
	var out []*pb.StreamBatchesResponse
	for {
		b, err := s.Recv()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, b)
	}
}

func contentIDs(bs []*pb.StreamBatchesResponse) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.GetContentIds()...)
	}
	return out
}

// TestFeedbackSurvivesSIGKILL reports losses to a `dataserver serve`
// process, streams a mined epoch, kills the process with SIGKILL and starts
// another on the same state directory: the run, its records and its hardest
// samples are all there, and the mined epoch resumes from a cursor exactly
// as it went on before the kill.
func TestFeedbackSurvivesSIGKILL(t *testing.T) {
	root := corpustest.Datasets(t)
	state := t.TempDir()
	addr := freeAddr(t)
	first := startProcess(t, root, addr, "--state-dir", state)
	waitProcess(t, first)
	c := dial(t, []string{addr})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	req := &pb.StreamBatchesRequest{BatchSize: 4, Seed: 3, Mix: &pb.Mix{Negative: 1},
		Streams: []pb.StreamKind{pb.StreamKind_STREAM_KIND_FORMAT}}
	plain, err := pullAll(ctx, c, req)
	if err != nil {
		t.Fatal(err)
	}
	var recs []*pb.LossRecord
	for i, id := range contentIDs(plain) {
		recs = append(recs, &pb.LossRecord{ContentId: id, Epoch: 0, Loss: float32(i%7) + 0.5})
	}
	resp, err := reportLosses(ctx, c, "killed-run", recs)
	if err != nil || resp.GetAccepted() != uint64(len(recs)) {
		t.Fatalf("ReportLosses: %v, %v; want %d accepted", resp, err, len(recs))
	}
	before, err := c.Stats(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Epoch, req.EndEpoch = 1, 2
	req.Mining = &pb.Mining{Run: "killed-run", Strength: 8, FirstEpoch: 1}
	mined, err := pullAll(ctx, c, req)
	if err != nil || len(mined) < 4 {
		t.Fatalf("mined epoch: %d batches, %v", len(mined), err)
	}

	first.kill() // SIGKILL: no drain, no close of the store
	second := startProcess(t, root, addr, "--state-dir", state)
	waitProcess(t, second)
	c2 := dial(t, []string{addr})
	after, err := c2.Stats(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(after.GetRuns()) != 1 || len(before.GetRuns()) != 1 {
		t.Fatalf("runs before the kill %v, after %v", before.GetRuns(), after.GetRuns())
	}
	b, a := before.GetRuns()[0], after.GetRuns()[0]
	if a.GetRun() != "killed-run" || a.GetRecords() != uint64(len(recs)) || a.GetSamples() != b.GetSamples() ||
		len(a.GetHardest()) == 0 || a.GetHardest()[0].GetContentId() != b.GetHardest()[0].GetContentId() ||
		a.GetHardest()[0].GetLoss() != b.GetHardest()[0].GetLoss() {
		t.Fatalf("after SIGKILL and restart the run is %v, before it was %v", a, b)
	}
	req.Cursor = mined[1].GetCursor()
	rest, err := pullAll(ctx, c2, req)
	if err != nil {
		t.Fatalf("resuming the mined epoch on the restarted server: %v", err)
	}
	if !slices.Equal(contentIDs(rest), contentIDs(mined[2:])) {
		t.Fatal("the mined epoch resumed after SIGKILL differs from the one served before")
	}
	t.Logf("after SIGKILL: run %s with %d records over %d samples, hardest %s (%.3f); %d mined batches resumed alike",
		a.GetRun(), a.GetRecords(), a.GetSamples(), a.GetHardest()[0].GetPath(), a.GetHardest()[0].GetLoss(), len(rest))
}
