package sampling

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/starlight/dataserver/index"
)

// negativesTable gives every served negative of samples a loss: the tenth
// with the highest loss (returned as a set of content ids) and the rest.
func negativesTable(t *testing.T, samples []index.Sample, loss func(i int) float32) (*LossTable, map[string]bool) {
	t.Helper()
	var entries []LossEntry
	seen := map[string]bool{}
	for _, s := range samples {
		if s.Kind == index.KindNegative && s.Accepted && !seen[s.ID] {
			seen[s.ID] = true
			entries = append(entries, LossEntry{ContentID: s.ID, Loss: loss(len(entries))})
		}
	}
	tab, err := NewLossTable(entries)
	if err != nil {
		t.Fatal(err)
	}
	sorted := slices.Clone(entries)
	slices.SortFunc(sorted, func(a, b LossEntry) int {
		if a.Loss != b.Loss {
			return -cmpFloat(a.Loss, b.Loss)
		}
		return cmpString(a.ContentID, b.ContentID)
	})
	top := map[string]bool{}
	for _, e := range sorted[:len(sorted)/10] {
		top[e.ContentID] = true
	}
	return tab, top
}

func cmpFloat(a, b float32) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func minedParams(seed, epoch uint64, strength float32) Params {
	return Params{Seed: seed, Epoch: epoch, Mix: Mix{0, 0, 1}, BatchSize: 50, World: 1,
		Mining: Mining{Run: "run-a", Strength: strength, FirstEpoch: 1}}
}

// share draws every batch of several seeds' epochs and returns the share of
// negatives drawn from top, and the number of draws.
func share(t *testing.T, samples []index.Sample, tab *LossTable, top map[string]bool, strength float32, ep uint64) (float64, int) {
	t.Helper()
	hits, n := 0, 0
	for seed := uint64(1); seed <= 8; seed++ {
		s, err := NewMined(NewPools(samples), minedParams(seed, ep, strength), tab)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range epoch(s) {
			for _, d := range b {
				n++
				if top[d.Sample.ID] {
					hits++
				}
			}
		}
	}
	return float64(hits) / float64(n), n
}

// TestMiningShareOfHardestTenth: the highest-loss tenth of the negatives,
// 100 times the median loss, weighs sqrt(s) against 1 for the rest, so its
// share of the draws rises from 1/10 to 0.1*sqrt(s)/(0.1*sqrt(s)+0.9); it
// can never exceed 0.1*s/(0.1*s+0.9), the share with every other sample at
// the lowest weight. Measured over 8 epochs of 2000 negatives; the
// tolerance is five binomial standard deviations.
func TestMiningShareOfHardestTenth(t *testing.T) {
	samples := corpusShape(10, [5]int{2, 2, 2, 2, 2}, 2000)
	tab, top := negativesTable(t, samples, func(i int) float32 {
		if i%10 == 3 {
			return 100
		}
		return 1
	})
	uniform, n := share(t, samples, tab, top, 4, 0) // epoch 0 is before FirstEpoch
	sd := func(p float64) float64 { return 5 * math.Sqrt(p*(1-p)/float64(n)) }
	if math.Abs(uniform-0.1) > sd(0.1) {
		t.Fatalf("unmined epoch: hardest tenth drew %.4f of %d draws, want 0.1 ± %.4f", uniform, n, sd(0.1))
	}
	for _, s := range []float32{1, 4, 16, 100} {
		r := math.Sqrt(float64(s))
		want := 0.1 * r / (0.1*r + 0.9)
		bound := 0.1 * float64(s) / (0.1*float64(s) + 0.9)
		got, n := share(t, samples, tab, top, s, 1)
		t.Logf("strength %v: hardest tenth drew %.4f of %d draws (uniform 0.1, expected %.4f, bound %.4f)", s, got, n, want, bound)
		if math.Abs(got-want) > sd(want) {
			t.Errorf("strength %v: share %.4f, want %.4f ± %.4f", s, got, want, sd(want))
		}
		if got > bound+sd(bound) {
			t.Errorf("strength %v: share %.4f above the bound %.4f", s, got, bound)
		}
	}
}

// TestMiningRatioBound: with losses spread over many orders of magnitude and
// one mislabeled file with an enormous loss, no weight is more than s times
// another, and the mislabeled file is drawn as often as its capped weight says.
func TestMiningRatioBound(t *testing.T) {
	samples := corpusShape(10, [5]int{2, 2, 2, 2, 2}, 1000)
	rng := rand.New(rand.NewPCG(3, 4))
	tab, top := negativesTable(t, samples, func(i int) float32 {
		if i == 17 {
			return 1e30
		}
		return float32(math.Exp(rng.NormFloat64() * 3))
	})
	const strength = 9
	p := minedParams(7, 2, strength)
	s, err := NewMined(NewPools(samples), p, tab)
	if err != nil {
		t.Fatal(err)
	}
	if s.Params().Mining.State != tab.ID() || tab.ID() == "" {
		t.Fatalf("schedule state %q, table id %q", s.Params().Mining.State, tab.ID())
	}
	st := &s.streams[index.KindNegative]
	lo, hi := math.Inf(1), 0.0
	var topW, total float64
	prev := uint64(0)
	for i, c := range st.mined.cum {
		w := float64(c - prev)
		prev = c
		lo, hi = min(lo, w), max(hi, w)
		total += w
		if top[s.pools.samples[st.members[i]].ID] {
			topW += w
		}
	}
	// Weight shows a draw's weight against an average one: the capped file
	// sqrt(s) times the easiest, an unmined draw 1.
	var wmin, wmax float64 = math.Inf(1), 0
	for _, b := range epoch(s) {
		for _, d := range b {
			w := s.Weight(d)
			wmin, wmax = min(wmin, w), max(wmax, w)
		}
	}
	if wmax/wmin > strength*(1+1e-6) || wmax/wmin < strength*0.99 {
		t.Fatalf("Weight spans %.4f..%.4f, ratio %.4f, want %d", wmin, wmax, wmax/wmin, strength)
	}
	if w := mustNew(t, samples, Params{Seed: 1, BatchSize: 4, World: 1}).Weight(Draw{Kind: index.KindNegative}); w != 1 {
		t.Fatalf("unmined draw weight %v, want 1", w)
	}
	if hi/lo > strength*(1+1e-6) {
		t.Fatalf("largest weight %v is %.4f times the smallest %v, over the strength %d", hi, hi/lo, lo, strength)
	}
	if hi/lo < strength*0.99 {
		t.Fatalf("weights span only %.3f with losses over many decades, want %d", hi/lo, strength)
	}
	bound := 0.1 * strength / (0.1*strength + 0.9)
	if topW/total > bound {
		t.Fatalf("hardest tenth weighs %.4f of the total, above the bound %.4f", topW/total, bound)
	}
	// The mislabeled file: drawn with its weight's probability, no more.
	var bad string
	for _, smp := range samples {
		if l, ok := tab.Loss(smp.ID); ok && l == 1e30 {
			bad = smp.ID
		}
	}
	hits, n := 0, 0
	for seed := uint64(1); seed <= 40; seed++ {
		p.Seed = seed
		s, err := NewMined(NewPools(samples), p, tab)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range epoch(s) {
			for _, d := range b {
				n++
				if d.Sample.ID == bad {
					hits++
				}
			}
		}
	}
	want := hi / total
	tol := 5 * math.Sqrt(want*(1-want)/float64(n))
	got := float64(hits) / float64(n)
	t.Logf("mislabeled file: %d of %d draws (%.5f), its capped weight gives %.5f, uniform %.5f", hits, n, got, want, 1.0/1000)
	if math.Abs(got-want) > tol {
		t.Fatalf("mislabeled file drawn %.5f of the time, want %.5f ± %.5f", got, want, tol)
	}
}

// TestMiningDeterministicAndResumable: the same frozen table gives the same
// epoch; a schedule rebuilt from a cursor mid-epoch (as after a restart) goes
// on exactly as the uninterrupted one; the unmined kinds draw as without
// mining; another table draws otherwise.
func TestMiningDeterministicAndResumable(t *testing.T) {
	samples := corpusShape(40, [5]int{9, 8, 7, 6, 5}, 300)
	tab, _ := negativesTable(t, samples, func(i int) float32 { return float32(i%37) / 7 })
	p := Params{Seed: 11, Epoch: 3, BatchSize: 8, World: 2, Rank: 1, ClassBalance: true,
		Mining: Mining{Run: "r", FirstEpoch: 2}}
	a, err := NewMined(NewPools(samples), p, tab)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewMined(NewPools(shuffled(samples, 5)), p, tab)
	if err != nil {
		t.Fatal(err)
	}
	ea, eb := epoch(a), epoch(b)
	for i := range ea {
		if !slices.EqualFunc(ea[i], eb[i], func(x, y Draw) bool { return key(x) == key(y) }) {
			t.Fatalf("batch %d differs between two builds over the same table", i)
		}
	}
	// Resume from the cursor after batch 5.
	cur, err := ParseCursor(a.Cursor("snap", 5).Encode())
	if err != nil {
		t.Fatal(err)
	}
	if cur.Mining.State != tab.ID() {
		t.Fatalf("cursor state %q, want %q", cur.Mining.State, tab.ID())
	}
	if _, err := New(NewPools(samples), cur.Params); !errors.Is(err, ErrInvalidParams) {
		t.Fatalf("New with a state and no table: %v, want ErrInvalidParams", err)
	}
	r, err := NewMined(NewPools(samples), cur.Params, tab)
	if err != nil {
		t.Fatal(err)
	}
	for bi := int(cur.NextBatch); bi < r.BatchesPerEpoch(); bi++ {
		if !slices.EqualFunc(r.Batch(bi), ea[bi], func(x, y Draw) bool { return key(x) == key(y) }) {
			t.Fatalf("resumed batch %d differs from the uninterrupted one", bi)
		}
	}
	// Unmined kinds are unchanged, the mined ones are not.
	plain := mustNew(t, samples, Params{Seed: 11, Epoch: 3, BatchSize: 8, World: 2, Rank: 1, ClassBalance: true})
	negDiff := 0
	for bi, batch := range epoch(plain) {
		for i, d := range batch {
			m := ea[bi][i]
			if d.Kind != index.KindNegative && key(d) != key(m) {
				t.Fatalf("batch %d position %d: unmined %s draw changed by mining", bi, i, d.Kind)
			}
			if d.Kind == index.KindNegative && key(d) != key(m) {
				negDiff++
			}
		}
	}
	if negDiff == 0 {
		t.Fatal("mining changed no negative draw")
	}
	other, _ := negativesTable(t, samples, func(i int) float32 { return float32((i * 7) % 13) })
	c, err := NewMined(NewPools(samples), p, other)
	if err != nil {
		t.Fatal(err)
	}
	if slices.EqualFunc(epoch(c)[0], ea[0], func(x, y Draw) bool { return key(x) == key(y) }) &&
		slices.EqualFunc(epoch(c)[1], ea[1], func(x, y Draw) bool { return key(x) == key(y) }) {
		t.Fatal("another table drew the same first batches")
	}
	// Mined stegos with class balance: each technique's pool by its own weights.
	var stegoEntries []LossEntry
	for i, smp := range samples {
		if smp.Kind == index.KindStego && smp.Accepted {
			stegoEntries = append(stegoEntries, LossEntry{ContentID: smp.ID, Loss: float32(i % 5)})
		}
	}
	stegoTab, err := NewLossTable(stegoEntries)
	if err != nil {
		t.Fatal(err)
	}
	ps := p
	ps.Mining.Kinds = 1 << index.KindStego
	ms, err := NewMined(NewPools(samples), ps, stegoTab)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ms.classStreams {
		if ms.classStreams[i].mined == nil {
			t.Fatalf("class %d pool not mined", i)
		}
	}
	if ms.streams[index.KindNegative].mined != nil {
		t.Fatal("negatives mined though only stegos were asked for")
	}
	for _, b := range epoch(ms) {
		for _, d := range b {
			if d.Kind == index.KindStego && d.Sample.Kind != index.KindStego {
				t.Fatalf("a stego draw gave a %s sample", d.Sample.Kind)
			}
		}
	}
	// Before FirstEpoch nothing is mined and no state is named.
	p.Epoch = 1
	early, err := NewMined(NewPools(samples), p, tab)
	if err != nil {
		t.Fatal(err)
	}
	if early.Params().Mining.State != "" {
		t.Fatalf("epoch before the first mined one names state %q", early.Params().Mining.State)
	}
}

func TestLossTableContentAddressed(t *testing.T) {
	samples := corpusShape(5, [5]int{1, 1, 1, 1, 1}, 20)
	tab, _ := negativesTable(t, samples, func(i int) float32 { return float32(i) / 3 })
	entries := tab.Entries()
	rev := slices.Clone(entries)
	slices.Reverse(rev)
	again, err := NewLossTable(rev)
	if err != nil {
		t.Fatal(err)
	}
	if again.ID() != tab.ID() {
		t.Fatal("the id depends on the order of the entries")
	}
	raw, _ := tab.MarshalBinary()
	back, err := ParseLossTable(raw, tab.ID())
	if err != nil || back.ID() != tab.ID() || !slices.Equal(back.Entries(), entries) {
		t.Fatalf("round trip: %v", err)
	}
	raw[len(raw)-1] ^= 1
	if _, err := ParseLossTable(raw, tab.ID()); !errors.Is(err, ErrBadLossTable) {
		t.Fatalf("edited table: %v, want ErrBadLossTable", err)
	}
	if _, err := ParseLossTable(raw[:len(raw)-3], ""); !errors.Is(err, ErrBadLossTable) {
		t.Fatalf("truncated table: %v, want ErrBadLossTable", err)
	}
	entries[1].Loss = 0.5
	changed, _ := NewLossTable(entries)
	if changed.ID() == tab.ID() {
		t.Fatal("a changed loss kept the id")
	}
	for _, bad := range []LossEntry{{"xyz", 1}, {entries[0].ContentID, float32(math.NaN())}, {entries[0].ContentID, -1}} {
		if _, err := NewLossTable([]LossEntry{bad}); !errors.Is(err, ErrBadLossTable) {
			t.Errorf("entry %+v: %v, want ErrBadLossTable", bad, err)
		}
	}
	if _, err := NewLossTable([]LossEntry{entries[0], entries[0]}); !errors.Is(err, ErrBadLossTable) {
		t.Errorf("repeated id: %v", err)
	}
	empty, _ := NewLossTable(nil)
	if empty.ID() != "" {
		t.Fatalf("empty table id %q", empty.ID())
	}
}
