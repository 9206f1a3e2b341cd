package sampling

import "fmt"

// Limits on the schedule parameters.
const (
	MaxBatchSize = 4096
	MaxWorld     = 1 << 16
)

// Params are the inputs of a schedule besides the snapshot's samples.
type Params struct {
	// Seed keys every shuffle.
	Seed uint64
	// Epoch selects the epoch; each epoch shuffles every pool afresh.
	Epoch uint64
	// Mix weighs clean, stego and negative samples; the zero Mix means 1:1:1.
	Mix Mix
	// BatchSize is the number of samples in one batch, 1..MaxBatchSize.
	BatchSize int
	// Rank is this consumer's rank, 0 <= Rank < World.
	Rank int
	// World is the number of ranks sharing the epoch, 1..MaxWorld.
	World int
	// ClassBalance draws stego samples round robin over the technique classes present.
	ClassBalance bool
}

// Normalized returns p with its mix normalized (see Mix.Normalize).
func (p Params) Normalized() Params {
	p.Mix = p.Mix.Normalize()
	return p
}

// Validate reports the first parameter out of range, wrapping ErrInvalidParams.
// It does not look at the samples; New also checks that every kind the mix
// asks for has samples.
func (p Params) Validate() error {
	if p.BatchSize < 1 || p.BatchSize > MaxBatchSize {
		return fmt.Errorf("%w: batch size %d outside 1..%d", ErrInvalidParams, p.BatchSize, MaxBatchSize)
	}
	if p.World < 1 || p.World > MaxWorld {
		return fmt.Errorf("%w: world size %d outside 1..%d", ErrInvalidParams, p.World, MaxWorld)
	}
	if p.Rank < 0 || p.Rank >= p.World {
		return fmt.Errorf("%w: rank %d outside 0..%d (world size %d)", ErrInvalidParams, p.Rank, p.World-1, p.World)
	}
	m := p.Mix.Normalize()
	if s := m.Sum(); s > MaxMixSum {
		return fmt.Errorf("%w: mix %s reduces to weights summing to %d, more than %d", ErrInvalidParams, p.Mix, s, MaxMixSum)
	}
	return nil
}
