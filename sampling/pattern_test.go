package sampling

import (
	"errors"
	"testing"
)

func TestPatternKeepsQuotaAtEveryPrefix(t *testing.T) {
	const maxSum = 40
	for a := uint32(0); a <= maxSum; a++ {
		for b := uint32(0); a+b <= maxSum; b++ {
			for c := uint32(0); a+b+c <= maxSum; c++ {
				if a+b+c == 0 {
					continue
				}
				m := Mix{a, b, c}
				p, err := newPattern(m)
				if err != nil {
					t.Fatalf("mix %s: %v", m, err)
				}
				W := uint64(a + b + c)
				var count [NumKinds]uint64
				// Two periods, to see the joint between repetitions too.
				for i := uint64(0); i < 2*W; i++ {
					k, ord := p.at(i)
					if ord != count[k] {
						t.Fatalf("mix %s pos %d: ordinal %d, counted %d", m, i, ord, count[k])
					}
					count[k]++
					for kk := range NumKinds {
						num := (i + 1) * uint64(m[kk])
						lo, hi := num/W, (num+W-1)/W
						if count[kk] < lo || count[kk] > hi {
							t.Fatalf("mix %s: after %d positions kind %d has %d, quota %d..%d", m, i+1, kk, count[kk], lo, hi)
						}
					}
				}
				for kk := range NumKinds {
					if got := p.countBefore(kk, 2*W); got != 2*uint64(m[kk]) {
						t.Fatalf("mix %s: countBefore(%d, 2W) = %d", m, kk, got)
					}
				}
			}
		}
	}
}

func TestPatternRejectsBadMix(t *testing.T) {
	for _, m := range []Mix{{}, {MaxMixSum, 1, 0}} {
		if _, err := newPattern(m); !errors.Is(err, ErrInvalidParams) {
			t.Errorf("mix %s: err %v, want ErrInvalidParams", m, err)
		}
	}
}
