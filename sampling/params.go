package sampling

import (
	"fmt"
	"math"
)

// Limits on the schedule parameters.
const (
	MaxBatchSize      = 4096
	MaxWorld          = 1 << 16
	MaxStegosPerCover = 64
	MaxRunName        = 64
	// MaxMiningStrength bounds Mining.Strength, the largest draw-weight ratio.
	MaxMiningStrength = 1000
	// DefaultMiningStrength is the strength of a Mining with Strength 0.
	DefaultMiningStrength = 4
)

// The splits a schedule may draw from. SplitAll is every served sample.
const (
	SplitTrain = "train"
	SplitVal   = "val"
	SplitTest  = "test"
	SplitAll   = "all"
)

// Splits lists the split names in their cursor code order.
var Splits = []string{SplitTrain, SplitVal, SplitTest, SplitAll}

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
	// Split is the split drawn from: SplitTrain (also ""), SplitVal, SplitTest or SplitAll.
	Split string
	// Evaluation serves every sample of the split once per epoch in a fixed
	// order, ignoring the mix, class balance, pairing and mining.
	Evaluation bool
	// Pairing makes a stego and its cover (cover first) one unit of the schedule.
	Pairing bool
	// StegosPerCover is how many stegos of one cover a pair unit holds
	// (1..MaxStegosPerCover); 0 means 1. Only with Pairing.
	StegosPerCover int
	// Augment applies a keyed D4 transform to every unit.
	Augment bool
	// Mining draws the mined kinds by the run's frozen loss summary; the
	// zero Mining is off.
	Mining Mining
}

// Mining configures hard-sample mining for a schedule.
type Mining struct {
	// Run names the feedback run; empty means mining is off.
	Run string
	// Kinds is a bit set of the mined kinds (1<<index.Kind); 0 means negatives only.
	Kinds uint8
	// Strength is the largest ratio of two draw weights, 1..MaxMiningStrength; 0 means DefaultMiningStrength.
	Strength float32
	// FirstEpoch is the first epoch mined.
	FirstEpoch uint64
	// State is the content id of the frozen loss summary the epoch draws by,
	// set by the server for each epoch ("" before FirstEpoch or with no
	// summary yet); requests leave it empty.
	State string
}

// Enabled tells whether mining is asked for.
func (m Mining) Enabled() bool { return m.Run != "" }

// Normalized returns p with its defaults filled in (mix, split, stegos per
// cover, mining kinds and strength), so equal schedules compare equal.
func (p Params) Normalized() Params {
	p.Mix = p.Mix.Normalize()
	if p.Split == "" {
		p.Split = SplitTrain
	}
	switch {
	case !p.Pairing:
		p.StegosPerCover = 0
	case p.StegosPerCover == 0:
		p.StegosPerCover = 1
	}
	if p.Mining.Enabled() {
		if p.Mining.Kinds == 0 {
			p.Mining.Kinds = 1 << KindNegativeBit
		}
		if p.Mining.Strength == 0 {
			p.Mining.Strength = DefaultMiningStrength
		}
	} else {
		p.Mining = Mining{}
	}
	return p
}

// KindNegativeBit is the bit of negatives in Mining.Kinds (index.KindNegative).
const KindNegativeBit = 2

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
	if p.Split != "" && splitCode(p.Split) < 0 {
		return fmt.Errorf("%w: split %q is not one of train, val, test, all", ErrInvalidParams, p.Split)
	}
	if p.StegosPerCover < 0 || p.StegosPerCover > MaxStegosPerCover {
		return fmt.Errorf("%w: stegos per cover %d outside 0..%d", ErrInvalidParams, p.StegosPerCover, MaxStegosPerCover)
	}
	if p.StegosPerCover > 1 && !p.Pairing {
		return fmt.Errorf("%w: stegos per cover %d needs pairing", ErrInvalidParams, p.StegosPerCover)
	}
	if err := p.Mining.validate(); err != nil {
		return err
	}
	return nil
}

func (m Mining) validate() error {
	if !m.Enabled() {
		if m != (Mining{}) {
			return fmt.Errorf("%w: mining options need a run name", ErrInvalidParams)
		}
		return nil
	}
	if len(m.Run) > MaxRunName {
		return fmt.Errorf("%w: mining run name of %d bytes, at most %d", ErrInvalidParams, len(m.Run), MaxRunName)
	}
	if m.Kinds&^0b111 != 0 {
		return fmt.Errorf("%w: mining kinds %#x name no known kind", ErrInvalidParams, m.Kinds)
	}
	s := float64(m.Strength)
	if math.IsNaN(s) || (s != 0 && (s < 1 || s > MaxMiningStrength)) {
		return fmt.Errorf("%w: mining strength %v outside 1..%d", ErrInvalidParams, m.Strength, MaxMiningStrength)
	}
	if len(m.State) > maxSnapshotID {
		return fmt.Errorf("%w: mining state id of %d bytes", ErrInvalidParams, len(m.State))
	}
	return nil
}

// splitCode returns the cursor code of a split name, -1 when unknown; "" is train.
func splitCode(s string) int {
	if s == "" {
		return 0
	}
	for i, n := range Splits {
		if n == s {
			return i
		}
	}
	return -1
}
