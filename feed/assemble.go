package feed

import (
	"context"
	"encoding/binary"
	"math"

	"github.com/starlight/dataserver/extract"
	"github.com/starlight/dataserver/index"
)

// Layout is what a batch carries besides its samples.
type Layout struct {
	// Streams are the tensors, in order; empty means DefaultStreams.
	Streams []Stream
	// PackBits packs the 0/1 planes 8 values per byte.
	PackBits bool
	// Weights are the loss weights.
	Weights Weights
}

func (l Layout) streams() []Stream {
	if len(l.Streams) == 0 {
		return DefaultStreams
	}
	return l.Streams
}

// Assemble loads the streams of the samples of the tree at root (cache, or
// extraction in the worker pool) and lays them out as one batch. The batch's
// snapshot, epoch, index and cursor are left for the caller to fill.
func (f *Feed) Assemble(ctx context.Context, root string, samples []*index.Sample, l Layout) (*Batch, error) {
	got, err := f.loadAll(ctx, root, samples)
	if err != nil {
		return nil, err
	}
	b := &Batch{feed: f, Rows: make([]Row, len(samples))}
	for i, s := range samples {
		b.Rows[i] = rowOf(s, l.Weights)
		if s.Kind >= 0 && int(s.Kind) < len(b.Kinds) {
			b.Kinds[s.Kind]++
		}
	}
	streams := l.streams()
	b.Tensors = make([]Tensor, len(streams))
	for i, st := range streams {
		b.Tensors[i] = f.tensor(st, got, l.PackBits)
	}
	return b, nil
}

// loadAll returns the streams of every sample: hits straight from the memory
// cache, misses loaded concurrently (the worker pool bounds the extraction).
func (f *Feed) loadAll(ctx context.Context, root string, samples []*index.Sample) ([]*extract.Streams, error) {
	got := make([]*extract.Streams, len(samples))
	var missing []int
	for i, s := range samples {
		if st, ok := f.mem.get(cacheKey(s.ID)); ok {
			f.hits.Add(1)
			got[i] = st
		} else {
			missing = append(missing, i)
		}
	}
	if len(missing) == 0 {
		return got, nil
	}
	errs := make(chan error, len(missing))
	for _, i := range missing {
		go func(i int) {
			st, err := f.Load(ctx, root, samples[i])
			got[i] = st
			errs <- err
		}(i)
	}
	var first error
	for range missing {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	if first != nil {
		return nil, first
	}
	return got, nil
}

// tensor lays out one stream of the batch in a pooled buffer.
func (f *Feed) tensor(st Stream, got []*extract.Streams, pack bool) Tensor {
	in := streamInfos[st]
	packed := pack && in.bits
	per := st.SampleBytes(packed)
	data := f.bufs.get(per * len(got))
	shape := make([]int64, 0, 1+len(in.shape))
	shape = append(shape, int64(len(got)))
	shape = append(shape, in.shape...)
	for i, s := range got {
		dst := data[i*per : (i+1)*per]
		switch st {
		case Pixel:
			copy(dst, s.Pixel)
		case Meta:
			copy(dst, s.Meta)
		case AlphaFull:
			copy(dst, s.AlphaFull)
		case Palette:
			copy(dst, s.Palette)
		case Alpha:
			bitsInto(dst, s.AlphaFull, packed)
		case LSB:
			bitsInto(dst, s.Pixel, packed)
		case PaletteLSB:
			bitsInto(dst, s.PaletteLSB, packed)
		case Format:
			floatsInto(dst, s.FormatVec[:])
		case Content:
			floatsInto(dst, s.Content[:])
		}
	}
	return Tensor{Stream: st, Name: in.name, DType: in.dtype, Shape: shape, Data: data, Packed: packed}
}

func bitsInto(dst, src []byte, packed bool) {
	if packed {
		packLSBInto(dst, src)
	} else {
		lsbInto(dst, src)
	}
}

func floatsInto(dst []byte, v []float32) {
	for i, x := range v {
		binary.LittleEndian.PutUint32(dst[4*i:], math.Float32bits(x))
	}
}
