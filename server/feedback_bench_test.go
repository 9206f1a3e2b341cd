package server

import (
	"context"
	"testing"

	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// BenchmarkReportLosses sends ReportLosses messages of 1024 records (the
// Python LossReporter's size) over loopback to a server with a state
// directory, each record one of the corpus's served samples, and reports the
// CPU time per record: server and client of this process together (the
// client's marshalling included), so an upper bound of the server's.
func BenchmarkReportLosses(b *testing.B) {
	cfg := testConfig(b)
	cfg.StateDir = b.TempDir()
	r := start(b, cfg, true)
	c := pb.NewDataServiceClient(dial(b, r.addr, benchDial...))
	v := r.srv.cat.Current()
	recs := make([]*pb.LossRecord, 1024)
	for i := range recs {
		recs[i] = &pb.LossRecord{ContentId: v.Served[i%len(v.Served)].ID, Epoch: 1, Loss: float32(i%13) / 3}
	}
	msg := &pb.ReportLossesRequest{Run: "bench", Records: recs}
	s, err := c.ReportLosses(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	cpu0 := cpuTime()
	b.ResetTimer()
	for range b.N {
		if err := s.Send(msg); err != nil {
			b.Fatal(err)
		}
	}
	resp, err := s.CloseAndRecv()
	b.StopTimer()
	if err != nil || resp.GetAccepted() != uint64(b.N*len(recs)) {
		b.Fatalf("ReportLosses: %v, %v", resp, err)
	}
	n := float64(b.N * len(recs))
	b.ReportMetric(float64(cpuTime()-cpu0)/n, "cpu-ns/record")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/record")
}
