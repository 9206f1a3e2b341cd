package e2e

import (
	"context"
	"crypto/tls"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"

	"github.com/starlight/dataserver/client"
	"github.com/starlight/dataserver/internal/demotree"
	"github.com/starlight/dataserver/internal/tlstest"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
	"github.com/starlight/dataserver/server"
)

// The calls of the auth matrix.
const (
	callStream     = "StreamBatches"
	callStats      = "Stats"
	callReindex    = "Reindex"
	callHealth     = "health"
	callReflection = "reflection"
	callLosses     = "ReportLosses"
	callReplay     = "ReplayBatch"
)

var calls = []string{callStream, callStats, callReindex, callHealth, callReflection, callLosses, callReplay}

// authCase is one caller of the matrix and the code each call must end with.
type authCase struct {
	name  string
	token string
	want  map[string]codes.Code
}

var (
	ok     = codes.OK
	unauth = codes.Unauthenticated
	denied = codes.PermissionDenied
	matrix = []authCase{
		{"no token", "", map[string]codes.Code{callStream: unauth, callStats: unauth, callReindex: unauth, callHealth: ok, callReflection: ok, callLosses: unauth, callReplay: unauth}},
		{"bad token", "not-a-configured-token-42", map[string]codes.Code{callStream: unauth, callStats: unauth, callReindex: unauth, callHealth: ok, callReflection: ok, callLosses: unauth, callReplay: unauth}},
		{"trainer", trainerToken, map[string]codes.Code{callStream: ok, callStats: denied, callReindex: denied, callHealth: ok, callReflection: ok, callLosses: ok, callReplay: ok}},
		{"dashboard", dashboardToken, map[string]codes.Code{callStream: denied, callStats: ok, callReindex: denied, callHealth: ok, callReflection: ok, callLosses: denied, callReplay: denied}},
		{"operator", operatorToken, map[string]codes.Code{callStream: ok, callStats: ok, callReindex: ok, callHealth: ok, callReflection: ok, callLosses: ok, callReplay: ok}},
	}
)

// testAuthMatrix makes every call as every caller and checks the codes.
func testAuthMatrix(t *testing.T, addrs []string, opts ...client.Option) {
	receipt := operatorReceipt(t, addrs, opts...)
	for _, ac := range matrix {
		o := append([]client.Option{}, opts...)
		if ac.token != "" {
			o = append(o, client.WithToken(ac.token))
		}
		c := dial(t, addrs, o...)
		for _, call := range calls {
			got := status.Code(makeCall(t, c, call, receipt))
			if got != ac.want[call] {
				t.Errorf("%s calling %s: %s, want %s", ac.name, call, got, ac.want[call])
			}
		}
	}
}

// operatorReceipt streams one batch as the operator and returns its receipt.
func operatorReceipt(t *testing.T, addrs []string, opts ...client.Option) string {
	t.Helper()
	c := dial(t, addrs, append(append([]client.Option{}, opts...), client.WithToken(operatorToken))...)
	req := light(1)
	req.MaxBatches = 1
	for b, err := range c.Stream(context.Background(), req) {
		if err != nil {
			t.Fatalf("streaming a batch to replay: %v", err)
		}
		return b.GetReceipt()
	}
	t.Fatal("no batch to replay")
	return ""
}

// makeCall performs one call of the matrix and returns its error.
func makeCall(t *testing.T, c *client.Client, call, receipt string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	switch call {
	case callStream:
		req := light(1)
		req.MaxBatches = 1
		n := 0
		for _, err := range c.Stream(ctx, req) {
			if err != nil {
				return err
			}
			n++
		}
		if n != 1 {
			t.Errorf("stream with max_batches 1 sent %d batches", n)
		}
		return nil
	case callStats:
		_, err := c.Stats(ctx, nil)
		return err
	case callLosses:
		_, err := reportLosses(ctx, c, "auth-run", []*pb.LossRecord{{ContentId: strings.Repeat("0", 64), Loss: 1}})
		return err
	case callReplay:
		b, err := c.Explain(ctx, receipt)
		if err == nil && b.GetReceipt() != receipt {
			t.Errorf("explain answered with receipt %q, asked %q", b.GetReceipt(), receipt)
		}
		return err
	case callReindex:
		_, err := c.Reindex(ctx)
		return err
	case callHealth:
		resp, err := healthpb.NewHealthClient(c.Conn()).Check(ctx, &healthpb.HealthCheckRequest{Service: client.HealthService})
		if err == nil && resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			t.Errorf("health status %s", resp.GetStatus())
		}
		return err
	case callReflection:
		s, err := reflectionpb.NewServerReflectionClient(c.Conn()).ServerReflectionInfo(ctx)
		if err != nil {
			return err
		}
		if err := s.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{ListServices: "*"}}); err != nil {
			return err
		}
		resp, err := s.Recv()
		if err != nil {
			return err
		}
		s.CloseSend()
		var names []string
		for _, sv := range resp.GetListServicesResponse().GetService() {
			names = append(names, sv.GetName())
		}
		if !slices.Contains(names, "dataserver.v1.DataService") {
			t.Errorf("reflection lists %v, without dataserver.v1.DataService", names)
		}
		return nil
	}
	t.Fatalf("unknown call %s", call)
	return nil
}

// TestAuthMatrixTLS runs the matrix over TLS with a certificate made here,
// and checks that a client that does not trust it, or speaks plaintext,
// gets nowhere.
func TestAuthMatrixTLS(t *testing.T) {
	root := demotree.Root(t)
	cert, key, _ := tlstest.SelfSigned(t, t.TempDir())
	srv := startInProcess(t, server.Config{Root: root, Tokens: testTokens, TLSCert: cert, TLSKey: key})
	testAuthMatrix(t, []string{srv.addr}, client.WithCAFile(cert))

	once := client.WithRetry(client.RetryPolicy{MaxAttempts: 1})
	for name, opt := range map[string]client.Option{
		"plaintext":        client.WithInsecure(),
		"untrusted server": client.WithTLSConfig(&tls.Config{}), // TLS with the system roots only
	} {
		c := dial(t, []string{srv.addr}, opt, once, client.WithToken(operatorToken))
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		_, err := c.Stats(ctx, nil)
		cancel()
		if status.Code(err) != codes.Unavailable {
			t.Errorf("%s client: Stats gave %v, want Unavailable", name, err)
		}
	}
}
