package reliability

import (
	"context"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/starlight/dataserver/internal/treetest"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// killRequest is the stream of the kill and shutdown tests: two epochs of
// the corpus in batches of 8, every stream.
func killRequest() *pb.StreamBatchesRequest {
	return &pb.StreamBatchesRequest{BatchSize: 8, Seed: 20251124, Epoch: 0, EndEpoch: 2, Consumer: "reliability"}
}

// reference streams req uninterrupted from a fresh server over root; it
// returns the batches and the time from the start of the process to the
// end of the stream.
func reference(t *testing.T, root string, req *pb.StreamBatchesRequest) ([]batchRec, time.Duration) {
	t.Helper()
	start := time.Now()
	p := startServer(t, root)
	p.waitServing()
	defer p.kill()
	var ref []batchRec
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := drain(ctx, p.api(), req, func(m *pb.StreamBatchesResponse) bool {
		ref = append(ref, record(m))
		return true
	}); err != nil {
		t.Fatalf("reference stream: %v", err)
	}
	d := time.Since(start)
	if len(ref) == 0 {
		t.Fatal("reference stream sent no batch")
	}
	return ref, d
}

// corpusCopy copies the corpus into a temporary folder of the test.
func corpusCopy(t *testing.T) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "datasets")
	treetest.CopyTo(t, corpusRoot(t), root)
	return root
}

// TestKillResume SIGKILLs the server at random moments (while it indexes,
// extracts, writes its disk cache or sends) over many runs, restarts it on
// the same tree and cache folder, resumes from the last cursor received,
// and counts the samples lost, duplicated and unexpected per epoch against
// the uninterrupted schedule (content ids and the bytes of every tensor).
func TestKillResume(t *testing.T) {
	root := corpusCopy(t)
	req := killRequest()
	ref, refTime := reference(t, root, req)
	t.Logf("reference: %d batches, %d samples, 2 epochs, %s from process start to the last batch (cold cache)", len(ref), samples(ref), refTime.Round(time.Millisecond))

	runs, budget, maxKills := 20, 60*time.Second, 3
	if isLong() {
		runs, budget, maxKills = 100, 15*time.Minute, 5
	}
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	window := refTime // kills land from process start to the end of a whole cold stream
	totalKills, totalResumes, beforeServing, done := 0, 0, 0, 0
	start := time.Now()
	for run := 0; run < runs && time.Since(start) < budget; run++ {
		cache := t.TempDir()
		var got []batchRec
		cursor, kills := "", 0
		for attempt := 0; ; attempt++ {
			if attempt > 20 {
				t.Fatalf("run %d: no complete stream after %d restarts", run, attempt)
			}
			p := startServer(t, root, "--cache-dir", cache)
			var timer *time.Timer
			if kills == 0 || (kills < maxKills && r.IntN(2) == 0) {
				at := time.Duration(r.Int64N(int64(window)))
				timer = time.AfterFunc(at, func() { p.signal(syscall.SIGKILL) })
			}
			err := p.serving()
			if err != nil && errors.Is(err, errExited) {
				beforeServing++
			}
			if err == nil {
				q := proto.Clone(req).(*pb.StreamBatchesRequest)
				q.Cursor = cursor
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
				err = drain(ctx, p.api(), q, func(m *pb.StreamBatchesResponse) bool {
					got = append(got, record(m))
					cursor = m.GetCursor()
					return true
				})
				cancel()
			}
			killed := timer != nil && !timer.Stop()
			if killed {
				<-p.done
			}
			p.kill()
			switch {
			case err == nil:
			case killed:
				kills++
				totalKills++
				if cursor != "" {
					totalResumes++
				}
				continue
			default:
				t.Fatalf("run %d: stream failed without a kill: %v\nserver log:\n%s", run, err, p.log)
			}
			break
		}
		tl := compare(ref, got)
		if !tl.zero() {
			t.Errorf("run %d (%d kills): %s", run, kills, tl)
		}
		done++
	}
	t.Logf("FIGURE kill and resume: %d runs, %d SIGKILLs (%d before SERVING, %d resumed from a cursor, the rest restarted from the request), %d samples each run; lost, duplicated and unexpected all 0 unless reported above; %s",
		done, totalKills, beforeServing, totalResumes, samples(ref), time.Since(start).Round(time.Second))
	least := 8
	if raceEnabled {
		least = 2 // the race build of the server is several times slower
	}
	if done < least {
		t.Errorf("only %d runs fitted in the %s budget", done, budget)
	}
}
