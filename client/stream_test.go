package client

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

func TestStreamWithoutFaults(t *testing.T) {
	f := &fake{perEpoch: 4}
	addr, _ := serveFake(t, f)
	c := dialTest(t, []string{addr})
	got, bs, err := ids(t, c, &pb.StreamBatchesRequest{BatchSize: 1, EndEpoch: 3})
	if err != nil {
		t.Fatal(err)
	}
	if want := seq(3, 4); !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if n := len(f.requests()); n != 1 {
		t.Fatalf("%d calls, want 1", n)
	}
	if bs[0].Peer != addr || bs[0].Resumes != 0 {
		t.Fatalf("peer %q resumes %d, want %q and 0", bs[0].Peer, bs[0].Resumes, addr)
	}
}

func TestStreamResumesFromCursor(t *testing.T) {
	f := &fake{perEpoch: 5, fail: func(call, sent int) error {
		// The first call dies after 3 batches, the second before its first.
		if (call == 0 && sent == 3) || call == 1 {
			return status.Error(codes.Unavailable, "connection reset")
		}
		return nil
	}}
	addr, _ := serveFake(t, f)
	var hooks atomic.Int32
	c := dialTest(t, []string{addr}, WithResumeHook(func(ResumeEvent) { hooks.Add(1) }))
	got, bs, err := ids(t, c, &pb.StreamBatchesRequest{BatchSize: 1, Epoch: 1, EndEpoch: 3})
	if err != nil {
		t.Fatal(err)
	}
	want := seq(3, 5)[5:]
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	reqs := f.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d calls, want 3", len(reqs))
	}
	for _, r := range reqs[1:] {
		if r.GetCursor() != "1:2" || r.GetEpoch() != 1 || r.GetEndEpoch() != 3 {
			t.Fatalf("resumed request %v, want cursor 1:2, epoch 1, end 3", r)
		}
	}
	if bs[3].Resumes != 2 || hooks.Load() != 2 {
		t.Fatalf("resumes %d, hook calls %d, want 2 and 2", bs[3].Resumes, hooks.Load())
	}
}

func TestStreamResumeKeepsMaxBatches(t *testing.T) {
	f := &fake{perEpoch: 10, fail: func(call, sent int) error {
		if call == 0 && sent == 2 {
			return status.Error(codes.Unavailable, "draining")
		}
		return nil
	}}
	addr, _ := serveFake(t, f)
	c := dialTest(t, []string{addr})
	got, _, err := ids(t, c, &pb.StreamBatchesRequest{BatchSize: 1, MaxBatches: 6})
	if err != nil {
		t.Fatal(err)
	}
	if want := seq(1, 10)[:6]; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if r := f.requests(); len(r) != 2 || r[1].GetMaxBatches() != 4 {
		t.Fatalf("requests %v, want a second one with max_batches 4", r)
	}
}

func TestStreamFailsOverToAnotherReplica(t *testing.T) {
	for _, bal := range []Balancer{PickFirst, RoundRobin} {
		t.Run(string(bal), func(t *testing.T) {
			// The first call to reach its 4th batch (on either replica) holds.
			var held atomic.Bool
			first := func(call, sent int) bool { return sent == 3 && held.CompareAndSwap(false, true) }
			a, b := &fake{perEpoch: 6, hold: first}, &fake{perEpoch: 6, hold: first}
			addrA, stopA := serveFake(t, a)
			addrB, stopB := serveFake(t, b)
			// With pick_first, A (first) takes the call; with round_robin
			// either may: the one that served the first batches is killed.
			c := dialTest(t, []string{addrA, addrB}, WithBalancer(bal))
			stops := map[string]func(){addrA: stopA, addrB: stopB}
			other := map[string]string{addrA: addrB, addrB: addrA}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			var got, peers []string
			for bt, err := range c.Stream(ctx, &pb.StreamBatchesRequest{BatchSize: 1, EndEpoch: 2}) {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, bt.GetContentIds()...)
				peers = append(peers, bt.Peer)
				if len(got) == 3 {
					stops[bt.Peer]()
				}
			}
			if want := seq(2, 6); !slices.Equal(got, want) {
				t.Fatalf("got %v, want %v", got, want)
			}
			if bal == PickFirst && peers[0] != addrA {
				t.Fatalf("pick_first served from %s, want the first address %s", peers[0], addrA)
			}
			if last := peers[len(peers)-1]; last != other[peers[0]] {
				t.Fatalf("peers %v: want the stream to move from %s to %s", peers, peers[0], other[peers[0]])
			}
		})
	}
}

func TestStreamReturnsFinalCodes(t *testing.T) {
	f := &fake{perEpoch: 4, fail: func(call, sent int) error {
		if sent == 1 {
			return status.Error(codes.FailedPrecondition, "snapshot gone")
		}
		return nil
	}}
	addr, _ := serveFake(t, f)
	c := dialTest(t, []string{addr})
	got, _, err := ids(t, c, &pb.StreamBatchesRequest{BatchSize: 1})
	if status.Code(err) != codes.FailedPrecondition || len(got) != 1 {
		t.Fatalf("got %v, %v; want one batch then FailedPrecondition", got, err)
	}
	if n := len(f.requests()); n != 1 {
		t.Fatalf("%d calls, want 1 (no retry of a final code)", n)
	}
}

func TestStreamGivesUp(t *testing.T) {
	f := &fake{perEpoch: 4, fail: func(int, int) error { return status.Error(codes.Unavailable, "down") }}
	addr, _ := serveFake(t, f)
	c := dialTest(t, []string{addr})
	_, _, err := ids(t, c, &pb.StreamBatchesRequest{BatchSize: 1})
	if status.Code(err) != codes.Unavailable {
		t.Fatalf("err %v, want Unavailable after the attempts", err)
	}
	if n := len(f.requests()); n != 5 {
		t.Fatalf("%d calls, want MaxAttempts = 5", n)
	}
}

func TestStreamDetectsDiscontinuity(t *testing.T) {
	f := &fake{perEpoch: 8, skip: 1, fail: func(call, sent int) error {
		if call == 0 && sent == 2 {
			return status.Error(codes.Unavailable, "reset")
		}
		return nil
	}}
	addr, _ := serveFake(t, f)
	c := dialTest(t, []string{addr})
	_, _, err := ids(t, c, &pb.StreamBatchesRequest{BatchSize: 1})
	if !errors.Is(err, ErrDiscontinuity) {
		t.Fatalf("err %v, want ErrDiscontinuity", err)
	}
}

func TestStreamBreakEndsCall(t *testing.T) {
	f := &fake{perEpoch: 100}
	addr, _ := serveFake(t, f)
	c := dialTest(t, []string{addr})
	s := c.Open(context.Background(), &pb.StreamBatchesRequest{BatchSize: 1})
	for range 3 {
		if _, err := s.Next(); err != nil {
			t.Fatal(err)
		}
	}
	if s.Cursor() != "0:2" || s.Delivered() != 3 {
		t.Fatalf("cursor %q delivered %d", s.Cursor(), s.Delivered())
	}
	s.Close()
	if _, err := s.Next(); err == nil {
		t.Fatal("Next after Close returned no error")
	}
	// Resuming with the cursor continues right after.
	got, _, err := ids(t, c, &pb.StreamBatchesRequest{BatchSize: 1, Cursor: s.Cursor(), MaxBatches: 2})
	if err != nil || !slices.Equal(got, []string{"0/3", "0/4"}) {
		t.Fatalf("resume: %v, %v", got, err)
	}
}

func TestTokenIsSent(t *testing.T) {
	f := &fake{perEpoch: 1}
	addr, _ := serveFake(t, f)
	c := dialTest(t, []string{addr}, WithToken("sekrit-token-0123456789"))
	if _, _, err := ids(t, c, &pb.StreamBatchesRequest{BatchSize: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Stats(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if f.auth[0] != "Bearer sekrit-token-0123456789" {
		t.Fatalf("authorization %q", f.auth[0])
	}
}
