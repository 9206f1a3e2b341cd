package e2e

import (
	"context"
	"crypto/tls"
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"

	"github.com/starlight/dataserver/client"
	"github.com/starlight/dataserver/internal/demotree"
	"github.com/starlight/dataserver/internal/tlstest"
	"github.com/starlight/dataserver/server"
)

// The calls of the auth matrix.
const (
	callStream     = "StreamBatches"
	callStats      = "Stats"
	callReindex    = "Reindex"
	callHealth     = "health"
	callReflection = "reflection"
)

var calls = []string{callStream, callStats, callReindex, callHealth, callReflection}

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
		{"no token", "", map[string]codes.Code{callStream: unauth, callStats: unauth, callReindex: unauth, callHealth: ok, callReflection: ok}},
		{"bad token", "not-a-configured-token-42", map[string]codes.Code{callStream: unauth, callStats: unauth, callReindex: unauth, callHealth: ok, callReflection: ok}},
		{"trainer", trainerToken, map[string]codes.Code{callStream: ok, callStats: denied, callReindex: denied, callHealth: ok, callReflection: ok}},
		{"dashboard", dashboardToken, map[string]codes.Code{callStream: denied, callStats: ok, callReindex: denied, callHealth: ok, callReflection: ok}},
		{"operator", operatorToken, map[string]codes.Code{callStream: ok, callStats: ok, callReindex: ok, callHealth: ok, callReflection: ok}},
	}
)

// testAuthMatrix makes every call as every caller and checks the codes.
func testAuthMatrix(t *testing.T, addrs []string, opts ...client.Option) {
	for _, ac := range matrix {
		o := append([]client.Option{}, opts...)
		if ac.token != "" {
			o = append(o, client.WithToken(ac.token))
		}
		c := dial(t, addrs, o...)
		for _, call := range calls {
			got := status.Code(makeCall(t, c, call))
			if got != ac.want[call] {
				t.Errorf("%s calling %s: %s, want %s", ac.name, call, got, ac.want[call])
			}
		}
	}
}

// makeCall performs one call of the matrix and returns its error.
func makeCall(t *testing.T, c *client.Client, call string) error {
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
