package server

import (
	"github.com/starlight/dataserver/feed"
	"github.com/starlight/dataserver/sampling"
)

// streamAccount tallies one stream's batches in the consumer table and the
// metrics, under the consumer's label (its name, or feed.OtherConsumer
// beyond the table's cap, so the metric series are bounded too).
type streamAccount struct {
	s     *Server
	label string
	mix   sampling.Mix
	done  func()
}

// account records a stream of consumer name asking for mix.
func (s *Server) account(name string, mix sampling.Mix) *streamAccount {
	label, done := s.consumers.Start(name, mix)
	s.metrics.activeStreams.Inc()
	for k, v := range mix.Normalize().Shares() {
		s.metrics.requestedMix.WithLabelValues(label, feed.KindName(k)).Set(v)
	}
	return &streamAccount{s: s, label: label, mix: mix, done: done}
}

// served records one batch sent.
func (a *streamAccount) served(b *feed.Batch) {
	a.s.consumers.Served(a.label, a.mix, b.Kinds)
	for k, n := range b.Kinds {
		if n > 0 {
			a.s.metrics.served.WithLabelValues(a.label, feed.KindName(k)).Add(float64(n))
		}
	}
}

// end records the stream's end.
func (a *streamAccount) end() {
	a.done()
	a.s.metrics.activeStreams.Dec()
}
