package sampling

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/starlight/dataserver/index"
)

// corpusShape builds a sample list shaped like a small real tree: clean covers,
// stego of every class in unequal numbers, negatives, a few rejected samples,
// and two files with the same content at different paths.
func corpusShape(clean int, perClass [5]int, negatives int) []index.Sample {
	var out []index.Sample
	add := func(path string, k index.Kind, class int, accepted bool) {
		sum := sha256.Sum256([]byte(path))
		out = append(out, index.Sample{ID: hex.EncodeToString(sum[:]), Path: path, Kind: k, Class: class, Accepted: accepted})
	}
	for i := range clean {
		add(fmt.Sprintf("a_submission_2025/clean/clean-%04d.png", i), index.KindClean, index.ClassNone, true)
	}
	for c, n := range perClass {
		for i := range n {
			add(fmt.Sprintf("a_submission_2025/stego/poem_m%d_%03d.png", c, i), index.KindStego, c, true)
		}
	}
	for i := range negatives {
		add(fmt.Sprintf("b_submission_2024/negatives/natural_noise/n_%04d.png", i), index.KindNegative, index.ClassNone, true)
	}
	add("b_submission_2024/negatives/natural_noise/bad.png", index.KindNegative, index.ClassNone, false)
	add("a_submission_2025/stego/bad_alpha_000.png", index.KindStego, 0, false)
	dup := out[0]
	dup.Path = "c_submission_2025/clean/copy-of-clean-0000.png"
	out = append(out, dup)
	return out
}

// shuffled returns a copy of samples in another order, as a second replica might list them.
func shuffled(samples []index.Sample, seed uint64) []index.Sample {
	out := append([]index.Sample(nil), samples...)
	r := rand.New(rand.NewPCG(seed, 7))
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func mustNew(t testing.TB, samples []index.Sample, p Params) *Schedule {
	t.Helper()
	s, err := New(NewPools(samples), p)
	if err != nil {
		t.Fatalf("New(%+v): %v", p, err)
	}
	return s
}

// key identifies a sample independently of its index in a particular slice.
func key(d Draw) string { return d.Sample.ID + " " + d.Sample.Path }

// epoch returns every batch of the schedule for its rank.
func epoch(s *Schedule) [][]Draw {
	out := make([][]Draw, s.BatchesPerEpoch())
	for b := range out {
		out[b] = s.Batch(b)
	}
	return out
}
