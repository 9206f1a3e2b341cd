package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/starlight/dataserver/client"
	"github.com/starlight/dataserver/internal/demotree"
)

// TestRestartMidEpoch restarts the server process (SIGTERM, then a new
// process on the same address and cache) under a running stream: the client
// resumes from its cursor by itself and the epoch equals the uninterrupted one.
func TestRestartMidEpoch(t *testing.T) {
	root := demotree.Root(t)
	cache := t.TempDir()
	addr := freeAddr(t)
	first := startProcess(t, root, addr, "--cache-dir", cache)
	waitProcess(t, first)
	c := dial(t, []string{addr}, smallWindows())
	ref, _ := collect(t, c, light(13))

	type restart struct {
		p   *proc
		err error
	}
	restarted := make(chan restart, 1)
	keys, bs, err := tryCollect(c, heavy(13), func(i int, _ *client.Batch) {
		if i != 5 {
			return
		}
		go func() {
			if err := first.terminate(30 * time.Second); err != nil {
				restarted <- restart{err: err}
				return
			}
			p, err := spawn(root, addr, "--cache-dir", cache)
			restarted <- restart{p, err}
		}()
	})
	r := <-restarted
	if r.err != nil {
		t.Fatalf("restart: %v", r.err)
	}
	t.Cleanup(r.p.kill)
	if err != nil {
		t.Fatalf("stream across the restart failed after %d batches: %v\nnew server's stderr:\n%s", len(keys), err, r.p.stderr)
	}
	if err := sameKeys(keys, ref); err != nil {
		t.Fatalf("the resumed epoch differs from the uninterrupted one: %v", err)
	}
	if last := bs[len(bs)-1]; last.Resumes == 0 {
		t.Fatal("the stream never resumed: the restart did not happen mid-epoch")
	}

	// The new process served the rest of the epoch.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := dial(t, []string{addr}).Stats(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var samples uint64
	for _, cs := range st.GetServing().GetConsumers() {
		samples += cs.GetSamplesServed()
	}
	if samples == 0 || samples >= uint64(len(ref)*8) {
		t.Fatalf("the restarted server served %d samples of the epoch's %d", samples, len(ref)*8)
	}
	t.Logf("restart: %d of %d batches after the restart; disk cache hits %d, misses %d", samples/8, len(ref),
		st.GetServing().GetDiskCacheHits(), st.GetServing().GetCacheMisses())
}
