package server

import (
	"context"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// TestCallLogging: at info, health checks log nothing, no call logs
// "started call", and a StreamBatches call logs one finished line with the
// consumer and what it was sent; at debug the health checks show.
func TestCallLogging(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	cfg := testConfig(t)
	cfg.Tokens = testTokens
	r := startLogged(t, cfg, zap.New(core), false)
	cc := dial(t, r.addr)
	waitServing(t, cc)
	h := healthpb.NewHealthClient(cc)
	for i := 0; i < 5; i++ {
		if _, err := h.Check(context.Background(), &healthpb.HealthCheckRequest{}); err != nil {
			t.Fatal(err)
		}
	}
	c := pb.NewDataServiceClient(cc)
	ctx := withToken(context.Background(), testTokens[0].Token)
	got, err := pull(ctx, t, c, &pb.StreamBatchesRequest{BatchSize: 3, MaxBatches: 4, Consumer: "ignored-when-authenticated",
		Streams: []pb.StreamKind{pb.StreamKind_STREAM_KIND_FORMAT}})
	if err != nil || len(got) != 4 {
		t.Fatalf("%d batches, %v", len(got), err)
	}
	var wantBytes int64
	for _, b := range got {
		for _, tn := range b.GetTensors() {
			wantBytes += int64(len(tn.GetData()))
		}
	}
	r.stop(t)

	grpcLogs := logs.FilterLoggerName("grpc")
	if n := grpcLogs.FilterMessage("started call").Len(); n != 0 {
		t.Errorf("%d \"started call\" lines", n)
	}
	for _, e := range grpcLogs.FilterField(zap.String("grpc.service", "grpc.health.v1.Health")).All() {
		if e.Level != zapcore.DebugLevel {
			t.Errorf("health call logged at %s: %s", e.Level, e.Message)
		}
	}
	if grpcLogs.FilterField(zap.String("grpc.service", "grpc.health.v1.Health")).Len() < 5 {
		t.Errorf("health checks missing at debug")
	}
	streams := grpcLogs.FilterField(zap.String("grpc.method", "StreamBatches")).All()
	if len(streams) != 1 {
		t.Fatalf("%d StreamBatches lines, want 1 finished line", len(streams))
	}
	e := streams[0]
	f := e.ContextMap()
	if e.Level != zapcore.InfoLevel || e.Message != "finished call" || f["consumer"] != testTokens[0].Name ||
		f["batches"] != int64(4) || f["samples"] != int64(12) || f["bytes"] != wantBytes {
		t.Errorf("StreamBatches line: %s %q %v (want consumer %s, 4 batches, 12 samples, %d bytes)", e.Level, e.Message, f, testTokens[0].Name, wantBytes)
	}
}
