package sampling

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/starlight/dataserver/index"
)

// pairedNegativesShape is a tree for pairing with mining: covers with 1..3
// stegos each (classes in turn), naming their covers, and many negatives.
func pairedNegativesShape(covers, negatives int) []index.Sample {
	samples := corpusShape(covers, [5]int{}, negatives)
	r := rand.New(rand.NewPCG(9, 10))
	var out []index.Sample
	for i, c := range samples {
		if c.Kind != index.KindClean || !c.Accepted || c.Path[0] != 'a' {
			continue
		}
		for j := range 1 + i%3 {
			out = append(out, index.Sample{ID: fmt.Sprintf("%064x", r.Uint64()), Kind: index.KindStego, Class: (i + j) % 5, Accepted: true,
				Path: fmt.Sprintf("a_submission_2025/stego/s%04d_%d.png", i, j), CoverPath: c.Path, CoverID: c.ID})
		}
	}
	return append(samples, out...)
}

func pairMinedParams(seed uint64) Params {
	return Params{Seed: seed, Epoch: 2, Mix: Mix{0, 1, 3}, BatchSize: 10, World: 1, Pairing: true, StegosPerCover: 2, Augment: true,
		Mining: Mining{Run: "pairs", Strength: 4, FirstEpoch: 1}}
}

// TestPairingWithMining: pairing mines its negatives only. Against the same
// schedule without mining, every pair unit is the same draw in the same
// place (cover and its own stegos, same transform), each paired stego once
// per epoch; the negatives stay single units in the same places, with their
// own transforms, but are drawn by their weights: the hardest tenth (loss
// 100 against 1) rises from a tenth of the draws to what strength 4 implies
// (weight 2 against 1) and never above the bound. Weight shows the
// negatives' weights and 1 for pair members.
func TestPairingWithMining(t *testing.T) {
	samples := pairedNegativesShape(300, 2000)
	pools := NewPools(samples)
	tab, top := negativesTable(t, samples, func(i int) float32 {
		if i%10 == 3 {
			return 100
		}
		return 1
	})
	paired := pairedStegos(samples)
	hits, draws, changed := 0, 0, 0
	for seed := uint64(1); seed <= 8; seed++ {
		p := pairMinedParams(seed)
		mined, err := NewMined(pools, p, tab)
		if err != nil {
			t.Fatal(err)
		}
		if mined.Params().Mining.State != tab.ID() {
			t.Fatalf("pairing schedule names state %q, want %q", mined.Params().Mining.State, tab.ID())
		}
		q := p
		q.Mining = Mining{}
		plain, err := New(pools, q)
		if err != nil {
			t.Fatal(err)
		}
		if mined.BatchesPerEpoch() != plain.BatchesPerEpoch() || mined.PairUnits() != plain.PairUnits() {
			t.Fatalf("mining changed the epoch's shape: %d batches %d units, without mining %d and %d",
				mined.BatchesPerEpoch(), mined.PairUnits(), plain.BatchesPerEpoch(), plain.PairUnits())
		}
		seen := map[string]int{}
		for b := range mined.BatchesPerEpoch() {
			mb, pb := mined.Batch(b), plain.Batch(b)
			for _, s := range checkPairBatch(t, p, mb) {
				seen[s]++
			}
			for i, d := range mb {
				u := pb[i]
				if d.Pair >= 0 {
					if d != u {
						t.Fatalf("seed %d batch %d draw %d: pair member %+v, without mining %+v", seed, b, i, d, u)
					}
					if w := mined.Weight(d); w != 1 {
						t.Fatalf("pair member %s weighs %v, want 1", d.Sample.Path, w)
					}
					continue
				}
				if d.Kind != index.KindNegative || d.Sample.Kind != index.KindNegative || u.Pair >= 0 || d.Unit != d.Position ||
					d.Position != u.Position || d.Transform != TransformOf(p.Seed, p.Epoch, d.Position) {
					t.Fatalf("seed %d batch %d draw %d: single %+v, without mining %+v", seed, b, i, d, u)
				}
				if d.Index != u.Index {
					changed++
				}
				draws++
				if top[d.Sample.ID] {
					hits++
					if w, easy := mined.Weight(d), mined.Weight(u); !top[u.Sample.ID] && math.Abs(w/easy-2) > 1e-6 {
						t.Fatalf("hard negative weighs %v, an easy one %v: want twice", w, easy)
					}
				}
			}
		}
		if len(seen) != len(paired) {
			t.Fatalf("seed %d: %d stegos paired in the epoch, %d pairable", seed, len(seen), len(paired))
		}
		for s, n := range seen {
			if n != 1 || !paired[s] {
				t.Fatalf("seed %d: stego %s drawn %d times (pairable %t), want once", seed, s, n, paired[s])
			}
		}
	}
	if changed == 0 {
		t.Fatal("mining changed no negative")
	}
	got := float64(hits) / float64(draws)
	want := 0.1 * 2 / (0.1*2 + 0.9)
	bound := 0.1 * 4 / (0.1*4 + 0.9)
	tol := 5 * math.Sqrt(want*(1-want)/float64(draws))
	t.Logf("pairing, mined negatives: hardest tenth %.4f of %d draws (uniform 0.1, expected %.4f ± %.4f, bound %.4f)", got, draws, want, tol, bound)
	if math.Abs(got-want) > tol || got > bound {
		t.Fatalf("hardest tenth drew %.4f of the negatives, want %.4f ± %.4f and never above %.4f", got, want, tol, bound)
	}
}

// minedBuild builds the schedule of p as the feed does for a resumed mined
// epoch: by the table the cursor's state names.
func minedBuild(t *testing.T, pools *Pools, p Params, tab *LossTable) *Schedule {
	t.Helper()
	s, err := NewMined(pools, p, tab)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// resumeShape resumes cur as the feed does: the shape without the mining
// state, which needs its table to build.
func resumeShape(t *testing.T, cur Cursor, pools *Pools, p Params) Start {
	t.Helper()
	if err := cur.Check("snap", p); err != nil {
		t.Fatal(err)
	}
	shape := cur
	shape.Mining.State = ""
	start, err := shape.Resume(pools, p)
	if err != nil {
		t.Fatal(err)
	}
	return start
}

// TestPairingWithMiningResumes: a mined pairing schedule resumed from any
// cursor of its epoch (plain, and with a base) goes on draw for draw as the
// uninterrupted one; resumed elastically from 4 ranks to 3, the two parts
// together are the uninterrupted epoch position by position, nothing twice.
func TestPairingWithMiningResumes(t *testing.T) {
	samples := pairedNegativesShape(60, 200)
	pools := NewPools(samples)
	tab, _ := negativesTable(t, samples, func(i int) float32 { return float32(i%37) / 7 })
	rng := rand.New(rand.NewPCG(7, 8))
	p := pairMinedParams(3)
	p.World, p.Rank = 3, 1
	for _, base := range []uint64{0, 5} {
		s := minedBuild(t, pools, p, tab).Rebased(base)
		for range 10 {
			b := rng.IntN(s.BatchesPerEpoch())
			cur, err := ParseCursor(s.Cursor("snap", b).Encode())
			if err != nil {
				t.Fatal(err)
			}
			if cur.Mining.State != tab.ID() {
				t.Fatalf("cursor names state %q, want %q", cur.Mining.State, tab.ID())
			}
			start := resumeShape(t, cur, pools, p)
			if start.Epoch != p.Epoch || start.Base != base || start.Batch != b {
				t.Fatalf("resume at batch %d base %d: %+v", b, base, start)
			}
			q := p
			q.Mining.State = cur.Mining.State
			got, want := minedBuild(t, pools, q, tab).Rebased(start.Base).Batch(start.Batch), s.Batch(b)
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("batch %d draw %d: resumed %+v, uninterrupted %+v", b, i, got[i], want[i])
				}
			}
		}
	}

	// Elastic: 4 ranks take a few steps, 3 ranks take the rest.
	whole := p
	whole.World, whole.Rank = 1, 0
	ref := minedBuild(t, pools, whole, tab)
	end := ref.GlobalBatches() * uint64(p.BatchSize)
	want := map[uint64]Draw{}
	for b := range ref.BatchesPerEpoch() {
		for _, d := range ref.Batch(b) {
			want[d.Position] = d
		}
	}
	got := map[uint64]Draw{}
	add := func(ds []Draw) {
		for _, d := range ds {
			if _, dup := got[d.Position]; dup {
				t.Fatalf("position %d served twice", d.Position)
			}
			got[d.Position] = d
		}
	}
	const steps = 2
	var last Cursor
	for r := range 4 {
		q := p
		q.World, q.Rank = 4, r
		s := minedBuild(t, pools, q, tab)
		for b := range steps {
			add(s.Batch(b))
		}
		last = s.Cursor("snap", steps)
	}
	cur, err := ParseCursor(ElasticCursor(last.Encode(), steps*4))
	if err != nil {
		t.Fatal(err)
	}
	for r := range 3 {
		q := p
		q.World, q.Rank = 3, r
		start := resumeShape(t, cur, pools, q)
		if start.Epoch != p.Epoch {
			t.Fatalf("elastic resume at epoch %d, want %d", start.Epoch, p.Epoch)
		}
		q.Mining.State = cur.Mining.State
		s := minedBuild(t, pools, q, tab).Rebased(start.Base)
		for b := start.Batch; b < s.BatchesPerEpoch(); b++ {
			add(s.Batch(b))
		}
	}
	for pos, w := range want {
		if pos < end && got[pos] != w {
			t.Fatalf("position %d: %+v after the elastic resume, %+v uninterrupted", pos, got[pos], w)
		}
	}
	for pos := range got {
		if _, ok := want[pos]; !ok && pos < end {
			t.Fatalf("position %d inside the epoch not in it", pos)
		}
	}
}

// TestMinedDrawsAreSingleUnits: a mined draw outside pairing is its own
// unit (Pair -1, Unit its position), so with augmentation each mined sample
// gets the transform of its own position, as an unmined one does.
func TestMinedDrawsAreSingleUnits(t *testing.T) {
	samples := corpusShape(40, [5]int{9, 8, 7, 6, 5}, 300)
	tab, _ := negativesTable(t, samples, func(i int) float32 { return float32(i%37) / 7 })
	p := Params{Seed: 4, Epoch: 3, BatchSize: 8, World: 2, Rank: 1, Augment: true, Mining: Mining{Run: "r", FirstEpoch: 1}}
	s, err := NewMined(NewPools(samples), p, tab)
	if err != nil {
		t.Fatal(err)
	}
	transforms := map[uint8]bool{}
	for _, b := range epoch(s) {
		for _, d := range b {
			if d.Pair != -1 || d.Unit != d.Position || d.Transform != TransformOf(p.Seed, p.Epoch, d.Position) {
				t.Fatalf("%s draw at %d: pair %d unit %d transform %d, want its own unit", d.Kind, d.Position, d.Pair, d.Unit, d.Transform)
			}
			if d.Kind == index.KindNegative {
				transforms[d.Transform] = true
			}
		}
	}
	if len(transforms) < 2 {
		t.Fatalf("every mined negative got the same transform %v", transforms)
	}
}
