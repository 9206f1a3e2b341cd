package feed

import (
	"context"

	"github.com/starlight/dataserver/index"
	"github.com/starlight/dataserver/sampling"
)

// assembleDraws assembles the batch of a schedule's draws: their samples,
// augmented by their transforms when p.Augment, with each row's pair and
// transform noted when p pairs or augments.
func (f *Feed) assembleDraws(ctx context.Context, root string, draws []sampling.Draw, p sampling.Params, l Layout) (*Batch, error) {
	samples := make([]*index.Sample, len(draws))
	var transforms []uint8
	if p.Augment {
		transforms = make([]uint8, len(draws))
	}
	for i := range draws {
		samples[i] = draws[i].Sample
		if transforms != nil {
			transforms[i] = draws[i].Transform
		}
	}
	b, err := f.assemble(ctx, root, samples, transforms, l)
	if err != nil {
		return nil, err
	}
	b.Paired, b.Augmented = p.Pairing, p.Augment
	for i := range draws {
		b.Rows[i].Pair = int32(draws[i].Pair)
		b.Rows[i].Transform = draws[i].Transform
	}
	return b, nil
}
