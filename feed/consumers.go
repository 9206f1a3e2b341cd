package feed

import (
	"sort"
	"sync"
	"time"

	"github.com/starlight/dataserver/index"
	"github.com/starlight/dataserver/sampling"
)

// Consumers tallies what each consumer was served: streams running, batches
// and samples sent, samples per kind, and the mix asked for over the same
// samples. The table is bounded (see bucket). It is safe for concurrent use.
type Consumers struct {
	// Max bounds the consumers tallied apart (DefaultMaxConsumers when 0);
	// Idle is how long an idle one is kept (DefaultConsumerIdle when 0).
	Max  int
	Idle time.Duration
	// OnForget, when set, is called with the name of each entry dropped
	// (under the table's lock: it must not call back).
	OnForget func(name string)

	mu    sync.Mutex
	all   map[string]*ConsumerFigures
	clock func() time.Time
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
	last  time.Time // the last stream start, batch or end
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
	c.last = cs.now()
	return c
}

// Start records a stream opened by name with the given mix. It returns the
// name the stream is tallied under (name, or OtherConsumer beyond the cap),
// to pass to Served, and a function that records the stream's end.
func (cs *Consumers) Start(name string, mix sampling.Mix) (label string, end func()) {
	cs.mu.Lock()
	if cs.all == nil {
		cs.all = map[string]*ConsumerFigures{}
	}
	name = cs.bucket(name)
	c := cs.get(name)
	c.ActiveStreams++
	c.Requested = mix.Normalize().Shares()
	cs.mu.Unlock()
	var once sync.Once
	return name, func() {
		once.Do(func() {
			cs.mu.Lock()
			cs.get(name).ActiveStreams--
			cs.mu.Unlock()
		})
	}
}

// Served records one batch sent to the stream tallied under label, by a
// stream that asked for mix.
func (cs *Consumers) Served(label string, mix sampling.Mix, kinds [3]int) {
	shares := mix.Normalize().Shares()
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c := cs.get(label)
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
	cs.expire()
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
