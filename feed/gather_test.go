package feed

import (
	"bytes"
	"context"
	"testing"
)

// TestGatherMatchesPlain: over every served sample of the corpus, a gathered
// batch's parts concatenate to the plain batch's data, packed or not; the
// direct streams point into the cache, and the zero planes of images
// without alpha or palette point at the shared zeros.
func TestGatherMatchesPlain(t *testing.T) {
	root, cat := corpus(t)
	all := served(cat, len(cat.Current().Served))
	f := newFeed(t, Config{})
	ctx := context.Background()
	zeroParts, cacheParts := 0, 0
	for start := 0; start < len(all); start += 32 {
		samples := all[start:min(start+32, len(all))]
		for _, pack := range []bool{false, true} {
			plain, err := f.Assemble(ctx, root, samples, Layout{Streams: allStreams, PackBits: pack})
			if err != nil {
				t.Fatal(err)
			}
			g, err := f.Assemble(ctx, root, samples, Layout{Streams: allStreams, PackBits: pack, Gather: true})
			if err != nil {
				t.Fatal(err)
			}
			if g.Bytes() != plain.Bytes() {
				t.Fatalf("gathered batch has %d bytes, plain %d", g.Bytes(), plain.Bytes())
			}
			for i, tn := range g.Tensors {
				var joined []byte
				for _, p := range tn.Parts {
					joined = append(joined, p...)
					switch {
					case len(p) > 0 && &p[0] == &zeros[0]:
						zeroParts++
					case tn.Stream == Pixel:
						st, _ := f.mem.get(cacheKey(samples[len(joined)/len(p)-1].ID))
						if &p[0] != &st.Pixel[0] {
							t.Fatalf("pixel part %d is not the cached crop", len(joined)/len(p)-1)
						}
						cacheParts++
					}
				}
				if tn.Parts == nil {
					joined = tn.Data
				}
				if !bytes.Equal(joined, plain.Tensors[i].Data) || tn.Len() != len(plain.Tensors[i].Data) {
					t.Fatalf("%s (packed %v): gathered bytes differ from the plain layout", tn.Name, pack)
				}
			}
			g.Release()
			for _, tn := range g.Tensors {
				if tn.Parts != nil || tn.Data != nil {
					t.Fatalf("%s: parts kept after Release", tn.Name)
				}
			}
			plain.Release()
		}
	}
	if zeroParts == 0 || cacheParts == 0 {
		t.Fatalf("%d zero parts, %d cache parts: the corpus should give both", zeroParts, cacheParts)
	}
}

// TestAllZero checks the zero scan on every length and position of a set byte.
func TestAllZero(t *testing.T) {
	for n := 0; n <= 100; n++ {
		b := make([]byte, n)
		if !allZero(b) {
			t.Fatalf("%d zeros reported non-zero", n)
		}
		for i := range b {
			b[i] = 1 << (i % 8)
			if allZero(b) {
				t.Fatalf("length %d with byte %d set reported zero", n, i)
			}
			b[i] = 0
		}
	}
}
