package feed

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"testing"
)

// referenceDigest is the digest computed the plain way: every tensor
// copied into one buffer, every sample's slice hashed, no memo.
func referenceDigest(b *Batch) [DigestLen]byte {
	var buf []byte
	uv := func(v int) { buf = binary.AppendUvarint(buf, uint64(v)) }
	uv(len(b.Rows))
	for _, r := range b.Rows {
		uv(len(r.ID))
		buf = append(buf, r.ID...)
	}
	uv(len(b.Tensors))
	for i := range b.Tensors {
		t := &b.Tensors[i]
		uv(len(t.Name))
		buf = append(buf, t.Name...)
		var data []byte
		if t.Parts == nil {
			data = append(data, t.Data...)
		}
		for _, p := range t.Parts {
			data = append(data, p...)
		}
		uv(len(data))
		rows := len(b.Rows)
		if rows == 0 || len(data)%rows != 0 {
			rows = 1
		}
		per := len(data) / rows
		for s := range rows {
			sum := sha256.Sum256(data[s*per : (s+1)*per])
			buf = append(buf, sum[:]...)
		}
	}
	full := sha256.Sum256(append(append([]byte(nil), digestDomain...), buf...))
	var out [DigestLen]byte
	copy(out[:], full[:])
	return out
}

// TestDigestMemoIsTheBytes: with every stream, packed or not, gathered or
// not, the digest (first computed, then from the cache's memo) equals the
// plain computation; bytes written elsewhere than the memo's memory are
// hashed afresh.
func TestDigestMemoIsTheBytes(t *testing.T) {
	root, cat := corpus(t)
	f := newFeed(t, Config{})
	every := []Stream{Pixel, Meta, Alpha, AlphaFull, LSB, Palette, PaletteLSB, Format, Content}
	samples := served(cat, 40)
	for _, pack := range []bool{false, true} {
		for _, gather := range []bool{false, true} {
			for round := range 2 {
				b, err := f.Assemble(context.Background(), root, samples, Layout{Streams: every, PackBits: pack, Gather: gather, Weights: DefaultWeights()})
				if err != nil {
					t.Fatal(err)
				}
				if got, want := b.Digest(), referenceDigest(b); got != want {
					t.Fatalf("pack %v gather %v round %d: digest %x, plain %x", pack, gather, round, got, want)
				}
				if gather && round == 1 {
					// A transform writing a sample's pixels elsewhere: the memo
					// of the cached pixels must not be used for them.
					px := &b.Tensors[0]
					moved := append([]byte(nil), px.Parts[3]...)
					moved[0] ^= 0xff
					px.Parts[3] = moved
					if got, want := b.Digest(), referenceDigest(b); got != want {
						t.Fatalf("pack %v: moved sample: digest %x, plain %x", pack, got, want)
					}
				}
				b.Release()
			}
		}
	}
}
