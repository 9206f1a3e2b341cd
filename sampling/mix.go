package sampling

import (
	"fmt"

	"github.com/starlight/dataserver/index"
)

// NumKinds is the number of sample kinds a Mix weighs.
const NumKinds = 3

// MaxMixSum bounds the sum of the mix weights after reduction by their gcd.
const MaxMixSum = 1024

// Mix holds the weights of clean, stego and negative samples, indexed by
// index.Kind. A zero weight means the kind is not served; the zero Mix means
// the default 1:1:1.
type Mix [NumKinds]uint32

// DefaultMix is one clean, one stego and one negative sample in every three.
var DefaultMix = Mix{1, 1, 1}

// Normalize returns the mix with the zero Mix replaced by DefaultMix and the
// weights divided by their greatest common divisor, so equal ratios compare equal.
func (m Mix) Normalize() Mix {
	if m == (Mix{}) {
		return DefaultMix
	}
	g := uint32(0)
	for _, w := range m {
		g = gcd(g, w)
	}
	for i := range m {
		m[i] /= g
	}
	return m
}

// Sum returns the sum of the weights.
func (m Mix) Sum() uint64 {
	var s uint64
	for _, w := range m {
		s += uint64(w)
	}
	return s
}

// Shares returns each kind's requested fraction of the samples.
func (m Mix) Shares() [NumKinds]float64 {
	var out [NumKinds]float64
	s := m.Sum()
	if s == 0 {
		return out
	}
	for i, w := range m {
		out[i] = float64(w) / float64(s)
	}
	return out
}

// String writes the mix as clean:stego:negative.
func (m Mix) String() string {
	return fmt.Sprintf("%d:%d:%d", m[index.KindClean], m[index.KindStego], m[index.KindNegative])
}

func gcd(a, b uint32) uint32 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
