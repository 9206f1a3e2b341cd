package sampling

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/starlight/dataserver/index"
)

// checkPairBatch checks one batch of a pairing schedule: its size, every
// pair a cover followed by stegos of that cover, contiguous and numbered in
// order, and every stego inside a pair. It returns the stegos drawn.
func checkPairBatch(t *testing.T, p Params, b []Draw) []string {
	t.Helper()
	if len(b) != p.BatchSize {
		t.Fatalf("batch of %d draws, want %d", len(b), p.BatchSize)
	}
	var stegos []string
	next := 0
	for i := 0; i < len(b); {
		d := b[i]
		if d.Pair < 0 {
			if d.Kind == index.KindStego {
				t.Fatalf("draw %d: stego %s outside a pair", i, d.Sample.Path)
			}
			i++
			continue
		}
		if d.Pair != next || d.Kind != index.KindClean || d.Unit != d.Position {
			t.Fatalf("draw %d: pair %d kind %v unit %d at %d, want pair %d to start with its cover", i, d.Pair, d.Kind, d.Unit, d.Position, next)
		}
		cover := d.Sample
		j := i + 1
		for ; j < len(b) && b[j].Pair == d.Pair; j++ {
			s := b[j]
			if s.Kind != index.KindStego || s.Sample.CoverPath != cover.Path || s.Sample.CoverID != cover.ID || s.Unit != d.Position || s.Transform != d.Transform {
				t.Fatalf("pair %d member %s (kind %v, cover %s) with cover %s", d.Pair, s.Sample.Path, s.Kind, s.Sample.CoverPath, cover.Path)
			}
			stegos = append(stegos, s.Sample.ID+" "+s.Sample.Path)
		}
		if n := j - i - 1; n < 1 || n > p.StegosPerCover {
			t.Fatalf("pair %d holds %d stegos, want 1..%d", d.Pair, n, p.StegosPerCover)
		}
		next++
		i = j
	}
	for _, d := range b {
		if d.Pair >= next {
			t.Fatalf("pair %d split or out of order", d.Pair)
		}
	}
	return stegos
}

// pairedStegos returns the stegos pairing may serve.
func pairedStegos(samples []index.Sample) map[string]bool {
	covers := map[string]string{}
	for _, s := range samples {
		if s.Accepted && s.Kind == index.KindClean {
			covers[s.Path] = s.ID
		}
	}
	out := map[string]bool{}
	for _, s := range samples {
		if s.Accepted && s.Kind == index.KindStego && s.CoverPath != "" && covers[s.CoverPath] == s.CoverID {
			out[s.ID+" "+s.Path] = true
		}
	}
	return out
}

func TestPairingOverTrainset(t *testing.T) {
	samples := trainsetSamples(t)
	pools := NewPools(samples)
	want := pairedStegos(samples)
	if len(want) < 1000 {
		t.Fatalf("trainset has %d paired stegos, expected well over 1000", len(want))
	}
	t.Logf("trainset: %d paired stegos, %d unpaired", len(want), pools.UnpairedStegos())
	if got := pools.Len(index.KindStego) - len(want); got != pools.UnpairedStegos() {
		t.Fatalf("UnpairedStegos %d, want %d", pools.UnpairedStegos(), got)
	}
	for _, p := range []Params{
		{Seed: 1, Epoch: 0, BatchSize: 8, World: 1, Pairing: true},
		{Seed: 2, Epoch: 3, BatchSize: 16, World: 4, Pairing: true, Augment: true},
		{Seed: 3, Epoch: 1, BatchSize: 7, World: 2, Pairing: true, Mix: Mix{0, 1, 0}},
		{Seed: 4, Epoch: 0, BatchSize: 10, World: 3, Pairing: true, StegosPerCover: 4, Mix: Mix{1, 2, 1}},
		{Seed: 5, Epoch: 2, BatchSize: 9, World: 4, Pairing: true, StegosPerCover: 2, ClassBalance: true},
	} {
		t.Run(fmt.Sprintf("B%d_W%d_k%d_mix%s_cb%t", p.BatchSize, p.World, p.StegosPerCover, p.Mix, p.ClassBalance), func(t *testing.T) {
			seen := map[string]int{}
			positions := map[uint64]bool{}
			var per int
			for r := range p.World {
				q := p
				q.Rank = r
				s, err := New(pools, q)
				if err != nil {
					t.Fatal(err)
				}
				if r == 0 {
					per = s.BatchesPerEpoch()
				} else if s.BatchesPerEpoch() != per {
					t.Fatalf("rank %d has %d batches, rank 0 %d", r, s.BatchesPerEpoch(), per)
				}
				for b := range per {
					batch := s.Batch(b)
					for _, st := range checkPairBatch(t, s.Params(), batch) {
						seen[st]++
					}
					for _, d := range batch {
						if positions[d.Position] {
							t.Fatalf("position %d served to two ranks", d.Position)
						}
						positions[d.Position] = true
						if !p.Augment && d.Transform != 0 {
							t.Fatalf("transform %d without augmentation", d.Transform)
						}
					}
				}
			}
			if uint64(len(positions)) != uint64(per*p.World*p.BatchSize) {
				t.Fatalf("%d positions, want %d", len(positions), per*p.World*p.BatchSize)
			}
			for st := range seen {
				if !want[st] {
					t.Fatalf("stego %s served without its cover", st)
				}
			}
			for st := range want {
				n := seen[st]
				if n == 0 || (!p.ClassBalance && n != 1) {
					t.Fatalf("stego %s drawn %d times in the epoch, want once", st, n)
				}
			}
		})
	}
}

func TestPairingLeavesOutStegosWithoutCover(t *testing.T) {
	samples := pairShape()
	pools := NewPools(samples)
	if got := pools.UnpairedStegos(); got != 3 {
		t.Fatalf("UnpairedStegos %d, want 3 (no cover, rejected cover, other content)", got)
	}
	s, err := New(pools, Params{Seed: 9, BatchSize: 5, World: 1, Pairing: true, StegosPerCover: 3})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for b := range s.BatchesPerEpoch() {
		for _, st := range checkPairBatch(t, s.Params(), s.Batch(b)) {
			seen[st]++
		}
	}
	want := pairedStegos(samples)
	if len(seen) != len(want) {
		t.Fatalf("%d stegos served, want the %d paired ones", len(seen), len(want))
	}
	for st, n := range seen {
		if !want[st] || n != 1 {
			t.Fatalf("stego %s served %d times (paired %t)", st, n, want[st])
		}
	}
}

func TestPairingRefusesWhatCannotFit(t *testing.T) {
	pools := NewPools(pairShape())
	for _, p := range []Params{
		{BatchSize: 3, World: 1, Pairing: true, StegosPerCover: 3},
		{BatchSize: 4, World: 1, Pairing: true, Mix: Mix{1, 0, 1}},
	} {
		if _, err := New(pools, p); err == nil {
			t.Errorf("New(%+v) accepted", p)
		}
	}
	if _, err := New(NewPools(shape), Params{BatchSize: 4, World: 1, Pairing: true}); err == nil {
		t.Errorf("pairing with no cover named was accepted")
	}
}

// pairShape is a tree where stegos name their covers: 12 covers with 0..5
// stegos each of varying classes, negatives, and three stegos that cannot pair.
func pairShape() []index.Sample {
	samples := corpusShape(12, [5]int{}, 9)
	var covers []index.Sample
	for _, s := range samples {
		if s.Kind == index.KindClean && s.Accepted && s.Path[0] == 'a' {
			covers = append(covers, s)
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	stego := func(name string, cover index.Sample, class int) index.Sample {
		x := index.Sample{ID: fmt.Sprintf("%064x", r.Uint64()), Path: "a_submission_2025/stego/" + name, Kind: index.KindStego,
			Class: class, Accepted: true, CoverPath: cover.Path, CoverID: cover.ID}
		return x
	}
	for i, c := range covers {
		for j := range i % 6 {
			samples = append(samples, stego(fmt.Sprintf("s%02d_%d.png", i, j), c, (i+j)%5))
		}
	}
	rejected := index.Sample{ID: fmt.Sprintf("%064x", 1), Path: "a_submission_2025/clean/rejected.png", Kind: index.KindClean}
	samples = append(samples, rejected, stego("orphan.png", index.Sample{}, 1), stego("of_rejected.png", rejected, 2))
	other := stego("other_content.png", covers[1], 3)
	other.CoverID = fmt.Sprintf("%064x", 2)
	return append(samples, other)
}

// consumer runs R ranks of W DataLoader workers the way the Python client
// does: worker stream s of rank r is global rank s*R + r of world R*W, and
// each rank takes its streams' batches round robin.
type consumer struct{ ranks, workers int }

// take returns the draws of the first t steps of every rank (t batches per
// rank), and one rank's last cursor with the elastic count to resume from.
func (c consumer) take(t *testing.T, pools *Pools, p Params, base uint64, steps int) ([]Draw, string) {
	var out []Draw
	var last Cursor
	for r := range c.ranks {
		for step := range steps {
			s, b := step%c.workers, step/c.workers
			q := p
			q.World, q.Rank = c.ranks*c.workers, s*c.ranks+r
			sched, err := New(pools, q)
			if err != nil {
				t.Fatal(err)
			}
			sched = sched.Rebased(base)
			if b >= sched.BatchesPerEpoch() {
				t.Fatalf("step %d beyond the epoch (%d batches per stream)", step, sched.BatchesPerEpoch())
			}
			out = append(out, sched.Batch(b)...)
			last = sched.Cursor("snap", b+1)
		}
	}
	return out, ElasticCursor(last.Encode(), uint64(steps*c.ranks))
}

// rest returns the draws from an elastic cursor to the end of its epoch for
// every stream of c.
func (c consumer) rest(t *testing.T, pools *Pools, p Params, cursor string) []Draw {
	cur, err := ParseCursor(cursor)
	if err != nil {
		t.Fatal(err)
	}
	var out []Draw
	for r := range c.ranks * c.workers {
		q := p
		q.World, q.Rank = c.ranks*c.workers, r
		if err := cur.Check("snap", q); err != nil {
			t.Fatal(err)
		}
		start, err := cur.Resume(pools, q)
		if err != nil {
			t.Fatal(err)
		}
		if start.Epoch != p.Epoch {
			continue
		}
		sched, err := New(pools, q)
		if err != nil {
			t.Fatal(err)
		}
		sched = sched.Rebased(start.Base)
		for b := start.Batch; b < sched.BatchesPerEpoch(); b++ {
			out = append(out, sched.Batch(b)...)
		}
	}
	return out
}

func TestElasticResumeCoversTheEpochOnce(t *testing.T) {
	samples := trainsetSamples(t)
	pools := NewPools(samples)
	rng := rand.New(rand.NewPCG(11, 12))
	for _, tc := range []struct {
		name     string
		from, to consumer
		p        Params
	}{
		{"ranks4to2", consumer{4, 1}, consumer{2, 1}, Params{Seed: 1, BatchSize: 8, Pairing: true, Augment: true}},
		{"ranks2to3", consumer{2, 1}, consumer{3, 1}, Params{Seed: 2, Epoch: 1, BatchSize: 6, Pairing: true, StegosPerCover: 3}},
		{"workers2to1", consumer{2, 2}, consumer{2, 1}, Params{Seed: 3, BatchSize: 5, Pairing: true, Mix: Mix{1, 1, 1}}},
		{"plain4to2", consumer{4, 1}, consumer{2, 1}, Params{Seed: 4, BatchSize: 16}},
		{"plainworkers2to1ranks1to3", consumer{1, 2}, consumer{3, 1}, Params{Seed: 5, BatchSize: 12, ClassBalance: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.p
			q.World = 1
			ref, err := New(pools, q)
			if err != nil {
				t.Fatal(err)
			}
			end := ref.GlobalBatches() * uint64(tc.p.BatchSize)
			want := map[uint64]string{}
			for b := range ref.BatchesPerEpoch() {
				for _, d := range ref.Batch(b) {
					if d.Position < end {
						want[d.Position] = d.Sample.ID
					}
				}
			}
			per := int((ref.GlobalBatches() + uint64(tc.from.ranks*tc.from.workers) - 1) / uint64(tc.from.ranks*tc.from.workers))
			for range 3 {
				steps := 1 + rng.IntN(per*tc.from.workers-1)
				before, cursor := tc.from.take(t, pools, tc.p, 0, steps)
				after := tc.to.rest(t, pools, tc.p, cursor)
				got := map[uint64]string{}
				for _, d := range append(before, after...) {
					if _, dup := got[d.Position]; dup {
						t.Fatalf("cut at step %d: position %d served twice", steps, d.Position)
					}
					got[d.Position] = d.Sample.ID
				}
				for pos, id := range want {
					if got[pos] != id {
						t.Fatalf("cut at step %d: position %d holds %q, the uninterrupted epoch %q", steps, pos, got[pos], id)
					}
				}
				extra := len(got) - len(want)
				if limit := (tc.from.ranks*tc.from.workers + tc.to.ranks*tc.to.workers) * tc.p.BatchSize; extra < 0 || extra > limit {
					t.Fatalf("cut at step %d: %d padding draws past the epoch, at most %d", steps, extra, limit)
				}
				for pos := range got {
					if _, ok := want[pos]; !ok && pos < end {
						t.Fatalf("position %d inside the epoch not in it", pos)
					}
				}
			}
		})
	}
}

func TestElasticCursorParsing(t *testing.T) {
	p := Params{Seed: 1, BatchSize: 4, World: 4, Rank: 3}
	c := Cursor{SnapshotID: "snap", Params: p.Normalized(), NextBatch: 2, Base: 7}
	text := c.Encode()
	got, err := ParseCursor(text)
	if err != nil || got != c {
		t.Fatalf("round trip %+v, %v; want %+v", got, err, c)
	}
	e, err := ParseCursor(ElasticCursor(text, 8))
	if err != nil || !e.Elastic || e.Consumed != 8 || e.Base != 7 {
		t.Fatalf("elastic %+v, %v", e, err)
	}
	q := p
	q.World, q.Rank = 3, 0
	if err := got.Check("snap", q); err == nil {
		t.Fatal("a plain cursor resumed another world")
	}
	if err := e.Check("snap", q); err != nil {
		t.Fatalf("elastic cursor refused another world: %v", err)
	}
	q.Seed = 2
	if err := e.Check("snap", q); err == nil {
		t.Fatal("elastic cursor accepted another seed")
	}
	for _, bad := range []string{text + ".", text + ".x", text + ".01", text + ".-1", text + ".1.2", text + ".99999999999999999999"} {
		if _, err := ParseCursor(bad); err == nil {
			t.Errorf("ParseCursor(%q) accepted", bad)
		}
	}
	// Rank 3 of 4 at batch 2 took global batches 3 and 7 of its division:
	// the consumed prefix reaches past 7 and not past 11.
	pools := NewPools(shape)
	for consumed, ok := range map[uint64]bool{7: false, 8: true, 11: true, 12: false} {
		c := e
		c.Consumed = consumed
		if _, err := c.Resume(pools, q); (err == nil) != ok {
			t.Errorf("consumed %d: %v", consumed, err)
		}
	}
}

func TestPairingResumesFromAnyCursor(t *testing.T) {
	pools := NewPools(trainsetSamples(t))
	rng := rand.New(rand.NewPCG(5, 6))
	for _, p := range []Params{
		{Seed: 7, Epoch: 2, BatchSize: 12, World: 3, Rank: 1, Pairing: true, StegosPerCover: 3, Augment: true},
		{Seed: 8, BatchSize: 5, World: 2, Rank: 0, Pairing: true, ClassBalance: true},
	} {
		for _, base := range []uint64{0, 17} {
			s, err := New(pools, p)
			if err != nil {
				t.Fatal(err)
			}
			s = s.Rebased(base)
			for range 20 {
				b := rng.IntN(s.BatchesPerEpoch())
				cur, err := ParseCursor(s.Cursor("snap", b).Encode())
				if err != nil {
					t.Fatal(err)
				}
				if err := cur.Check("snap", p); err != nil {
					t.Fatal(err)
				}
				start, err := cur.Resume(pools, p)
				if err != nil || start.Epoch != p.Epoch || start.Base != base || start.Batch != b {
					t.Fatalf("resume at batch %d base %d: %+v, %v", b, base, start, err)
				}
				q := p
				q.Epoch = start.Epoch
				r, err := New(pools, q)
				if err != nil {
					t.Fatal(err)
				}
				got, want := r.Rebased(start.Base).Batch(start.Batch), s.Batch(b)
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("batch %d draw %d: resumed %+v, uninterrupted %+v", b, i, got[i], want[i])
					}
				}
			}
		}
	}
}
