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
	// Gather leaves the tensors that are plain copies of cached streams, and
	// the all-zero samples of bit planes, as references (Tensor.Parts)
	// instead of copying them into one buffer: for a transport that writes
	// scattered buffers.
	Gather bool
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
	return f.assemble(ctx, root, samples, nil, l)
}

// assemble is Assemble with each sample's D4 transform (none when nil).
func (f *Feed) assemble(ctx context.Context, root string, samples []*index.Sample, transforms []uint8, l Layout) (*Batch, error) {
	got, err := f.loadAll(ctx, root, samples)
	if err != nil {
		return nil, err
	}
	var extra [][]byte
	planes := planesOf(l.streams())
	for i, t := range transforms {
		got[i] = f.augmented(got[i], t, planes, &extra)
	}
	b := &Batch{feed: f, Rows: make([]Row, len(samples)), extra: extra}
	for i, s := range samples {
		b.Rows[i] = rowOf(s, l.Weights)
		if s.Kind >= 0 && int(s.Kind) < len(b.Kinds) {
			b.Kinds[s.Kind]++
		}
	}
	streams := l.streams()
	b.Tensors = make([]Tensor, len(streams))
	for i, st := range streams {
		b.Tensors[i] = f.tensor(st, got, l.PackBits, l.Gather)
	}
	return b, nil
}

// loadAll returns the streams of every sample: hits straight from the memory
// cache, misses loaded concurrently (the worker pool bounds the extraction).
func (f *Feed) loadAll(ctx context.Context, root string, samples []*index.Sample) ([]cached, error) {
	got := make([]cached, len(samples))
	var missing []int
	for i, s := range samples {
		if e, ok := f.mem.lookup(cacheKey(s.ID)); ok {
			f.hits.Add(1)
			got[i] = e
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
			if err == nil {
				got[i] = f.entry(samples[i].ID, st)
			}
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

// entry returns the cache's description of st, just loaded for id (its
// zero scans and packed planes are then shared with later batches), or a
// fresh one when the cache did not keep it.
func (f *Feed) entry(id string, st *extract.Streams) cached {
	if e, ok := f.mem.lookup(cacheKey(id)); ok && e.s == st {
		return e
	}
	return describe(st)
}

// tensor lays out one stream of the batch: in a pooled buffer, or with
// gather as parts that reference the cache where the bytes are there as is.
func (f *Feed) tensor(st Stream, got []cached, pack, gather bool) Tensor {
	in := streamInfos[st]
	packed := pack && in.bits
	per := st.SampleBytes(packed)
	shape := make([]int64, 0, 1+len(in.shape))
	shape = append(shape, int64(len(got)))
	shape = append(shape, in.shape...)
	t := Tensor{Stream: st, Name: in.name, DType: in.dtype, Shape: shape, Packed: packed}
	if gather && in.source != nil {
		t.Parts, t.memo = make([][]byte, len(got)), make([]memoPart, len(got))
		for i, c := range got {
			t.Parts[i] = fit(in.source(c.s), per)
			t.memo[i] = c.memoOf(st, false, t.Parts[i])
		}
		return t
	}
	if packed {
		return f.packedTensor(t, got, per, gather)
	}
	if !gather {
		t.Data = f.bufs.get(per * len(got))
	}
	for i, c := range got {
		if gather && c.zeroFrom(st) {
			t.Parts = appendPart(t.Parts, zeros[:per])
			continue
		}
		if t.Data == nil { // gathered: memory only once a sample needs it
			t.Data = f.bufs.get(per * len(got))
		}
		dst := t.Data[i*per : (i+1)*per]
		if c.zeroFrom(st) {
			clear(dst)
			continue
		}
		sampleInto(dst, st, c.s, packed)
		if gather {
			t.Parts = appendPart(t.Parts, dst)
		}
	}
	return t
}

// packedTensor lays out a packed bit plane from the samples' packed planes
// (computed once per cached sample): gathered, it references them.
func (f *Feed) packedTensor(t Tensor, got []cached, per int, gather bool) Tensor {
	if gather {
		t.Parts, t.memo = make([][]byte, len(got)), make([]memoPart, len(got))
	} else {
		t.Data = f.bufs.get(per * len(got))
	}
	for i, c := range got {
		p := zeros[:per]
		if !c.zeroFrom(t.Stream) {
			p = c.packedPlane(t.Stream)
		}
		if gather {
			t.Parts[i] = fit(p, per)
			t.memo[i] = c.memoOf(t.Stream, true, t.Parts[i])
		} else {
			copy(t.Data[i*per:(i+1)*per], p)
		}
	}
	return t
}

// fit returns p when it is one sample's n bytes, else a copy cut or zero
// padded to n (streams are always of their fixed sizes; this keeps a
// gathered tensor's length exact whatever happens).
func fit(p []byte, n int) []byte {
	if len(p) == n {
		return p
	}
	out := make([]byte, n)
	copy(out, p)
	return out
}

// appendPart appends p to parts, merged with the last part when it follows
// it in memory.
func appendPart(parts [][]byte, p []byte) [][]byte {
	if n := len(parts); n > 0 {
		last := parts[n-1]
		if len(last) > 0 && len(p) > 0 && cap(last) > len(last) && &last[:len(last)+1][len(last)] == &p[0] {
			parts[n-1] = last[:len(last)+len(p)]
			return parts
		}
	}
	return append(parts, p)
}

// sampleInto writes one sample's slice of stream st.
func sampleInto(dst []byte, st Stream, s *extract.Streams, packed bool) {
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
