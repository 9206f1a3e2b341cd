package feed

import (
	"encoding/binary"
	"sync"

	"github.com/starlight/dataserver/extract"
)

// cached is one sample's streams with what assembly derives from them once:
// which source planes of 0/1 tensors are all zero (no alpha channel, not
// paletted), so that their tensors take no computing and, gathered, no
// memory of their own; and, on first demand, the packed bit planes.
type cached struct {
	s                         *extract.Streams
	alphaZero, paletteLSBZero bool
	packed                    *packedPlanes
	// sums are the digests of the entry's sample bytes (see digest.go).
	sums *entrySums
}

// packedPlanes are a sample's bit planes packed 8 per byte, computed once
// (on the first packed request) and shared by every batch after.
type packedPlanes struct {
	once                   sync.Once
	lsb, alpha, paletteLSB []byte
}

// packedExtra is the memory the packed planes of one sample may take; the
// cache counts it in each entry's size.
const packedExtra = (extract.PixelLen + extract.AlphaLen + extract.PaletteLSBLen) / 8

// describe scans s once (when it enters the cache or is freshly loaded).
func describe(s *extract.Streams) cached {
	return cached{s: s, alphaZero: allZero(s.AlphaFull), paletteLSBZero: allZero(s.PaletteLSB), packed: &packedPlanes{}, sums: &entrySums{}}
}

// zeroFrom tells whether st's tensor slice for c is all zero without looking.
func (c cached) zeroFrom(st Stream) bool {
	switch st {
	case Alpha:
		return c.alphaZero
	case PaletteLSB:
		return c.paletteLSBZero
	}
	return false
}

// packedPlane returns the packed bits of bit stream st (nil for another
// stream, or a zero plane), computing the sample's planes on first use.
func (c cached) packedPlane(st Stream) []byte {
	p := c.packed
	p.once.Do(func() {
		if p.lsb == nil { // an augmented sample comes with it
			p.lsb = packed(c.s.Pixel)
		}
		if !c.alphaZero {
			p.alpha = packed(c.s.AlphaFull)
		}
		if !c.paletteLSBZero {
			p.paletteLSB = packed(c.s.PaletteLSB)
		}
	})
	switch st {
	case LSB:
		return p.lsb
	case Alpha:
		return p.alpha
	case PaletteLSB:
		return p.paletteLSB
	}
	return nil
}

func packed(src []byte) []byte {
	out := make([]byte, (len(src)+7)/8)
	packLSBInto(out[:len(src)/8], src)
	for i := len(src) / 8 * 8; i < len(src); i++ { // a tail short of 8 values
		out[i/8] |= (src[i] & 1) << (7 - i%8)
	}
	return out
}

// zeros is shared read-only memory that gathered tensors point at for their
// all-zero samples; it covers one sample of the largest zero-able stream.
var zeros = make([]byte, extract.Plane)

// allZero tells whether every byte of b is 0, 32 bytes a turn.
func allZero(b []byte) bool {
	var acc uint64
	for len(b) >= 32 {
		s := b[:32:32]
		acc |= binary.LittleEndian.Uint64(s[0:]) | binary.LittleEndian.Uint64(s[8:]) |
			binary.LittleEndian.Uint64(s[16:]) | binary.LittleEndian.Uint64(s[24:])
		if acc != 0 {
			return false
		}
		b = b[32:]
	}
	for _, v := range b {
		acc |= uint64(v)
	}
	return acc == 0
}
