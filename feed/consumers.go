package feed

import (
	"sort"
	"sync"

	"github.com/starlight/dataserver/index"
	"github.com/starlight/dataserver/sampling"
)

// Consumers tallies what each consumer was served: streams running, batches
// and samples sent, samples per kind, and the mix asked for over the same
// samples. It is safe for concurrent use.
type Consumers struct {
	mu  sync.Mutex
	all map[string]*ConsumerFigures
}

// ConsumerFigures are one consumer's serving figures.
type ConsumerFigures struct {
	Name          string
	ActiveStreams int
	Batches       uint64
	Samples       uint64
	// Served counts the samples sent per kind (index.Kind order).
	Served [sampling.NumKinds]uint64
	// Requested is the share of each kind asked for over the same samples as
	// Served: each batch's samples at the shares of its stream's mix, so the
	// two compare like for like (before any batch: the last request's mix).
	Requested [sampling.NumKinds]float64

	// asked sums, per kind, each batch's samples times its stream's share.
	asked [sampling.NumKinds]float64
}

// ServedShares returns each kind's share of the samples sent.
func (c ConsumerFigures) ServedShares() [sampling.NumKinds]float64 {
	var out [sampling.NumKinds]float64
	if c.Samples == 0 {
		return out
	}
	for k, n := range c.Served {
		out[k] = float64(n) / float64(c.Samples)
	}
	return out
}

func (cs *Consumers) get(name string) *ConsumerFigures {
	if cs.all == nil {
		cs.all = map[string]*ConsumerFigures{}
	}
	c := cs.all[name]
	if c == nil {
		c = &ConsumerFigures{Name: name}
		cs.all[name] = c
	}
	return c
}

// Start records a stream opened by name with the given mix; the returned
// function records its end.
func (cs *Consumers) Start(name string, mix sampling.Mix) (end func()) {
	cs.mu.Lock()
	c := cs.get(name)
	c.ActiveStreams++
	c.Requested = mix.Normalize().Shares()
	cs.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			cs.mu.Lock()
			cs.get(name).ActiveStreams--
			cs.mu.Unlock()
		})
	}
}

// Served records one batch sent to name by a stream that asked for mix.
func (cs *Consumers) Served(name string, mix sampling.Mix, kinds [3]int) {
	shares := mix.Normalize().Shares()
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c := cs.get(name)
	c.Batches++
	total := 0
	for k, n := range kinds {
		c.Served[k] += uint64(n)
		c.Samples += uint64(n)
		total += n
	}
	for k := range c.asked {
		c.asked[k] += shares[k] * float64(total)
	}
}

// Snapshot returns every consumer's figures, sorted by name, and the number
// of streams running.
func (cs *Consumers) Snapshot() ([]ConsumerFigures, int) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	out := make([]ConsumerFigures, 0, len(cs.all))
	active := 0
	for _, c := range cs.all {
		f := *c
		if f.Samples > 0 {
			for k := range f.Requested {
				f.Requested[k] = f.asked[k] / float64(f.Samples)
			}
		}
		out = append(out, f)
		active += c.ActiveStreams
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, active
}

// KindName is the label of a kind in metrics ("clean", "stego", "negative").
func KindName(k int) string { return index.Kind(k).String() }
