package sampling

import (
	"testing"
)

func TestPermutationIsBijection(t *testing.T) {
	sizes := []uint64{0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 63, 64, 65, 100, 255, 256, 257, 1000, 1023, 1025, 4099, 65537}
	for n := uint64(0); n < 300; n++ {
		sizes = append(sizes, n)
	}
	for _, n := range sizes {
		for _, key := range []uint64{0, 1, 0xdeadbeef, ^uint64(0)} {
			p := NewPermutation(n, key)
			seen := make([]bool, n)
			for i := range n {
				v := p.At(i)
				if v >= n {
					t.Fatalf("n=%d key=%#x: At(%d)=%d out of range", n, key, i, v)
				}
				if seen[v] {
					t.Fatalf("n=%d key=%#x: %d hit twice", n, key, v)
				}
				seen[v] = true
			}
		}
	}
}

func TestPermutationKeysDiffer(t *testing.T) {
	for _, n := range []uint64{10, 97, 1000} {
		base := NewPermutation(n, 1)
		for key := uint64(2); key < 50; key++ {
			p := NewPermutation(n, key)
			same := 0
			for i := range n {
				if p.At(i) == base.At(i) {
					same++
				}
			}
			// Two unrelated permutations agree on about one point.
			if same == int(n) || (n >= 97 && same > int(n)/10) {
				t.Errorf("n=%d: keys 1 and %d agree on %d of %d points", n, key, same, n)
			}
		}
	}
}

func TestPermutationLooksShuffled(t *testing.T) {
	// Over many keys, every value lands in every place about equally often.
	const n, keys = 12, 24000
	var hits [n][n]int
	for key := range uint64(keys) {
		p := NewPermutation(n, key*0x1234567)
		for i := range uint64(n) {
			hits[i][p.At(i)]++
		}
	}
	want := keys / n
	for i := range n {
		for j := range n {
			if h := hits[i][j]; h < want*8/10 || h > want*12/10 {
				t.Errorf("place %d got value %d %d times, want about %d", i, j, h, want)
			}
		}
	}
}
