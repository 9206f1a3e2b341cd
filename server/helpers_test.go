package server

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"

	"github.com/starlight/dataserver/catalog/catalogtest"
	"github.com/starlight/dataserver/internal/corpustest"
	"github.com/starlight/dataserver/internal/demotree"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// running is a server serving on a loopback port for one test.
type running struct {
	srv     *Server
	addr    string
	cancel  context.CancelFunc
	errc    chan error
	stopped chan struct{} // closed by stop once Serve has returned
}

// stop shuts the server down and returns what Serve returned.
func (r *running) stop(t testing.TB) error {
	t.Helper()
	r.cancel()
	select {
	case err := <-r.errc:
		close(r.stopped)
		return err
	case <-time.After(60 * time.Second):
		t.Fatal("server did not stop within 60s")
		return nil
	}
}

// testConfig serves the demo tree (written once per test process, so the
// transport tests run without the reference corpus) indexed by index.Build.
func testConfig(t testing.TB) Config {
	return Config{Root: demotree.Root(t), MetricsAddr: ""}
}

// corpusConfig serves the reference corpus with the plain test builder, for
// the tests that compare with its expected digests and counts; it skips
// loudly when the corpus is absent.
func corpusConfig(t testing.TB) Config {
	return Config{Root: corpustest.Datasets(t), Build: catalogtest.Build, MetricsAddr: ""}
}

func TestMain(m *testing.M) {
	code := m.Run()
	demotree.Remove()
	os.Exit(code)
}

// start serves cfg on 127.0.0.1:0; wait tells whether to wait for SERVING.
func start(t testing.TB, cfg Config, wait bool) *running {
	t.Helper()
	return startLogged(t, cfg, zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel)), wait)
}

// startLogged is start with a logger of the test's choosing.
func startLogged(t testing.TB, cfg Config, log *zap.Logger, wait bool) *running {
	t.Helper()
	srv, err := New(cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{srv: srv, addr: lis.Addr().String(), cancel: cancel, errc: make(chan error, 1), stopped: make(chan struct{})}
	go func() { r.errc <- srv.Serve(ctx, lis) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.errc:
		case <-r.stopped:
		}
	})
	if wait {
		waitServing(t, dial(t, r.addr))
	}
	return r
}

// dial connects without TLS; the connection closes with the test.
func dial(t testing.TB, addr string, opts ...grpc.DialOption) *grpc.ClientConn {
	t.Helper()
	opts = append([]grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(256 << 20)),
	}, opts...)
	cc, err := grpc.NewClient(addr, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	return cc
}

func waitServing(t testing.TB, cc *grpc.ClientConn) {
	t.Helper()
	h := healthpb.NewHealthClient(cc)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := h.Check(context.Background(), &healthpb.HealthCheckRequest{Service: ServiceName})
		if err == nil && resp.GetStatus() == healthpb.HealthCheckResponse_SERVING {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("server not SERVING within 60s")
}

func withToken(ctx context.Context, tok string) context.Context {
	if tok == "" {
		return ctx
	}
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+tok)
}

// collect reads a stream to its end and returns the batches and the final error (nil at EOF).
func collect(stream pb.DataService_StreamBatchesClient) ([]*pb.StreamBatchesResponse, error) {
	var out []*pb.StreamBatchesResponse
	for {
		b, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, b)
	}
}

// pull runs one StreamBatches call to its end.
func pull(ctx context.Context, t *testing.T, c pb.DataServiceClient, req *pb.StreamBatchesRequest) ([]*pb.StreamBatchesResponse, error) {
	t.Helper()
	stream, err := c.StreamBatches(ctx, req)
	if err != nil {
		return nil, err
	}
	return collect(stream)
}
