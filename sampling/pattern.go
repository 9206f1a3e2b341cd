package sampling

import "fmt"

// pattern is the order of kinds over one period of W = sum of the weights
// positions. Every prefix of it (and so of its repetition) holds each kind k
// between floor and ceil of t*w_k/W times: the kinds are spread as evenly as
// integers allow, so any window of a batch holds them in proportion to within one.
type pattern struct {
	period uint64
	w      [NumKinds]uint64
	kind   []uint8
	// before[t][k] is the number of kind k at positions 0..t-1 of the period.
	before [][NumKinds]uint32
}

// newPattern builds the pattern of a normalized mix by earliest-deadline-first
// scheduling: the j-th item (1-based) of kind k may not come before position
// floor((j-1)W/w_k) (upper quota) and must come by position ceil(jW/w_k)-1
// (lower quota). Such an order exists (the quota method of Balinski and Young),
// and EDF finds one for unit jobs with integer windows.
func newPattern(m Mix) (*pattern, error) {
	p := &pattern{}
	for k, w := range m {
		p.w[k] = uint64(w)
		p.period += uint64(w)
	}
	if p.period == 0 || p.period > MaxMixSum {
		return nil, fmt.Errorf("%w: mix %s has weight sum %d outside 1..%d", ErrInvalidParams, m, p.period, MaxMixSum)
	}
	W := p.period
	p.kind = make([]uint8, W)
	p.before = make([][NumKinds]uint32, W)
	var count [NumKinds]uint64
	for t := uint64(0); t < W; t++ {
		p.before[t] = [NumKinds]uint32{uint32(count[0]), uint32(count[1]), uint32(count[2])}
		best, bestDeadline := -1, uint64(0)
		for k := range NumKinds {
			w := p.w[k]
			j := count[k] + 1
			if j > w {
				continue
			}
			if release := (j - 1) * W / w; release > t {
				continue
			}
			deadline := (j*W+w-1)/w - 1
			if best < 0 || deadline < bestDeadline {
				best, bestDeadline = k, deadline
			}
		}
		if best < 0 || bestDeadline < t {
			return nil, fmt.Errorf("sampling: internal error: no kind fits position %d of mix %s", t, m)
		}
		p.kind[t] = uint8(best)
		count[best]++
	}
	return p, nil
}

// at returns the kind of global position i and how many of that kind precede it.
func (p *pattern) at(i uint64) (kind int, ordinal uint64) {
	q, t := i/p.period, i%p.period
	k := int(p.kind[t])
	return k, q*p.w[k] + uint64(p.before[t][k])
}

// countBefore returns how many positions of kind k lie in [0, n).
func (p *pattern) countBefore(k int, n uint64) uint64 {
	q, t := n/p.period, n%p.period
	return q*p.w[k] + uint64(p.before[t][k])
}
