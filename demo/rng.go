package demo

// rng is a small deterministic generator (splitmix64), so the images do not
// depend on the standard library's random streams staying the same.
type rng struct{ s uint64 }

// newRNG returns a generator keyed by the seed and a name.
func newRNG(seed uint64, name string) *rng {
	r := &rng{s: seed ^ 0x6a09e667f3bcc909}
	for i := 0; i < len(name); i++ {
		r.s = (r.s ^ uint64(name[i])) * 0x100000001b3
		r.next()
	}
	return r
}

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// intn returns a value in [0, n) for n > 0.
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// rangeInt returns a value in [lo, hi].
func (r *rng) rangeInt(lo, hi int) int { return lo + r.intn(hi-lo+1) }

// float returns a value in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }
