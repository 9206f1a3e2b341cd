package reliability

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"

	"github.com/starlight/dataserver/internal/tlstest"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// randomToken returns a fresh 32-hex-digit token with a recognisable prefix.
func randomToken(t *testing.T, prefix string) string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return prefix + "-" + hex.EncodeToString(b)
}

// callAll makes every kind of call once with token ("" sends none) and
// returns the status codes and the error messages the client saw.
func callAll(t *testing.T, conn *grpc.ClientConn, token string) ([]codes.Code, []string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
	}
	api := pb.NewDataServiceClient(conn)
	var cs []codes.Code
	var msgs []string
	note := func(err error) {
		st, _ := status.FromError(err)
		cs = append(cs, st.Code())
		msgs = append(msgs, st.Message())
	}
	note(drain(ctx, api, &pb.StreamBatchesRequest{BatchSize: 2, MaxBatches: 1, Consumer: "authlog"}, func(*pb.StreamBatchesResponse) bool { return true }))
	_, err := api.Stats(ctx, &pb.StatsRequest{})
	note(err)
	_, err = api.Reindex(ctx, &pb.ReindexRequest{})
	note(err)
	_, err = healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	note(err)
	rs, err := reflectionpb.NewServerReflectionClient(conn).ServerReflectionInfo(ctx)
	if err == nil {
		err = rs.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}})
		if err == nil {
			_, err = rs.Recv()
		}
		rs.CloseSend()
	}
	note(err)
	return cs, msgs
}

// TestTokensNeverLogged runs every call with no token, an unknown token
// and each role's token, over plaintext and over TLS, with the server at
// debug level, and checks that no token (nor the unknown one) appears in
// the server's output, in /metrics or in the errors the clients see. It
// also checks that a plaintext client cannot talk to the TLS server.
func TestTokensNeverLogged(t *testing.T) {
	root := corpusCopy(t)
	dir := t.TempDir()
	tokens := map[string]string{
		"trainer":   randomToken(t, "trainer"),
		"dashboard": randomToken(t, "dashboard"),
		"operator":  randomToken(t, "operator"),
	}
	var list []map[string]string
	for role, tok := range tokens {
		list = append(list, map[string]string{"name": role + "-bot", "role": role, "token": tok})
	}
	b, _ := json.Marshal(list)
	tokFile := filepath.Join(dir, "tokens.json")
	if err := os.WriteFile(tokFile, b, 0o600); err != nil {
		t.Fatal(err)
	}
	bad := randomToken(t, "unknown")
	secrets := map[string]string{"unknown token": bad}
	for role, tok := range tokens {
		secrets[role+" token"] = tok
	}
	certFile, keyFile, pool := tlstest.SelfSigned(t, dir)

	for _, mode := range []string{"plaintext", "tls"} {
		t.Run(mode, func(t *testing.T) {
			args := []string{"--tokens-file", tokFile, "--log-level", "debug"}
			creds := insecure.NewCredentials()
			if mode == "tls" {
				args = append(args, "--tls-cert", certFile, "--tls-key", keyFile)
				creds = credentials.NewTLS(&tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12})
			}
			p := startServer(t, root, args...)
			conn, err := grpc.NewClient(p.addr, grpc.WithTransportCredentials(creds))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			waitHealthy(t, conn, p)
			var seen []string
			okCalls, denied := 0, 0
			for _, tok := range []string{"", bad, tokens["trainer"], tokens["dashboard"], tokens["operator"]} {
				cs, msgs := callAll(t, conn, tok)
				seen = append(seen, msgs...)
				for _, c := range cs {
					switch c {
					case codes.OK:
						okCalls++
					case codes.Unauthenticated, codes.PermissionDenied:
						denied++
					}
				}
			}
			if okCalls == 0 || denied == 0 {
				t.Errorf("%d calls succeeded and %d were refused: the matrix did not run both paths", okCalls, denied)
			}
			if mode == "tls" {
				plain, err := grpc.NewClient(p.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				_, err = healthpb.NewHealthClient(plain).Check(ctx, &healthpb.HealthCheckRequest{})
				cancel()
				plain.Close()
				if status.Code(err) != codes.Unavailable {
					t.Errorf("a plaintext client reached the TLS server: %v", err)
				}
			}
			metricsText := scrape(t, p)
			p.signal(syscall.SIGTERM)
			<-p.done
			out := p.log.String()
			for what, s := range secrets {
				for where, text := range map[string]string{"the server's stdout and stderr": out, "/metrics": metricsText, "the errors clients saw": strings.Join(seen, "\n")} {
					if strings.Contains(text, s) || strings.Contains(text, s[len(s)-16:]) {
						t.Errorf("the %s appears in %s", what, where)
					}
				}
			}
			t.Logf("FIGURE tokens in logs (%s): 0 of %d secrets in %d bytes of debug-level log (%d lines), /metrics and %d client errors; %d calls allowed, %d refused",
				mode, len(secrets), len(out), strings.Count(out, "\n"), len(seen), okCalls, denied)
		})
	}
}

// waitHealthy waits until the server answers SERVING over conn.
func waitHealthy(t *testing.T, conn *grpc.ClientConn, p *serverProc) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		r, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
		cancel()
		if err == nil && r.GetStatus() == healthpb.HealthCheckResponse_SERVING {
			return
		}
		if p.exited() || time.Now().After(deadline) {
			t.Fatalf("server not SERVING (%v); log:\n%s", err, p.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// scrape returns the text of the server's /metrics.
func scrape(t *testing.T, p *serverProc) string {
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get("http://" + p.metricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
