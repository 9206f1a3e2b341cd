package extract

import (
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"testing"
)

// TestHashBytesMatchesPlainSHA256 checks the table of uniform streams and
// the masked, buffered hashing against sha256 of the materialised stream.
func TestHashBytesMatchesPlainSHA256(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 7, 8, 31, 32, 33, 8191, 8192, 8193, 65536, 196608} {
		for _, kind := range []string{"zero", "ones", "ff", "random", "last differs", "one differs"} {
			b := make([]byte, n)
			for i := range b {
				switch kind {
				case "ones":
					b[i] = 1
				case "ff":
					b[i] = 0xff
				case "random":
					b[i] = byte(r.Uint32())
				}
			}
			if kind == "last differs" && n > 0 {
				b[n-1] = 3
			}
			if kind == "one differs" && n > 0 {
				b[n*5/8] = 2 // inside a word after the first of a 32-byte step
			}
			for _, mask := range []uint8{0xff, 1} {
				m := make([]byte, n)
				for i, v := range b {
					m[i] = v & mask
				}
				sum := sha256.Sum256(m)
				want := hex.EncodeToString(sum[:])
				for range 2 { // the second call reads the table
					if got := hashBytes(b, mask); got != want {
						t.Fatalf("n=%d %s mask=%#x: %s, want %s", n, kind, mask, got, want)
					}
				}
			}
		}
	}
}

// TestPackBitsMatchesPlainLoop checks the multiply-gather packing against
// bit-by-bit packing, for lengths with and without a partial last byte.
func TestPackBitsMatchesPlainLoop(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 9))
	for _, n := range []int{0, 1, 7, 8, 9, 64, 65, 1000, 196608} {
		src := make([]byte, n)
		for i := range src {
			src[i] = byte(r.Uint32())
		}
		want := make([]byte, (n+7)/8)
		for i, v := range src {
			want[i/8] |= (v & 1) << (7 - uint(i%8))
		}
		got := make([]byte, (n+7)/8)
		for i := range got {
			got[i] = 0x5a
		}
		packBits(got, src)
		if string(got) != string(want) {
			t.Fatalf("n=%d: packed bits differ", n)
		}
	}
}
