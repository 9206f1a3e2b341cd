package feed

import (
	"fmt"
	"testing"
	"time"

	"github.com/starlight/dataserver/sampling"
)

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
		cs.Served(label, [3]int{1, 0, 0})
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
