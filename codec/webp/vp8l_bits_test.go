package webp

import (
	"math/bits"
	"math/rand/v2"
	"testing"
)

// randomLengths returns the code lengths of a random complete prefix code
// over n symbols (some unused) with no code longer than 15 bits.
func randomLengths(r *rand.Rand, n int) []uint8 {
	for {
		// Split leaves at random until enough symbols have codes.
		lens := []int{1, 1}
		want := 2 + r.IntN(n-1)
		for len(lens) < want {
			i := r.IntN(len(lens))
			if lens[i] == 15 {
				continue
			}
			lens[i]++
			lens = append(lens, lens[i])
		}
		out := make([]uint8, n)
		for i, s := range r.Perm(n)[:len(lens)] {
			out[s] = uint8(lens[i])
		}
		return out
	}
}

// TestTableDecodesEveryCode builds tables for random complete codes and
// skewed ones (a chain of lengths down to 15 under many prefixes) and
// decodes each symbol's canonical code through them; the tables stay
// small.
func TestTableDecodesEveryCode(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 3))
	check := func(lens []uint8) {
		var h htab
		if !h.build(lens) {
			t.Fatalf("complete code refused: %v", lens)
		}
		if len(h.t) > 8000 {
			t.Fatalf("table of %d entries for %d symbols", len(h.t), len(lens))
		}
		var count, next [16]int
		for _, n := range lens {
			count[n]++
		}
		count[0] = 0
		code := 0
		for n := 1; n < 16; n++ {
			code = (code + count[n-1]) << 1
			next[n] = code
		}
		for s, n := range lens {
			if n == 0 {
				continue
			}
			c := next[n]
			next[n]++
			v := uint64(bits.Reverse16(uint16(c))>>(16-n)) | uint64(r.Uint32())<<n
			e := entry(&h, v)
			if got := int(e >> 16); got != s || uint8(e&15) != n {
				t.Fatalf("symbol %d (length %d) decodes as %d (length %d)", s, n, got, e&15)
			}
		}
	}
	for k := 0; k < 300; k++ {
		check(randomLengths(r, []int{19, 40, 256, 280, 2328}[k%5]))
	}
	// Skewed: 200 chains of lengths 9, 10, ..., 15, 15 and 56 codes of 8
	// bits. Sub-tables all as wide as the longest code would take 25,856
	// entries; sized per prefix they take under 2,000.
	lens := make([]uint8, 2328)
	s := 0
	for p := 0; p < 256; p++ {
		if s+8 <= len(lens) && p < 200 {
			for n := 9; n <= 15; n++ {
				lens[s] = uint8(n)
				s++
			}
			lens[s] = 15
			s++
		} else {
			lens[s] = 8
			s++
		}
	}
	check(lens)
}
