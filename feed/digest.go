package feed

import (
	"crypto/sha256"
	"encoding/binary"
	"sync"
)

// The batch digest is a two-level sha256 of the batch's bytes in wire
// order: the content ids, then per tensor its name, length and the sha256
// of each sample's bytes. A sample's sum over memory the stream cache owns
// (its cached streams, its packed planes, the shared zeros) is computed once
// and kept with the cache entry, so a cached epoch's digest hashes only the
// bytes computed for the batch; the tensors are never copied.

// sampleSum is the sha256 of one sample's bytes of one stream, computed once.
type sampleSum struct {
	once sync.Once
	sum  [sha256.Size]byte
}

func (s *sampleSum) get(b []byte) [sha256.Size]byte {
	s.once.Do(func() { s.sum = sha256.Sum256(b) })
	return s.sum
}

// entrySums are the sums of a cache entry's sample bytes, by stream and packing.
type entrySums [2 * (Content + 1)]sampleSum

// memoPart ties one sample's bytes in a tensor to the sum kept for them.
// The sum is used only while the sample's bytes are still that very memory
// (src): bytes written anywhere else are hashed afresh.
type memoPart struct {
	src []byte
	sum *sampleSum
}

// memoOf returns the memo of the bytes p of stream st (packed or not) of
// the entry c: p must be memory the entry owns and never changes.
func (c cached) memoOf(st Stream, packed bool, p []byte) memoPart {
	if c.sums == nil || st < 0 || st > Content {
		return memoPart{}
	}
	i := 2 * int(st)
	if packed {
		i++
	}
	return memoPart{src: p, sum: &c.sums[i]}
}

// zeroSums memoizes the sums of the shared zeros, by length.
var zeroSums sync.Map // int -> *sampleSum

// sumOf returns the sha256 of b, the bytes of one sample, from its memo
// when b is the memory the memo names or the shared zeros.
func sumOf(b []byte, m memoPart) [sha256.Size]byte {
	switch {
	case len(b) == 0:
		return sha256.Sum256(nil)
	case m.sum != nil && len(m.src) == len(b) && &m.src[0] == &b[0]:
		return m.sum.get(b)
	case len(b) <= len(zeros) && &b[0] == &zeros[0]:
		v, _ := zeroSums.LoadOrStore(len(b), &sampleSum{})
		return v.(*sampleSum).get(b)
	}
	return sha256.Sum256(b)
}

// Digest returns the batch's digest (truncated to DigestLen bytes): see
// the top of this file. It reads the tensors where they lie.
func (b *Batch) Digest() [DigestLen]byte {
	h := sha256.New()
	h.Write(digestDomain)
	var n [binary.MaxVarintLen64]byte
	put := func(v int) { h.Write(binary.AppendUvarint(n[:0], uint64(v))) }
	put(len(b.Rows))
	for i := range b.Rows {
		put(len(b.Rows[i].ID))
		h.Write([]byte(b.Rows[i].ID))
	}
	put(len(b.Tensors))
	var scratch []byte
	for i := range b.Tensors {
		t := &b.Tensors[i]
		put(len(t.Name))
		h.Write([]byte(t.Name))
		total := t.Len()
		put(total)
		rows := len(b.Rows)
		if rows == 0 || total%rows != 0 {
			rows = 1 // not one slice per sample: the bytes as one
		}
		parts := append([][]byte(nil), t.Parts...) // nextBytes cuts them
		if t.Parts == nil {
			parts = [][]byte{t.Data}
		}
		per := total / rows
		for s := range rows {
			var sample []byte
			sample, parts, scratch = nextBytes(parts, per, scratch)
			var m memoPart
			if s < len(t.memo) {
				m = t.memo[s]
			}
			sum := sumOf(sample, m)
			h.Write(sum[:])
		}
	}
	var out [DigestLen]byte
	copy(out[:], h.Sum(nil))
	return out
}

// nextBytes takes the next n bytes off parts: a slice of one part when they
// lie in one, else a copy into scratch.
func nextBytes(parts [][]byte, n int, scratch []byte) (b []byte, rest [][]byte, _ []byte) {
	for len(parts) > 0 && len(parts[0]) == 0 {
		parts = parts[1:]
	}
	if len(parts) == 0 || n == 0 {
		return nil, parts, scratch
	}
	if len(parts[0]) >= n {
		b, parts[0] = parts[0][:n:n], parts[0][n:]
		return b, parts, scratch
	}
	scratch = scratch[:0]
	for len(scratch) < n && len(parts) > 0 {
		k := min(n-len(scratch), len(parts[0]))
		scratch = append(scratch, parts[0][:k]...)
		parts[0] = parts[0][k:]
		if len(parts[0]) == 0 {
			parts = parts[1:]
		}
	}
	return scratch, parts, scratch
}
