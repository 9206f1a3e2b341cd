package feed

import (
	"math/rand/v2"
	"testing"
)

// TestBitKernelsEveryLength checks the block loops and their tails against
// one-value-at-a-time references on every length up to a few blocks.
func TestBitKernelsEveryLength(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for n := 0; n <= 200; n++ {
		src := make([]byte, 8*n)
		for i := range src {
			src[i] = byte(rng.UintN(256))
		}
		lsb := make([]byte, len(src)+3) // longer than src: the tail is left alone
		for i := range lsb {
			lsb[i] = 0xAA
		}
		lsbInto(lsb, src)
		for i, v := range src {
			if lsb[i] != v&1 {
				t.Fatalf("n=%d: lsb[%d] = %d of %#x", n, i, lsb[i], v)
			}
		}
		for i := len(src); i < len(lsb); i++ {
			if lsb[i] != 0xAA {
				t.Fatalf("n=%d: lsbInto wrote past the source (byte %d)", n, i)
			}
		}
		packed := make([]byte, n)
		packLSBInto(packed, src)
		for i := range packed {
			var want byte
			for j := 0; j < 8; j++ {
				want |= (src[8*i+j] & 1) << (7 - j)
			}
			if packed[i] != want {
				t.Fatalf("n=%d: packed[%d] = %08b, want %08b", n, i, packed[i], want)
			}
		}
	}
}

// TestPackedPlaneTail: packed handles lengths that are not a multiple of 8
// (numpy.packbits pads the last byte with zero bits).
func TestPackedPlaneTail(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for n := 0; n <= 70; n++ {
		src := make([]byte, n)
		for i := range src {
			src[i] = byte(rng.UintN(256))
		}
		got := packed(src)
		if len(got) != (n+7)/8 {
			t.Fatalf("n=%d: %d bytes", n, len(got))
		}
		for i := 0; i < 8*len(got); i++ {
			var want byte
			if i < n {
				want = src[i] & 1
			}
			if bit := got[i/8] >> (7 - i%8) & 1; bit != want {
				t.Fatalf("n=%d: bit %d is %d, want %d", n, i, bit, want)
			}
		}
	}
}
