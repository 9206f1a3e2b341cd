package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"
	"google.golang.org/grpc"

	"github.com/starlight/dataserver/client"
	"github.com/starlight/dataserver/server"
)

// The bearer tokens of the test servers, one per role.
var (
	trainerToken   = "trainer-token-0123456789"
	dashboardToken = "dashboard-token-0123456789"
	operatorToken  = "operator-token-0123456789"
	testTokens     = []server.Token{
		{Name: "trainer", Role: server.RoleTrainer, Token: trainerToken},
		{Name: "dashboard", Role: server.RoleDashboard, Token: dashboardToken},
		{Name: "operator", Role: server.RoleOperator, Token: operatorToken},
	}
)

// inproc is a server of the server package serving on a loopback port in
// this process.
type inproc struct {
	addr string
	srv  *server.Server
}

// startInProcess serves cfg on 127.0.0.1:0 and waits until it is SERVING;
// it stops with the test.
func startInProcess(t *testing.T, cfg server.Config) *inproc {
	t.Helper()
	if cfg.GracePeriod == 0 {
		cfg.GracePeriod = 5 * time.Second
	}
	srv, err := server.New(cfg, zaptest.NewLogger(t, zaptest.Level(zap.ErrorLevel)))
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ctx, lis) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-errc:
			if err != nil {
				t.Errorf("server stopped with: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("in-process server did not stop within 30s")
		}
	})
	p := &inproc{addr: lis.Addr().String(), srv: srv}
	var opts []client.Option
	if cfg.TLSCert != "" {
		opts = append(opts, client.WithCAFile(cfg.TLSCert))
	}
	waitReady(t, []string{p.addr}, nil, opts...)
	return p
}

// proc is a `dataserver serve` child process.
type proc struct {
	addr   string
	cmd    *exec.Cmd
	done   chan struct{}
	stderr *syncBuffer
	once   sync.Once
}

// startProcess runs `dataserver serve` over root on addr (127.0.0.1:0 is
// not allowed: the address must be known to restart on it) with extra
// flags; the process is killed with the test. It does not wait for SERVING.
func startProcess(t *testing.T, root, addr string, extra ...string) *proc {
	t.Helper()
	needBinary(t)
	p, err := spawn(root, addr, extra...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.kill)
	return p
}

// spawn starts the process; safe to call from any goroutine.
func spawn(root, addr string, extra ...string) (*proc, error) {
	args := append([]string{"serve", "--root", root, "--addr", addr, "--metrics-addr", "", "--log-level", "warn", "--grace-period", "5s"}, extra...)
	cmd := exec.Command(binary, args...)
	// The child reads DATASERVER_* variables: none of the test's leak in.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DATASERVER_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	p := &proc{addr: addr, cmd: cmd, done: make(chan struct{}), stderr: &syncBuffer{}}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", binary, err)
	}
	go func() {
		cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// kill ends the process at once (SIGKILL), as a crashed replica, and waits for it.
func (p *proc) kill() {
	p.once.Do(func() {
		p.cmd.Process.Kill()
		<-p.done
	})
}

// terminate asks the process to shut down gracefully (SIGTERM) and waits
// for it, killing it after the deadline.
func (p *proc) terminate(deadline time.Duration) error {
	var err error
	p.once.Do(func() {
		p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(deadline):
			p.cmd.Process.Kill()
			<-p.done
			err = fmt.Errorf("%s did not stop within %s after SIGTERM", p.addr, deadline)
		}
	})
	return err
}

// waitProcess waits until the process is SERVING, failing early when it exits.
func waitProcess(t *testing.T, p *proc, opts ...client.Option) {
	t.Helper()
	waitReady(t, []string{p.addr}, p, opts...)
}

// waitReady waits, at most 60s, until the server at addrs reports SERVING.
func waitReady(t *testing.T, addrs []string, p *proc, opts ...client.Option) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if p != nil {
		go func() {
			select {
			case <-p.done:
				cancel()
			case <-ctx.Done():
			}
		}()
	}
	c, err := client.Dial(ctx, addrs, append(opts, client.WithWaitReady())...)
	if err != nil {
		if p != nil {
			t.Fatalf("server %s not ready: %v\nits stderr:\n%s", strings.Join(addrs, ","), err, p.stderr)
		}
		t.Fatalf("server %s not ready: %v", strings.Join(addrs, ","), err)
	}
	c.Close()
}

// freeAddr returns a loopback address with a port free right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer lis.Close()
	return lis.Addr().String()
}

// syncBuffer is a bytes.Buffer safe for a child's stderr and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// dial connects a client that closes with the test. Streams resume within
// about 20s of retries, enough for a replica to restart.
func dial(t *testing.T, addrs []string, opts ...client.Option) *client.Client {
	t.Helper()
	base := []client.Option{client.WithRetry(client.RetryPolicy{MaxAttempts: 30, BaseDelay: 20 * time.Millisecond, MaxDelay: time.Second})}
	c, err := client.Dial(context.Background(), addrs, append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// smallWindows keeps a server at most about one batch ahead of a consumer
// (no large HTTP/2 windows), so that killing it mid-epoch really leaves
// batches unsent.
func smallWindows() client.Option {
	return client.WithDialOptions(grpc.WithInitialWindowSize(64<<10), grpc.WithInitialConnWindowSize(64<<10))
}
