package sampling

import "math/bits"

// feistelRounds is the number of Feistel rounds; six make the keyed
// permutations of even small domains look unrelated to each other.
const feistelRounds = 6

// Permutation is a keyed pseudo-random bijection of [0, n) that maps any
// single index in O(1) time and memory: a balanced Feistel network over the
// smallest even number of bits covering n, with cycle walking back into [0, n).
// The zero value is the identity of the empty domain.
type Permutation struct {
	n    uint64
	half uint
	mask uint64
	keys [feistelRounds]uint64
}

// NewPermutation returns the permutation of [0, n) chosen by key.
func NewPermutation(n, key uint64) Permutation {
	p := Permutation{n: n}
	if n < 2 {
		return p
	}
	b := uint(bits.Len64(n - 1))
	p.half = (b + 1) / 2
	p.mask = 1<<p.half - 1
	for r := range p.keys {
		p.keys[r] = mix64(key + uint64(r+1)*golden)
	}
	return p
}

// Len returns n, the size of the domain.
func (p Permutation) Len() uint64 { return p.n }

// At returns the image of i. i must be below Len(); any other i is returned unchanged.
func (p Permutation) At(i uint64) uint64 {
	if i >= p.n || p.n < 2 {
		return i
	}
	// The domain of the network has at most 4n points, so the walk takes
	// fewer than four steps on average; it ends because i lies on its own cycle.
	x := p.round(i)
	for x >= p.n {
		x = p.round(x)
	}
	return x
}

func (p Permutation) round(x uint64) uint64 {
	l, r := x>>p.half, x&p.mask
	for _, k := range p.keys {
		l, r = r, l^(mix64(r*golden^k)&p.mask)
	}
	return l<<p.half | r
}
