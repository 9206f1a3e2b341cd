package server

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"

	"crypto/tls"
	"crypto/x509"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"

	"github.com/starlight/dataserver/internal/tlstest"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

var testTokens = []Token{
	{Name: "trainer-a", Role: RoleTrainer, Token: "trainer-secret-0123456789"},
	{Name: "dash", Role: RoleDashboard, Token: "dashboard-secret-0123456789"},
	{Name: "ops", Role: RoleOperator, Token: "operator-secret-0123456789"},
}

// TestAuthMatrix calls every method with every kind of caller, over
// plaintext and over TLS, and checks each code.
func TestAuthMatrix(t *testing.T) {
	callers := []struct{ name, token string }{
		{"none", ""}, {"bad", "not-a-token-at-all-xyz"}, {"trainer", testTokens[0].Token},
		{"dashboard", testTokens[1].Token}, {"operator", testTokens[2].Token},
	}
	ok, unauth, denied := codes.OK, codes.Unauthenticated, codes.PermissionDenied
	want := map[string]map[string]codes.Code{
		"none":      {"stream": unauth, "stats": unauth, "reindex": unauth, "losses": unauth, "replay": unauth, "health": ok, "reflection": ok},
		"bad":       {"stream": unauth, "stats": unauth, "reindex": unauth, "losses": unauth, "replay": unauth, "health": ok, "reflection": ok},
		"trainer":   {"stream": ok, "stats": denied, "reindex": denied, "losses": ok, "replay": ok, "health": ok, "reflection": ok},
		"dashboard": {"stream": denied, "stats": ok, "reindex": denied, "losses": denied, "replay": denied, "health": ok, "reflection": ok},
		"operator":  {"stream": ok, "stats": ok, "reindex": ok, "losses": ok, "replay": ok, "health": ok, "reflection": ok},
	}
	for _, mode := range []string{"plaintext", "tls"} {
		t.Run(mode, func(t *testing.T) {
			cfg := testConfig(t)
			cfg.Tokens = testTokens
			var opts []grpc.DialOption
			if mode == "tls" {
				var pool *x509.CertPool
				cfg.TLSCert, cfg.TLSKey, pool = tlstest.SelfSigned(t, t.TempDir())
				opts = append(opts, grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})))
			}
			var logs bytes.Buffer
			log := zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()),
				zapcore.AddSync(&lockedWriter{w: &logs}), zap.DebugLevel))
			r := startLogged(t, cfg, log, false)
			cc := dial(t, r.addr, opts...)
			waitServing(t, cc)
			c := pb.NewDataServiceClient(cc)
			receipt := firstReceipt(t, c, testTokens[2].Token)
			calls := map[string]func(ctx context.Context) error{
				"replay": func(ctx context.Context) error {
					_, err := c.ReplayBatch(ctx, &pb.ReplayBatchRequest{Receipt: receipt, ColumnsOnly: true})
					return err
				},
				"stream": func(ctx context.Context) error {
					_, err := pull(ctx, t, c, &pb.StreamBatchesRequest{BatchSize: 2, MaxBatches: 1,
						Streams: []pb.StreamKind{pb.StreamKind_STREAM_KIND_FORMAT}})
					return err
				},
				"stats":   func(ctx context.Context) error { _, err := c.Stats(ctx, &pb.StatsRequest{}); return err },
				"reindex": func(ctx context.Context) error { _, err := c.Reindex(ctx, &pb.ReindexRequest{}); return err },
				"losses": func(ctx context.Context) error {
					_, err := reportLosses(ctx, c, &pb.ReportLossesRequest{Run: "auth-run",
						Records: []*pb.LossRecord{{ContentId: strings.Repeat("0", 64), Loss: 1}}})
					return err
				},
				"health": func(ctx context.Context) error {
					_, err := healthpb.NewHealthClient(cc).Check(ctx, &healthpb.HealthCheckRequest{})
					return err
				},
				"reflection": func(ctx context.Context) error {
					s, err := reflectionpb.NewServerReflectionClient(cc).ServerReflectionInfo(ctx)
					if err != nil {
						return err
					}
					if err := s.Send(&reflectionpb.ServerReflectionRequest{
						MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}}); err != nil {
						return err
					}
					resp, err := s.Recv()
					if err != nil {
						return err
					}
					for _, svc := range resp.GetListServicesResponse().GetService() {
						if svc.GetName() == ServiceName {
							return nil
						}
					}
					return status.Error(codes.NotFound, "reflection does not list "+ServiceName)
				},
			}
			for _, who := range callers {
				for call, fn := range calls {
					ctx, cancel := context.WithTimeout(withToken(context.Background(), who.token), 30*time.Second)
					err := fn(ctx)
					cancel()
					if got := status.Code(err); got != want[who.name][call] {
						t.Errorf("%s calling %s: %v, want %v (%v)", who.name, call, got, want[who.name][call], err)
					}
				}
			}
			if err := r.stop(t); err != nil {
				t.Fatal(err)
			}
			if logs.Len() == 0 {
				t.Fatal("no log lines at debug level")
			}
			for _, who := range callers[1:] {
				if strings.Contains(logs.String(), who.token) {
					t.Errorf("the %s token appears in the server log", who.name)
				}
			}
		})
	}
}

// lockedWriter serialises writes to w.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// firstReceipt streams one batch as the operator and returns its receipt.
func firstReceipt(t *testing.T, c pb.DataServiceClient, token string) string {
	t.Helper()
	bs, err := pull(withToken(context.Background(), token), t, c, &pb.StreamBatchesRequest{BatchSize: 2, MaxBatches: 1,
		Streams: []pb.StreamKind{pb.StreamKind_STREAM_KIND_FORMAT}})
	if err != nil || len(bs) != 1 {
		t.Fatalf("streaming a batch to replay: %d batches, %v", len(bs), err)
	}
	return bs[0].GetReceipt()
}
