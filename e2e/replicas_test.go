package e2e

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/starlight/dataserver/client"
	"github.com/starlight/dataserver/internal/demotree"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// TestReplicas runs three server processes over one copy of the corpus
// (issue 6): they agree on the snapshot; four ranks spread over them get
// exactly the batches one server gives, with round-robin and with each rank
// pinned to its own replica first; and when a replica is killed mid-epoch,
// its ranks fail over and finish with no sample lost or repeated.
func TestReplicas(t *testing.T) {
	root := demotree.Root(t)
	const replicas, world = 3, 4
	addrs := make([]string, replicas)
	procs := make([]*proc, replicas)
	for i := range procs {
		addrs[i] = freeAddr(t)
		procs[i] = startProcess(t, root, addrs[i])
	}
	for _, p := range procs {
		waitProcess(t, p)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var snapshot string
	for _, a := range addrs {
		st, err := dial(t, []string{a}).Stats(ctx, nil)
		if err != nil {
			t.Fatalf("%s: %v", a, err)
		}
		if snapshot == "" {
			snapshot = st.GetSnapshotId()
		}
		if st.GetSnapshotId() != snapshot || st.GetAccepted() == 0 {
			t.Fatalf("%s reports snapshot %s (%d served), %s reports %s", a, st.GetSnapshotId(), st.GetAccepted(), addrs[0], snapshot)
		}
	}

	rankReq := func(r int, heavyStreams bool) *pb.StreamBatchesRequest {
		req := light(21)
		if heavyStreams {
			req = heavy(21)
		}
		req.Rank, req.WorldSize = uint32(r), world
		return req
	}
	// What one server gives each rank.
	single := dial(t, addrs[:1])
	ref := make([][]key, world)
	for r := range world {
		ref[r], _ = collect(t, single, rankReq(r, false))
	}

	t.Run("RoundRobin", func(t *testing.T) {
		c := dial(t, addrs)
		res := runRanks(world, func(r int) (*client.Client, *pb.StreamBatchesRequest, func(int, *client.Batch)) {
			return c, rankReq(r, false), nil
		})
		peers := map[string]bool{}
		for r, rr := range res {
			if rr.err != nil {
				t.Fatalf("rank %d: %v", r, rr.err)
			}
			if err := sameKeys(rr.keys, ref[r]); err != nil {
				t.Fatalf("rank %d over the replicas differs from one server: %v", r, err)
			}
			for _, b := range rr.batches {
				peers[b.Peer] = true
			}
		}
		t.Logf("round robin: the four ranks were served by %d replica(s)", len(peers))
	})

	t.Run("SpreadAndKill", func(t *testing.T) {
		// Rank r prefers replica r mod 3 and fails over to the next ones:
		// ranks 0 and 3 share replica 0, which is killed once both are
		// two batches into the epoch.
		var reached sync.WaitGroup
		reached.Add(2)
		killed := make(chan struct{})
		go func() {
			reached.Wait()
			procs[0].kill()
			close(killed)
		}()
		res := runRanks(world, func(r int) (*client.Client, *pb.StreamBatchesRequest, func(int, *client.Batch)) {
			order := []string{addrs[r%replicas], addrs[(r+1)%replicas], addrs[(r+2)%replicas]}
			c := dial(t, order, client.WithBalancer(client.PickFirst), smallWindows())
			var each func(int, *client.Batch)
			if r%replicas == 0 {
				var once sync.Once
				each = func(i int, _ *client.Batch) {
					switch i {
					case 1:
						once.Do(func() {
							reached.Done()
							<-killed
						})
					case -1:
						// The rank ended (before its second batch?): the
						// kill must not wait for it.
						once.Do(reached.Done)
					}
				}
			}
			return c, rankReq(r, true), each
		})
		for r, rr := range res {
			if rr.err != nil {
				t.Fatalf("rank %d failed after %d batches: %v", r, len(rr.keys), rr.err)
			}
			if err := sameKeys(rr.keys, ref[r]); err != nil {
				t.Fatalf("rank %d lost or repeated samples: %v", r, err)
			}
			first, last := rr.batches[0], rr.batches[len(rr.batches)-1]
			if first.Peer != addrs[r%replicas] {
				t.Fatalf("rank %d started on %s, want its preferred replica %s", r, first.Peer, addrs[r%replicas])
			}
			onKilled := r%replicas == 0
			if onKilled && (last.Resumes == 0 || last.Peer == addrs[0]) {
				t.Fatalf("rank %d on the killed replica: %d resumes, ended on %s", r, last.Resumes, last.Peer)
			}
			if !onKilled && (last.Resumes != 0 || last.Peer != first.Peer) {
				t.Fatalf("rank %d on a live replica: %d resumes, moved %s -> %s", r, last.Resumes, first.Peer, last.Peer)
			}
		}
	})
}

// rankResult is what one rank of runRanks received.
type rankResult struct {
	keys    []key
	batches []*client.Batch
	err     error
}

// runRanks streams the ranks concurrently; setup gives each rank its
// client, request and per-batch hook (called with -1 when the rank ends).
func runRanks(world int, setup func(r int) (*client.Client, *pb.StreamBatchesRequest, func(int, *client.Batch))) []rankResult {
	res := make([]rankResult, world)
	var wg sync.WaitGroup
	for r := range world {
		c, req, each := setup(r)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if p := recover(); p != nil {
					res[r].err = fmt.Errorf("panic: %v", p)
				}
			}()
			res[r].keys, res[r].batches, res[r].err = tryCollect(c, req, each)
			if each != nil {
				each(-1, nil)
			}
		}()
	}
	wg.Wait()
	return res
}
