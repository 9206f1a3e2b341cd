package feed

import (
	"fmt"

	"github.com/starlight/dataserver/extract"
)

// Stream names one tensor a batch may carry.
type Stream int

// The streams of SPEC.md section 2, plus the full alpha values.
const (
	Pixel Stream = iota + 1
	Meta
	Alpha
	AlphaFull
	LSB
	Palette
	PaletteLSB
	Format
	Content
)

// DefaultStreams are the streams sent when a request names none.
var DefaultStreams = []Stream{Pixel, Meta, Alpha, LSB, Palette, PaletteLSB, Format, Content}

// DType is the element type of a tensor.
type DType int

// Tensor element types.
const (
	Uint8 DType = iota + 1
	// Float32 is IEEE 754 binary32, little-endian.
	Float32
)

type streamInfo struct {
	name  string
	dtype DType
	shape []int64 // per sample
	bits  bool    // values are 0/1 and may be packed
	// source returns a sample's bytes when the tensor holds them as they
	// are cached (nil when they are computed).
	source func(*extract.Streams) []byte
}

var streamInfos = map[Stream]streamInfo{
	Pixel:      {"pixel", Uint8, []int64{3, 256, 256}, false, func(s *extract.Streams) []byte { return s.Pixel }},
	Meta:       {"meta", Uint8, []int64{extract.MetaLen}, false, func(s *extract.Streams) []byte { return s.Meta }},
	Alpha:      {"alpha", Uint8, []int64{1, 256, 256}, true, nil},
	AlphaFull:  {"alpha_full", Uint8, []int64{1, 256, 256}, false, func(s *extract.Streams) []byte { return s.AlphaFull }},
	LSB:        {"lsb", Uint8, []int64{3, 256, 256}, true, nil},
	Palette:    {"palette", Uint8, []int64{extract.PaletteLen}, false, func(s *extract.Streams) []byte { return s.Palette }},
	PaletteLSB: {"palette_lsb", Uint8, []int64{1, 256, 256}, true, nil},
	Format:     {"format", Float32, []int64{extract.VectorLen}, false, nil},
	Content:    {"content", Float32, []int64{extract.VectorLen}, false, nil},
}

// Name returns the stream's wire name ("pixel", "alpha_full", ...).
func (s Stream) Name() string {
	if in, ok := streamInfos[s]; ok {
		return in.name
	}
	return fmt.Sprintf("stream(%d)", int(s))
}

// Valid tells whether s is one of the known streams.
func (s Stream) Valid() bool {
	_, ok := streamInfos[s]
	return ok
}

// Bits tells whether the stream's values are 0/1 planes that may be packed.
func (s Stream) Bits() bool { return streamInfos[s].bits }

// sampleElems returns the number of values of one sample.
func (s Stream) sampleElems() int {
	n := int64(1)
	for _, d := range streamInfos[s].shape {
		n *= d
	}
	return int(n)
}

// SampleBytes returns the bytes one sample takes in a batch, packed or not.
func (s Stream) SampleBytes(packed bool) int {
	in := streamInfos[s]
	n := s.sampleElems()
	switch {
	case in.dtype == Float32:
		return 4 * n
	case packed && in.bits:
		return (n + 7) / 8
	}
	return n
}

// BatchBytes returns the tensor bytes of a batch of size n with the given streams.
func BatchBytes(streams []Stream, n int, packed bool) int64 {
	var t int64
	for _, s := range streams {
		t += int64(s.SampleBytes(packed)) * int64(n)
	}
	return t
}
