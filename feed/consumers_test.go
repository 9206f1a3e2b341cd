package feed

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/starlight/dataserver/sampling"
)

// TestConsumersRequestedOverTheSameSamples: a consumer that asked for 1:0:0
// in one stream and 0:1:0 in another, with three times the samples in the
// second, shows a requested mix over those samples (1/4, 3/4), beside the
// served one; not the last request's mix beside the cumulative served one.
func TestConsumersRequestedOverTheSameSamples(t *testing.T) {
	var cs Consumers
	_, endA := cs.Start("t", sampling.Mix{1, 0, 0})
	if got, _ := cs.Snapshot(); got[0].Requested != [3]float64{1, 0, 0} {
		t.Errorf("before a batch: requested %v, want the request's mix", got[0].Requested)
	}
	cs.Served("t", sampling.Mix{1, 0, 0}, [3]int{4, 0, 0})
	endA()
	_, endB := cs.Start("t", sampling.Mix{0, 1, 0})
	for i := 0; i < 3; i++ {
		cs.Served("t", sampling.Mix{0, 1, 0}, [3]int{0, 4, 0})
	}
	got, active := cs.Snapshot()
	if active != 1 || len(got) != 1 {
		t.Fatalf("%d consumers, %d active", len(got), active)
	}
	c := got[0]
	want := [3]float64{0.25, 0.75, 0}
	for k := range want {
		if math.Abs(c.Requested[k]-want[k]) > 1e-12 || math.Abs(c.ServedShares()[k]-want[k]) > 1e-12 {
			t.Errorf("kind %d: requested %v, served %v, want %v for both", k, c.Requested, c.ServedShares(), want)
		}
	}
	endB()
	endB()
	if _, active := cs.Snapshot(); active != 0 {
		t.Errorf("%d active after both ended", active)
	}
}

// TestConsumersBounded: beyond the cap, consumers are tallied under
// OtherConsumer; idle entries are forgotten after the idle bound (and
// reported), those with a stream running never.
func TestConsumersBounded(t *testing.T) {
	now := time.Unix(1000, 0)
	var forgot []string
	cs := &Consumers{Max: 4, Idle: time.Minute, OnForget: func(n string) { forgot = append(forgot, n) }}
	cs.clock = func() time.Time { return now }
	var ends []func()
	for i := 0; i < 6; i++ {
		label, end := cs.Start(fmt.Sprint("c", i), sampling.Mix{1, 1, 1})
		want := fmt.Sprint("c", i)
		if i >= 3 {
			want = OtherConsumer
		}
		if label != want {
			t.Fatalf("consumer %d tallied as %q, want %q", i, label, want)
		}
		cs.Served(label, sampling.Mix{1, 1, 1}, [3]int{1, 0, 0})
		ends = append(ends, end)
	}
	figs, active := cs.Snapshot()
	if len(figs) != 4 || active != 6 {
		t.Fatalf("%d entries, %d active: %+v", len(figs), active, figs)
	}
	for _, f := range figs {
		if f.Name == OtherConsumer && (f.ActiveStreams != 3 || f.Batches != 3) {
			t.Fatalf("other bucket: %+v", f)
		}
	}
	ends[0]()
	now = now.Add(2 * time.Minute)
	figs, _ = cs.Snapshot()
	if len(figs) != 3 || len(forgot) != 1 || forgot[0] != "c0" {
		t.Fatalf("after c0 went idle: %d entries, forgot %v", len(figs), forgot)
	}
	if label, _ := cs.Start("c9", sampling.Mix{}); label != "c9" {
		t.Fatalf("a new consumer after one expired is tallied as %q", label)
	}
}
