package reliability

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/starlight/dataserver/client"
	"github.com/starlight/dataserver/internal/testbin"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// outage is how long the server stays down in TestClientsRideOutRestart.
const outage = 60 * time.Second

// outageRequest is one epoch of the corpus in batches of 8, paced by the
// clients (a training step per batch) so that the outage falls mid-epoch.
func outageRequest() *pb.StreamBatchesRequest {
	return &pb.StreamBatchesRequest{BatchSize: 8, Seed: 4242, Epoch: 0, EndEpoch: 1, Mix: &pb.Mix{Clean: 1, Stego: 1, Negative: 1},
		PackBitPlanes: true, Consumer: "outage"}
}

// pythonOutageClient streams outageRequest with the Python client's default
// options (retry policy included) and prints "epoch batch id,id,..." per
// batch, taking 0.2 s per batch.
const pythonOutageClient = `
import sys, time
import starlight_dataserver as sds
ds = sds.StreamingDataset(sys.argv[1], batch_size=8, seed=4242, epoch=0, epochs=1, mix=(1, 1, 1), consumer="outage-py")
for b in ds:
    print(b["epoch"], b["batch_index"], ",".join(b["content_ids"]), flush=True)
    time.sleep(0.2)
print("done", flush=True)
`

// received is what one client printed or collected: batch positions and the
// content ids at each.
type received struct {
	mu      sync.Mutex
	batches []batchRec
	done    bool
	err     error
}

func (r *received) add(epoch, index uint64, ids []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.batches = append(r.batches, batchRec{epoch: epoch, index: index, ids: ids, digests: make([]string, len(ids))})
}

func (r *received) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.batches)
}

// TestClientsRideOutRestart stops the server (SIGTERM) mid-epoch, keeps it
// down for 60 s and restarts it on the same address, tree and --cache-dir.
// The Go client and the Python client, both with their default options,
// must finish the epoch; the test counts, outside the clients, the samples
// each received against an uninterrupted stream of the same request: 0
// lost, 0 repeated. It runs once (it takes over a minute).
func TestClientsRideOutRestart(t *testing.T) {
	py, src := pythonClient(t)
	root := corpusCopy(t)
	cache := t.TempDir()
	p := startServer(t, root, "--cache-dir", cache)
	p.waitServing()
	addr := p.addr

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	goGot, pyGot := &received{}, &received{}

	// The Python client, in a process of its own.
	cmd := exec.CommandContext(ctx, py, "-c", pythonOutageClient, addr)
	cmd.Env = append(os.Environ(), "PYTHONPATH="+src)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var pyErr strings.Builder
	cmd.Stderr = &pyErr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pyDone := make(chan struct{})
	go func() {
		defer close(pyDone)
		readPython(stdout, pyGot)
		pyGot.err = cmd.Wait()
	}()

	// The Go client, here, once the Python one (slower to start) streams.
	for pyGot.count() == 0 {
		select {
		case <-pyDone:
			t.Fatalf("the Python client ended before its first batch: %v\n%s", pyGot.err, pyErr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	goDone := make(chan struct{})
	go func() {
		defer close(goDone)
		c, err := client.Dial(ctx, []string{addr})
		if err != nil {
			goGot.err = err
			return
		}
		defer c.Close()
		for b, err := range c.Stream(ctx, outageRequest()) {
			if err != nil {
				goGot.err = err
				return
			}
			goGot.add(b.GetEpoch(), b.GetBatchIndex(), b.GetContentIds())
			time.Sleep(200 * time.Millisecond)
		}
		goGot.mu.Lock()
		goGot.done = true
		goGot.mu.Unlock()
	}()

	// Mid-epoch: both clients have a few batches.
	for goGot.count() < 3 || pyGot.count() < 3 {
		select {
		case <-goDone:
			t.Fatalf("the Go client ended before the outage: %v", goGot.err)
		case <-pyDone:
			t.Fatalf("the Python client ended before the outage: %v\n%s", pyGot.err, pyErr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	stopped := time.Now()
	goBefore, pyBefore := goGot.count(), pyGot.count()
	p.signal(syscall.SIGTERM)
	<-p.done
	time.Sleep(time.Until(stopped.Add(outage)))
	down := time.Since(stopped)
	q := startServer(t, root, "--cache-dir", cache, "--addr", addr)
	q.waitServing()
	back := time.Since(stopped)

	<-goDone
	<-pyDone
	finished := time.Since(stopped)
	q.waitServing()
	var ref []batchRec
	if err := drain(ctx, q.api(), outageRequest(), func(m *pb.StreamBatchesResponse) bool {
		ref = append(ref, batchRec{epoch: m.GetEpoch(), index: m.GetBatchIndex(), ids: m.GetContentIds(), digests: make([]string, len(m.GetContentIds()))})
		return true
	}); err != nil {
		t.Fatalf("reference stream: %v", err)
	}
	if goGot.err != nil || !goGot.done {
		t.Errorf("Go client: %v", goGot.err)
	}
	if pyGot.err != nil || !pyGot.done {
		t.Errorf("Python client: %v (done %v)\n%s", pyGot.err, pyGot.done, pyErr.String())
	}
	for _, c := range []struct {
		name   string
		got    *received
		before int
	}{{"Go", goGot, goBefore}, {"Python", pyGot, pyBefore}} {
		tl := compare(ref, c.got.batches)
		t.Logf("FIGURE restart outage, %s client with default options: %d batches before the stop (SIGTERM), server down %s, SERVING again %s after the stop, epoch finished %s after it; %d batches received against %d in the uninterrupted stream: %d samples lost, %d repeated, %d unexpected",
			c.name, c.before, down.Round(time.Second), back.Round(100*time.Millisecond), finished.Round(100*time.Millisecond),
			len(c.got.batches), len(ref), sum(tl.lost), sum(tl.dup), sum(tl.unexpected))
		if !tl.zero() || len(c.got.batches) != len(ref) {
			t.Errorf("%s client: %s", c.name, tl)
		}
	}
}

// readPython parses the Python client's lines into got.
func readPython(r io.Reader, got *received) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		line := sc.Text()
		if line == "done" {
			got.mu.Lock()
			got.done = true
			got.mu.Unlock()
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		e, err1 := strconv.ParseUint(f[0], 10, 64)
		b, err2 := strconv.ParseUint(f[1], 10, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		got.add(e, b, strings.Split(f[2], ","))
	}
}

// pythonClient returns the interpreter and the client's source folder, or
// skips the test (loudly) when the interpreter or the client's Debian
// packages (python3-grpcio, python3-protobuf, python3-torch) are missing.
func pythonClient(t *testing.T) (py, src string) {
	t.Helper()
	root, err := testbin.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	src = filepath.Join(root, "client", "python")
	py = "/usr/bin/python3"
	check := exec.Command(py, "-c", "import grpc, torch, starlight_dataserver")
	check.Env = append(os.Environ(), "PYTHONPATH="+src)
	if out, err := check.CombinedOutput(); err != nil {
		t.Skip(fmt.Sprintf("SKIP: the Python client cannot run here (%v): %s", err, strings.TrimSpace(string(out))))
	}
	return py, src
}
