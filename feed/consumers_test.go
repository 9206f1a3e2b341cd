package feed

import (
	"math"
	"testing"

	"github.com/starlight/dataserver/sampling"
)

// TestConsumersRequestedOverTheSameSamples: a consumer that asked for 1:0:0
// in one stream and 0:1:0 in another, with three times the samples in the
// second, shows a requested mix over those samples (1/4, 3/4), beside the
// served one; not the last request's mix beside the cumulative served one.
func TestConsumersRequestedOverTheSameSamples(t *testing.T) {
	var cs Consumers
	endA := cs.Start("t", sampling.Mix{1, 0, 0})
	if got, _ := cs.Snapshot(); got[0].Requested != [3]float64{1, 0, 0} {
		t.Errorf("before a batch: requested %v, want the request's mix", got[0].Requested)
	}
	cs.Served("t", sampling.Mix{1, 0, 0}, [3]int{4, 0, 0})
	endA()
	endB := cs.Start("t", sampling.Mix{0, 1, 0})
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
