package reliability

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/starlight/dataserver/client"
	"github.com/starlight/dataserver/feed"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// The memory budget test's server: batches of 240 samples with every stream
// and planes unpacked take about 126 MB each, so a 1 GiB budget holds a few
// streams' batches at a time (the cache, 256 MiB, yields to them).
const (
	budgetPerRound = 2 // batches each stream asks for
	// budgetOverhead is the fixed overhead stated for the server on top of
	// its budget: runtime, index, idle pooled buffers (up to 128 MiB),
	// decoders, gRPC buffers and the collector's slack (the server sets its
	// Go memory limit to budget + 256 MiB; cmd/dataserver/memlimit.go).
	budgetOverhead = 256 << 20
)

// budgetSetup is the size of the memory budget test.
type budgetSetup struct {
	streams, batch int
	budget, cache  uint64
}

// budgetSize returns the test's size: 64 streams (the default stream cap)
// of batch 240 in a 1 GiB budget, or RELIABILITY_BUDGET_STREAMS streams for
// the README figures at 16 and 32. The race build is many times slower
// (0.1 batches of 240 a second): there, 16 streams of batch 32 in a
// budget scaled down alike, and the memory is logged, not asserted.
func budgetSize(t *testing.T) budgetSetup {
	s := budgetSetup{streams: 64, batch: 240, budget: 1 << 30, cache: 256 << 20}
	if raceEnabled {
		s = budgetSetup{streams: 16, batch: 32, budget: 160 << 20, cache: 32 << 20}
	}
	if v := os.Getenv("RELIABILITY_BUDGET_STREAMS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			t.Fatalf("RELIABILITY_BUDGET_STREAMS=%q is not a positive number", v)
		}
		s.streams = n
	}
	return s
}

// budgetStream is one stream of the test and what it saw.
type budgetStream struct {
	batches int
	first   time.Duration // from the start to the first batch
	arrived []time.Time
	resumes int
	err     error
}

// TestMemoryBudgetHoldsUnderManyStreams runs 64 streams of batch 240 with
// every stream and planes unpacked through the Go client with its default
// retry policy. It checks that the server's RSS (VmRSS of the process every
// 100 ms, read from /proc) stays under its idle RSS + the memory budget + the
// stated fixed overhead, and that every stream is served all its batches:
// streams that find the budget taken wait, are refused RESOURCE_EXHAUSTED
// with a retry delay, and come back, while the admitted ones keep going.
func TestMemoryBudgetHoldsUnderManyStreams(t *testing.T) {
	root := corpusCopy(t)
	size := budgetSize(t)
	flags := []string{"--memory-budget", fmt.Sprint(size.budget), "--cache-bytes", fmt.Sprint(size.cache), "--max-streams", "64", "--send-timeout", "20s"}
	if os.Getenv("RELIABILITY_SERVER_BIN") == "" {
		flags = append(flags, "--budget-wait", "3s") // (builds before the budget wait had no such flag)
	}
	p := startServer(t, root, flags...)
	p.waitServing()
	idle := p.rss()
	n := size.streams

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c, err := client.Dial(ctx, []string{p.addr})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	rss := sampleRSS(p, 100*time.Millisecond)
	start := time.Now()
	streams := make([]*budgetStream, n)
	var wg sync.WaitGroup
	for i := range streams {
		s := &budgetStream{}
		streams[i] = s
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := &pb.StreamBatchesRequest{BatchSize: uint32(size.batch), Seed: uint64(i), EndEpoch: 1000, MaxBatches: budgetPerRound,
				Mix: &pb.Mix{Clean: 1, Stego: 1, Negative: 1}, Consumer: fmt.Sprintf("budget-%d", i)}
			for b, err := range c.Stream(ctx, req) {
				if err != nil {
					s.err = err
					return
				}
				if s.batches == 0 {
					s.first = time.Since(start)
				}
				s.batches++
				s.arrived = append(s.arrived, time.Now())
				s.resumes = b.Resumes
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	samples := rss.Stop()

	st, err := c.Stats(context.Background(), &pb.StatsRequest{PageSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	peak := maxOf(samples)
	bound := idle + size.budget + budgetOverhead
	var firsts []time.Duration
	var all []time.Time
	resumed, served := 0, 0
	for i, s := range streams {
		if s.err != nil || s.batches != budgetPerRound {
			t.Errorf("stream %d: %d of %d batches, %v", i, s.batches, budgetPerRound, s.err)
		}
		served += s.batches
		firsts = append(firsts, s.first)
		all = append(all, s.arrived...)
		if s.resumes > 0 {
			resumed++
		}
	}
	sort.Slice(firsts, func(i, j int) bool { return firsts[i] < firsts[j] })
	sort.Slice(all, func(i, j int) bool { return all[i].Before(all[j]) })
	gap := time.Duration(0)
	for i := 1; i < len(all); i++ {
		gap = max(gap, all[i].Sub(all[i-1]))
	}
	t.Logf("FIGURE memory budget, %d streams of batch %d (planes unpacked, every stream; ~%d MB a batch), --memory-budget %s --cache-bytes %s: server RSS %s idle, peak %s (bound %s = idle + budget + %s fixed overhead); %d batches in %s (%.1f/s), first batch after %s (median %s, last %s), longest pause between two batches anywhere %s; %d streams refused at least once and resumed, %d refusals (Stats budget_refusals), budget in use at the end %s",
		n, size.batch, feed.BatchBytes(feed.DefaultStreams, size.batch, false)/1e6, mib(size.budget), mib(size.cache), mib(idle), mib(peak), mib(bound), mib(budgetOverhead),
		served, took.Round(time.Second), float64(served)/took.Seconds(), firsts[0].Round(time.Millisecond), firsts[len(firsts)/2].Round(time.Millisecond),
		firsts[len(firsts)-1].Round(time.Millisecond), gap.Round(time.Millisecond), resumed, st.GetServing().GetBudgetRefusals(), mib(st.GetServing().GetBudgetUsedBytes()))
	if raceEnabled {
		return // a race build's memory is several times a normal one's: logged only
	}
	if peak > bound {
		t.Errorf("server RSS peaked at %s, over the %s bound", mib(peak), mib(bound))
	}
	if p.exited() {
		t.Errorf("server exited during the test: %v\n%s", p.waitErr, p.log)
	}
}
