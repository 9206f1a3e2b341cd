package sampling

// Tally counts served draws per kind, to compare the served mix with the requested one.
type Tally struct {
	// Counts holds the draws seen, indexed by index.Kind.
	Counts [NumKinds]uint64
}

// Add counts the draws of a batch.
func (t *Tally) Add(draws []Draw) {
	for i := range draws {
		if k := draws[i].Kind; k >= 0 && int(k) < NumKinds {
			t.Counts[k]++
		}
	}
}

// Total returns the number of draws counted.
func (t *Tally) Total() uint64 {
	return t.Counts[0] + t.Counts[1] + t.Counts[2]
}

// Shares returns each kind's fraction of the draws counted (zeros when none).
func (t *Tally) Shares() [NumKinds]float64 {
	var out [NumKinds]float64
	n := t.Total()
	if n == 0 {
		return out
	}
	for k, c := range t.Counts {
		out[k] = float64(c) / float64(n)
	}
	return out
}
