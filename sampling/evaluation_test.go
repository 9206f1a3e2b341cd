package sampling

import (
	"errors"
	"slices"
	"testing"

	"github.com/starlight/dataserver/index"
)

// TestEvaluationCoversOnce: at several sizes, batch sizes and world sizes,
// the ranks' batches together hold every served sample exactly once, the
// ranks' batch counts differ by at most one, only the epoch's last batch
// is short, and the order is the same for any seed, epoch and listing order.
func TestEvaluationCoversOnce(t *testing.T) {
	for _, shape := range [][3]int{{3, 0, 0}, {20, 7, 5}, {61, 13, 17}} {
		samples := corpusShape(shape[0], [5]int{shape[1], 2, 0, 1, 0}, shape[2])
		served := map[string]bool{}
		for _, s := range samples {
			if s.Accepted {
				served[s.ID+" "+s.Path] = true
			}
		}
		for _, bs := range []int{1, 4, 7, 64} {
			for _, world := range []int{1, 2, 3, 5} {
				seen := map[string]int{}
				var counts []int
				short := 0
				for rank := range world {
					p := Params{Seed: 1, BatchSize: bs, World: world, Rank: rank, Evaluation: true, Split: SplitVal, Mix: Mix{1, 0, 0}}
					s := mustNew(t, samples, p)
					q := p
					q.Seed, q.Epoch = 99, 5
					other := mustNew(t, shuffled(samples, 3), q)
					counts = append(counts, s.BatchesPerEpoch())
					for b, batch := range epoch(s) {
						if len(batch) == 0 || len(batch) > bs {
							t.Fatalf("batch %d of rank %d: %d samples, batch size %d", b, rank, len(batch), bs)
						}
						if len(batch) < bs {
							short++
						}
						for i, d := range batch {
							seen[key(d)]++
							if o := other.Batch(b); key(o[i]) != key(d) {
								t.Fatalf("order depends on the seed, epoch or listing: %s vs %s", key(o[i]), key(d))
							}
						}
					}
				}
				if len(seen) != len(served) {
					t.Fatalf("%v bs %d world %d: %d distinct samples, %d served", shape, bs, world, len(seen), len(served))
				}
				for k, n := range seen {
					if n != 1 || !served[k] {
						t.Fatalf("%s delivered %d times (served %t)", k, n, served[k])
					}
				}
				if slices.Max(counts)-slices.Min(counts) > 1 {
					t.Errorf("world %d: batch counts %v differ by more than one", world, counts)
				}
				if want := 0; len(served)%bs != 0 {
					want = 1
					if short != want {
						t.Errorf("%d short batches, want %d", short, want)
					}
				} else if short != 0 {
					t.Errorf("%d short batches, the batch size divides the split", short)
				}
			}
		}
	}
}

// TestEvaluationIgnoresMix: the mix, class balance and upsampling play no
// part; the draws per kind are the pools' sizes.
func TestEvaluationIgnoresMix(t *testing.T) {
	samples := corpusShape(10, [5]int{30, 1, 0, 0, 0}, 2)
	a := mustNew(t, samples, Params{BatchSize: 8, World: 1, Evaluation: true, Mix: Mix{1, 0, 0}})
	b := mustNew(t, samples, Params{BatchSize: 8, World: 1, Evaluation: true, Mix: Mix{1, 5, 9}, ClassBalance: true})
	for k := range NumKinds {
		if a.DrawsPerEpoch(index.Kind(k)) != uint64(a.Pools().Len(index.Kind(k))) {
			t.Errorf("kind %d: %d draws, pool %d", k, a.DrawsPerEpoch(index.Kind(k)), a.Pools().Len(index.Kind(k)))
		}
	}
	if a.Len() != b.Len() || a.BatchesPerEpoch() != b.BatchesPerEpoch() {
		t.Fatalf("mix changed the evaluation epoch: %d/%d vs %d/%d", a.Len(), a.BatchesPerEpoch(), b.Len(), b.BatchesPerEpoch())
	}
	for i := range a.Len() {
		if key(a.At(i)) != key(b.At(i)) {
			t.Fatalf("position %d differs", i)
		}
	}
}

// TestEvaluationCursor: a cursor of an evaluation pass resumes it, and is
// refused by a training request.
func TestEvaluationCursor(t *testing.T) {
	samples := corpusShape(9, [5]int{2, 0, 0, 0, 0}, 0)
	p := Params{Seed: 4, BatchSize: 3, World: 2, Rank: 1, Evaluation: true, Split: SplitVal}
	s := mustNew(t, samples, p)
	c, err := ParseCursor(s.Cursor("snap", 1).Encode())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Check("snap", p); err != nil {
		t.Fatal(err)
	}
	r := mustNew(t, samples, c.Params)
	if key(r.Batch(int(c.NextBatch))[0]) != key(s.Batch(1)[0]) {
		t.Error("the cursor does not resume the same pass")
	}
	q := p
	q.Evaluation = false
	if err := c.Check("snap", q); !errors.Is(err, ErrCursorMismatch) {
		t.Errorf("training request took an evaluation cursor: %v", err)
	}
}

func TestEvaluationEmptySplit(t *testing.T) {
	_, err := New(NewPools(nil), Params{BatchSize: 2, World: 1, Evaluation: true, Split: SplitTest})
	if !errors.Is(err, ErrEmptyPool) {
		t.Errorf("empty split: %v", err)
	}
}

// TestEvaluationRebased: an evaluation pass taken up by two ranks for two
// global batches, then rebased (elastic resume) to three ranks, still
// delivers every sample exactly once.
func TestEvaluationRebased(t *testing.T) {
	samples := corpusShape(23, [5]int{5, 3, 0, 0, 0}, 4)
	seen := map[string]int{}
	for rank := range 2 {
		s := mustNew(t, samples, Params{BatchSize: 3, World: 2, Rank: rank, Evaluation: true})
		for _, d := range s.Batch(0) {
			seen[key(d)]++
		}
	}
	for rank := range 3 {
		s := mustNew(t, samples, Params{BatchSize: 3, World: 3, Rank: rank, Evaluation: true}).Rebased(2)
		for _, batch := range epoch(s) {
			for _, d := range batch {
				seen[key(d)]++
			}
		}
	}
	served := 0
	for _, s := range samples {
		if s.Accepted {
			served++
			if seen[s.ID+" "+s.Path] != 1 {
				t.Errorf("%s delivered %d times", s.Path, seen[s.ID+" "+s.Path])
			}
		}
	}
	if len(seen) != served {
		t.Errorf("%d distinct delivered, %d served", len(seen), served)
	}
}
