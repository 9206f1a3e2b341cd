package extract

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"sync"
)

// Digests are the sha256 of each byte stream in its canonical layout and the
// two float vectors, as the reference's expected.jsonl records them.
type Digests struct {
	Pixel      string    `json:"pixel"`
	Meta       string    `json:"meta"`
	Alpha      string    `json:"alpha"`
	LSB        string    `json:"lsb"`
	Palette    string    `json:"palette"`
	PaletteLSB string    `json:"palette_lsb"`
	Format     []float64 `json:"format"`
	Content    []float64 `json:"content"`
}

// Digest returns the digests of s. Streams of one repeated byte (the zero
// alpha, palette and palette_lsb planes of most images) take their digest
// from a table instead of hashing them again; the LSB streams are hashed
// straight from Pixel and AlphaFull without building them.
func (s *Streams) Digest() Digests {
	return Digests{
		Pixel:      hashBytes(s.Pixel, 0xff),
		Meta:       hashBytes(s.Meta, 0xff),
		Alpha:      hashBytes(s.AlphaFull, 1),
		LSB:        hashBytes(s.Pixel, 1),
		Palette:    hashBytes(s.Palette, 0xff),
		PaletteLSB: hashBytes(s.PaletteLSB, 0xff),
		Format:     widen(s.FormatVec[:]),
		Content:    widen(s.Content[:]),
	}
}

// hashBytes returns the hex sha256 of b with every byte ANDed with mask.
func hashBytes(b []uint8, mask uint8) string {
	if v, ok := uniform(b); ok {
		return uniformDigest(len(b), v&mask)
	}
	if mask == 0xff {
		sum := sha256.Sum256(b)
		return hex.EncodeToString(sum[:])
	}
	h := hasherPool.Get().(*maskHasher)
	defer hasherPool.Put(h)
	h.h.Reset()
	for len(b) > 0 {
		n := min(len(b), len(h.buf))
		m := uint64(mask) * 0x0101010101010101
		i := 0
		for ; i+8 <= n; i += 8 {
			binary.LittleEndian.PutUint64(h.buf[i:], binary.LittleEndian.Uint64(b[i:])&m)
		}
		for ; i < n; i++ {
			h.buf[i] = b[i] & mask
		}
		h.h.Write(h.buf[:n])
		b = b[n:]
	}
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.h.Sum(sum[:0]))
}

// maskHasher hashes masked bytes through a small buffer that stays in cache.
type maskHasher struct {
	h   hash.Hash
	buf [8192]byte
}

var hasherPool = sync.Pool{New: func() any { return &maskHasher{h: sha256.New()} }}

// uniform reports whether every byte of b is the same, and which; an empty
// slice is not uniform.
func uniform(b []uint8) (uint8, bool) {
	if len(b) == 0 {
		return 0, false
	}
	v := b[0]
	w := uint64(v) * 0x0101010101010101
	for len(b) >= 32 {
		if (binary.LittleEndian.Uint64(b)^w)|(binary.LittleEndian.Uint64(b[8:])^w)|
			(binary.LittleEndian.Uint64(b[16:])^w)|(binary.LittleEndian.Uint64(b[24:])^w) != 0 {
			return 0, false
		}
		b = b[32:]
	}
	for _, x := range b {
		if x != v {
			return 0, false
		}
	}
	return v, true
}

// uniformKey names a stream of n copies of one byte.
type uniformKey struct {
	n int
	v uint8
}

var uniformDigests sync.Map // uniformKey -> string

// uniformDigest returns the hex sha256 of n copies of v, computing it once
// per (n, v).
func uniformDigest(n int, v uint8) string {
	k := uniformKey{n, v}
	if d, ok := uniformDigests.Load(k); ok {
		return d.(string)
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = v
	}
	sum := sha256.Sum256(b)
	d := hex.EncodeToString(sum[:])
	uniformDigests.Store(k, d)
	return d
}

func widen(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}
