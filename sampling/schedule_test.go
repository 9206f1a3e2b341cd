package sampling

import (
	"errors"
	"slices"
	"testing"

	"github.com/starlight/dataserver/index"
)

var shape = corpusShape(40, [5]int{9, 5, 12, 7, 20}, 16)

func TestScheduleIsPureFunctionOfInputs(t *testing.T) {
	p := Params{Seed: 42, Epoch: 3, Mix: Mix{1, 1, 1}, BatchSize: 16, World: 2, Rank: 1}
	a := mustNew(t, shape, p)
	// Another replica lists the samples in another order and writes the mix as 5:5:5.
	q := p
	q.Mix = Mix{5, 5, 5}
	b := mustNew(t, shuffled(shape, 9), q)
	if a.BatchesPerEpoch() != b.BatchesPerEpoch() || a.Len() != b.Len() {
		t.Fatalf("epoch shapes differ: %d/%d vs %d/%d", a.BatchesPerEpoch(), a.Len(), b.BatchesPerEpoch(), b.Len())
	}
	for bi := range a.BatchesPerEpoch() {
		x, y := a.Batch(bi), b.Batch(bi)
		if len(x) != p.BatchSize || len(y) != p.BatchSize {
			t.Fatalf("batch %d sizes %d, %d", bi, len(x), len(y))
		}
		for i := range x {
			if key(x[i]) != key(y[i]) || x[i].Kind != y[i].Kind || x[i].Position != y[i].Position {
				t.Fatalf("batch %d draw %d differs: %s vs %s", bi, i, key(x[i]), key(y[i]))
			}
		}
	}
}

func TestSeedsAndEpochsChangeTheOrder(t *testing.T) {
	base := Params{Seed: 1, Epoch: 0, BatchSize: 8, World: 1}
	order := func(p Params) []string {
		var out []string
		for _, b := range epoch(mustNew(t, shape, p)) {
			for _, d := range b {
				out = append(out, key(d))
			}
		}
		return out
	}
	ref := order(base)
	for _, p := range []Params{
		{Seed: 2, Epoch: 0, BatchSize: 8, World: 1},
		{Seed: 1, Epoch: 1, BatchSize: 8, World: 1},
		{Seed: 1 << 40, Epoch: 0, BatchSize: 8, World: 1},
	} {
		got := order(p)
		same := 0
		for i := range ref {
			if ref[i] == got[i] {
				same++
			}
		}
		// The kinds sit at the same positions, so a third of the draws at most
		// could match by chance within a pool; a real reshuffle matches far fewer.
		if same > len(ref)/5 {
			t.Errorf("seed %d epoch %d: %d of %d draws equal to seed 1 epoch 0", p.Seed, p.Epoch, same, len(ref))
		}
	}
}

func TestBatchesHoldTheMix(t *testing.T) {
	for _, tc := range []struct {
		mix   Mix
		batch int
	}{
		{Mix{1, 1, 1}, 32}, {Mix{1, 1, 1}, 30}, {Mix{1, 2, 1}, 8}, {Mix{2, 3, 5}, 20},
		{Mix{1, 1, 0}, 7}, {Mix{0, 1, 0}, 4}, {Mix{3, 3, 2}, 1}, {Mix{7, 1, 1}, 64},
	} {
		s := mustNew(t, shape, Params{Seed: 5, Mix: tc.mix, BatchSize: tc.batch, World: 1})
		W := uint64(tc.mix.Sum())
		var tally Tally
		for b, draws := range epoch(s) {
			var got [NumKinds]uint64
			for _, d := range draws {
				got[d.Kind]++
				if d.Sample.Kind != d.Kind || !d.Sample.Accepted {
					t.Fatalf("mix %s: draw %+v has sample kind %s accepted %t", tc.mix, d, d.Sample.Kind, d.Sample.Accepted)
				}
			}
			for k := range NumKinds {
				num := uint64(tc.batch) * uint64(tc.mix[k])
				lo, hi := num/W, (num+W-1)/W
				// Within one of the best integer split either way.
				if got[k]+1 < lo || got[k] > hi+1 {
					t.Errorf("mix %s batch size %d: batch %d has %d of kind %d, ideal %d..%d", tc.mix, tc.batch, b, got[k], k, lo, hi)
				}
			}
			tally.Add(draws)
		}
		shares := tally.Shares()
		for k, want := range tc.mix.Shares() {
			if d := shares[k] - want; d > 0.01 || d < -0.01 {
				t.Errorf("mix %s: epoch share of kind %d is %.4f, want %.4f", tc.mix, k, shares[k], want)
			}
		}
		for k := range NumKinds {
			if tally.Counts[k] != s.DrawsPerEpoch(index.Kind(k)) {
				t.Errorf("mix %s: counted %d of kind %d, DrawsPerEpoch says %d", tc.mix, tally.Counts[k], k, s.DrawsPerEpoch(index.Kind(k)))
			}
		}
	}
}

// TestEpochCoverage checks that every served sample of every kind with a
// positive weight appears at least once per epoch, that the dominant pool is
// drawn once (plus at most the rounding to whole batches), and that only
// accepted samples are drawn.
func TestEpochCoverage(t *testing.T) {
	for _, tc := range []struct {
		mix          Mix
		classBalance bool
	}{
		{Mix{1, 1, 1}, false}, {Mix{1, 1, 1}, true}, {Mix{1, 3, 1}, false}, {Mix{2, 1, 1}, true}, {Mix{1, 1, 4}, false},
	} {
		p := Params{Seed: 11, Epoch: 2, Mix: tc.mix, BatchSize: 10, World: 1, ClassBalance: tc.classBalance}
		s := mustNew(t, shape, p)
		pools := s.Pools()
		seen := map[string]int{}
		var kindDraws [NumKinds][]string
		for _, b := range epoch(s) {
			for _, d := range b {
				seen[key(d)]++
				kindDraws[d.Kind] = append(kindDraws[d.Kind], key(d))
			}
		}
		for _, smp := range shape {
			if !smp.Accepted {
				if seen[smp.ID+" "+smp.Path] > 0 {
					t.Errorf("mix %s: rejected %s was drawn", tc.mix, smp.Path)
				}
				continue
			}
			if tc.mix[smp.Kind] > 0 && seen[smp.ID+" "+smp.Path] == 0 {
				t.Errorf("mix %s balance %t: %s (%s) never drawn in the epoch", tc.mix, tc.classBalance, smp.Path, smp.Kind)
			}
		}
		// The dominant kind: the one whose covering needs the most positions.
		W := tc.mix.Sum()
		dominant, need := 0, uint64(0)
		for k := range NumKinds {
			eff := uint64(pools.Len(index.Kind(k)))
			if k == int(index.KindStego) && tc.classBalance {
				_, sizes := pools.Classes()
				eff = uint64(len(sizes)) * uint64(slices.Max(sizes))
			}
			if n := (eff*W + uint64(tc.mix[k]) - 1) / uint64(tc.mix[k]); n > need {
				dominant, need = k, n
			}
		}
		if tc.classBalance && dominant == int(index.KindStego) {
			continue // classes are upsampled among themselves
		}
		n := pools.Len(index.Kind(dominant))
		first := kindDraws[dominant][:n]
		if u := len(uniq(first)); u != n {
			t.Errorf("mix %s: the first %d draws of dominant kind %d hold %d distinct samples", tc.mix, n, dominant, u)
		}
		extra := len(kindDraws[dominant]) - n
		if limit := p.BatchSize*p.World*int(tc.mix[dominant])/int(W) + 1; extra < 0 || extra > limit {
			t.Errorf("mix %s: dominant kind %d drawn %d times beyond its pool of %d, want 0..%d", tc.mix, dominant, extra, n, limit)
		}
	}
}

func uniq(xs []string) map[string]bool {
	m := map[string]bool{}
	for _, x := range xs {
		m[x] = true
	}
	return m
}

func TestClassBalanceRoundRobin(t *testing.T) {
	s := mustNew(t, shape, Params{Seed: 3, Mix: Mix{0, 1, 0}, BatchSize: 5, World: 1, ClassBalance: true})
	var classes []int
	for _, b := range epoch(s) {
		for _, d := range b {
			classes = append(classes, d.Sample.Class)
		}
	}
	for i, c := range classes {
		if c != i%5 {
			t.Fatalf("stego draw %d has class %d, want %d (round robin over 0..4)", i, c, i%5)
		}
	}
	// The largest class (20 raw samples) is covered once: 5*20 draws.
	if len(classes) != 100 {
		t.Errorf("epoch of %d stego draws, want 100", len(classes))
	}
}

func TestRanksAreDisjointAndCover(t *testing.T) {
	for _, world := range []int{1, 2, 3, 8} {
		const B = 6
		single := mustNew(t, shape, Params{Seed: 8, Epoch: 1, BatchSize: B, World: 1})
		var all []uint64
		per := -1
		for r := range world {
			s := mustNew(t, shape, Params{Seed: 8, Epoch: 1, BatchSize: B, World: world, Rank: r})
			if per >= 0 && s.BatchesPerEpoch() != per {
				t.Fatalf("world %d: rank %d gets %d batches, rank 0 %d", world, r, s.BatchesPerEpoch(), per)
			}
			per = s.BatchesPerEpoch()
			if s.Batch(per) != nil || s.Batch(-1) != nil {
				t.Fatalf("world %d: batch out of range is not nil", world)
			}
			for bi, b := range epoch(s) {
				if want := uint64((bi*world + r) * B); b[0].Position != want {
					t.Fatalf("world %d rank %d batch %d starts at %d, want global batch %d at %d", world, r, bi, b[0].Position, bi*world+r, want)
				}
				if len(b) != B {
					t.Fatalf("world %d rank %d: batch of %d", world, r, len(b))
				}
				for _, d := range b {
					all = append(all, d.Position)
					if d.Position < single.Len() && key(single.At(d.Position)) != key(d) {
						t.Fatalf("world %d rank %d: position %d holds %s, single-rank schedule %s", world, r, d.Position, key(d), key(single.At(d.Position)))
					}
				}
			}
		}
		slices.Sort(all)
		for i, pos := range all {
			if pos != uint64(i) {
				t.Fatalf("world %d: positions not exactly 0..%d (index %d holds %d)", world, len(all)-1, i, pos)
			}
		}
		if uint64(len(all)) < single.Len() {
			t.Errorf("world %d: ranks cover %d positions, the single-rank epoch has %d", world, len(all), single.Len())
		}
	}
}

func TestResumeFromAnyCursor(t *testing.T) {
	const snap = "5e1f0c3c9a7b2d4e6f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6"
	p := Params{Seed: 99, Epoch: 4, Mix: Mix{2, 2, 1}, BatchSize: 9, World: 3, Rank: 2, ClassBalance: true}
	s := mustNew(t, shape, p)
	full := epoch(s)
	for stop := 0; stop < len(full); stop++ {
		text := s.Cursor(snap, stop+1).Encode()
		// A restarted server: fresh pools from another listing of the same snapshot.
		c, err := ParseCursor(text)
		if err != nil {
			t.Fatalf("cursor after batch %d: %v", stop, err)
		}
		if err := c.Check(snap, p); err != nil {
			t.Fatalf("cursor after batch %d: %v", stop, err)
		}
		r := mustNew(t, shuffled(shape, uint64(stop)), c.Params)
		var got [][]Draw
		for b := int(c.NextBatch); b < r.BatchesPerEpoch(); b++ {
			got = append(got, r.Batch(b))
		}
		tail := full[stop+1:]
		if len(got) != len(tail) {
			t.Fatalf("resume after %d: %d batches, want %d", stop, len(got), len(tail))
		}
		for i := range tail {
			for j := range tail[i] {
				if key(got[i][j]) != key(tail[i][j]) || got[i][j].Position != tail[i][j].Position {
					t.Fatalf("resume after %d: batch %d draw %d differs", stop, stop+1+i, j)
				}
			}
		}
	}
	// At the end of the epoch the cursor rolls over to the next epoch's start.
	end := s.Cursor(snap, s.BatchesPerEpoch()).Rollover(s.BatchesPerEpoch())
	if end.Epoch != p.Epoch+1 || end.NextBatch != 0 {
		t.Errorf("rollover: epoch %d next %d", end.Epoch, end.NextBatch)
	}
	if mid := s.Cursor(snap, 1).Rollover(s.BatchesPerEpoch()); mid.Epoch != p.Epoch || mid.NextBatch != 1 {
		t.Errorf("rollover moved a mid-epoch cursor: %+v", mid)
	}
}

func TestNewRejects(t *testing.T) {
	pools := NewPools(shape)
	onlyClean := NewPools(corpusShape(3, [5]int{}, 0))
	for _, tc := range []struct {
		pools *Pools
		p     Params
		want  error
	}{
		{pools, Params{BatchSize: 0, World: 1}, ErrInvalidParams},
		{pools, Params{BatchSize: MaxBatchSize + 1, World: 1}, ErrInvalidParams},
		{pools, Params{BatchSize: 4, World: 0}, ErrInvalidParams},
		{pools, Params{BatchSize: 4, World: 2, Rank: 2}, ErrInvalidParams},
		{pools, Params{BatchSize: 4, World: 2, Rank: -1}, ErrInvalidParams},
		{pools, Params{BatchSize: 4, World: MaxWorld + 1}, ErrInvalidParams},
		{pools, Params{BatchSize: 4, World: 1, Mix: Mix{1000, 30, 1}}, ErrInvalidParams},
		{onlyClean, Params{BatchSize: 4, World: 1}, ErrEmptyPool},
		{onlyClean, Params{BatchSize: 4, World: 1, Mix: Mix{1, 0, 1}}, ErrEmptyPool},
	} {
		_, err := New(tc.pools, tc.p)
		if !errors.Is(err, tc.want) {
			t.Errorf("New(%+v): err %v, want %v", tc.p, err, tc.want)
		}
	}
	if _, err := New(onlyClean, Params{BatchSize: 4, World: 1, Mix: Mix{1, 0, 0}}); err != nil {
		t.Errorf("clean-only mix over clean-only pools: %v", err)
	}
	// Large weights that reduce by their gcd are fine.
	if _, err := New(pools, Params{BatchSize: 4, World: 1, Mix: Mix{3000, 3000, 1000}}); err != nil {
		t.Errorf("mix 3000:3000:1000: %v", err)
	}
}

// TestUpsampledPoolsCycleWithFreshShuffles checks that a minority pool is read
// in whole cycles, each a permutation of the pool, each in a new order.
func TestUpsampledPoolsCycleWithFreshShuffles(t *testing.T) {
	s := mustNew(t, shape, Params{Seed: 21, Epoch: 5, BatchSize: 4, World: 1})
	var negs []Draw
	for _, b := range epoch(s) {
		for _, d := range b {
			if d.Kind == index.KindNegative {
				negs = append(negs, d)
			}
		}
	}
	n := s.Pools().Len(index.KindNegative)
	if len(negs) < 3*n {
		t.Fatalf("%d negative draws for a pool of %d: expected upsampling to at least 3 cycles", len(negs), n)
	}
	var orders [][]string
	for c := 0; (c+1)*n <= len(negs); c++ {
		var order []string
		for i, d := range negs[c*n : (c+1)*n] {
			if d.Cycle != uint64(c) {
				t.Fatalf("negative draw %d of cycle %d says cycle %d", c*n+i, c, d.Cycle)
			}
			order = append(order, key(d))
		}
		if len(uniq(order)) != n {
			t.Fatalf("cycle %d holds %d distinct of %d negatives", c, len(uniq(order)), n)
		}
		orders = append(orders, order)
	}
	for c := 1; c < len(orders); c++ {
		if slices.Equal(orders[c], orders[c-1]) {
			t.Errorf("cycles %d and %d have the same order", c-1, c)
		}
	}
}
