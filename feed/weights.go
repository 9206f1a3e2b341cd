package feed

import "github.com/starlight/dataserver/index"

// Weights are the loss weights sent with each sample: per label, and per
// negative category over the negative default.
type Weights struct {
	Clean, Stego, Negative float32
	// Categories overrides Negative for the negatives of a category.
	Categories map[string]float32
}

// DefaultWeights are clean 1, stego 1, negative 2.
func DefaultWeights() Weights {
	return Weights{Clean: 1, Stego: 1, Negative: 2}
}

// For returns the loss weight of one sample.
func (w Weights) For(s *index.Sample) float32 {
	switch s.Kind {
	case index.KindStego:
		return w.Stego
	case index.KindNegative:
		if v, ok := w.Categories[s.Category]; ok {
			return v
		}
		return w.Negative
	}
	return w.Clean
}
