package reliability

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// serverProc is one `dataserver serve` child process listening on
// loopback ports it chose itself (127.0.0.1:0), learnt from its log.
type serverProc struct {
	t           testing.TB
	cmd         *exec.Cmd
	pid         int
	addr        string
	metricsAddr string
	log         *logBuffer
	done        chan struct{}
	waitErr     error
	conn        *grpc.ClientConn
}

// logBuffer keeps everything a child writes to stdout and stderr.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// lines returns the JSON log lines written so far, decoded.
func (l *logBuffer) lines() []map[string]any {
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(l.String()))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// find returns the string field key of the first log line whose msg is msg.
func (l *logBuffer) find(msg, key string) string {
	for _, m := range l.lines() {
		if m["msg"] == msg {
			s, _ := m[key].(string)
			return s
		}
	}
	return ""
}

// startServer runs `dataserver serve --root root` with extra flags on
// loopback ports of its choosing, waits until it listens (not until it is
// SERVING) and kills it when the test ends.
func startServer(t testing.TB, root string, extra ...string) *serverProc {
	t.Helper()
	needBinary(t)
	args := append([]string{"serve", "--root", root, "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--log-level", "info"}, extra...)
	cmd := exec.Command(binPath, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DATASERVER_") && !strings.HasPrefix(kv, "GORACE=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	// A binary built with -race sleeps 1s at exit by default; the shutdown
	// figures are the server's, not the race runtime's.
	cmd.Env = append(cmd.Env, "GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	p := &serverProc{t: t, cmd: cmd, log: &logBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.log, p.log
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", binPath, err)
	}
	p.pid = cmd.Process.Pid
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.kill()
		if strings.Contains(p.log.String(), "WARNING: DATA RACE") {
			t.Errorf("the server reported a data race:\n%s", p.log)
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for p.addr == "" || p.metricsAddr == "" {
		p.addr, p.metricsAddr = p.log.find("listening", "addr"), p.log.find("metrics listening", "addr")
		select {
		case <-p.done:
			t.Fatalf("server exited before listening (%v); its log:\n%s", p.waitErr, p.log)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not listening after 30s; its log:\n%s", p.log)
		}
	}
	conn, err := grpc.NewClient(p.addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(256<<20)))
	if err != nil {
		t.Fatal(err)
	}
	p.conn = conn
	return p
}

// api is the data service client of the process.
func (p *serverProc) api() pb.DataServiceClient { return pb.NewDataServiceClient(p.conn) }

// health returns the serving status of the data service.
func (p *serverProc) health(ctx context.Context) (healthpb.HealthCheckResponse_ServingStatus, error) {
	r, err := healthpb.NewHealthClient(p.conn).Check(ctx, &healthpb.HealthCheckRequest{Service: "dataserver.v1.DataService"})
	if err != nil {
		return healthpb.HealthCheckResponse_UNKNOWN, err
	}
	return r.GetStatus(), nil
}

// waitServing waits up to a minute until health reports SERVING and
// fails the test when it does not.
func (p *serverProc) waitServing() {
	p.t.Helper()
	if err := p.serving(); err != nil {
		p.t.Fatal(err)
	}
}

// errExited reports a process that ended while it was awaited.
var errExited = errors.New("server process exited")

// serving waits up to a minute until health reports SERVING; it returns an
// error wrapping errExited when the process ends first.
func (p *serverProc) serving() error {
	deadline := time.Now().Add(time.Minute)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		st, err := p.health(ctx)
		cancel()
		if err == nil && st == healthpb.HealthCheckResponse_SERVING {
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("%w before SERVING (%v); its log:\n%s", errExited, p.waitErr, p.log)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("server not SERVING after a minute (last %v, %v); its log:\n%s", st, err, p.log)
		}
	}
}

// signal sends sig to the process (nothing once it has ended).
func (p *serverProc) signal(sig syscall.Signal) {
	if !p.exited() {
		p.cmd.Process.Signal(sig)
	}
}

// kill sends SIGKILL and waits for the process to go; safe to call twice.
func (p *serverProc) kill() {
	select {
	case <-p.done:
	default:
		p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.done
	}
	if p.conn != nil {
		p.conn.Close()
	}
}

// exited reports whether the process has ended.
func (p *serverProc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// rss returns the process's resident set size in bytes.
func (p *serverProc) rss() uint64 {
	v, _ := procStatus(p.pid, "VmRSS")
	return v
}

// metric returns the value of an unlabelled metric from /metrics.
func (p *serverProc) metric(name string) (float64, error) {
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get("http://" + p.metricsAddr + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, name+" "); ok {
			return strconv.ParseFloat(strings.TrimSpace(rest), 64)
		}
	}
	return 0, fmt.Errorf("/metrics has no %s", name)
}
