package feed

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"math"
	"math/rand/v2"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/starlight/dataserver/catalog"
	"github.com/starlight/dataserver/extract"
	"github.com/starlight/dataserver/index"
	"github.com/starlight/dataserver/internal/corpustest"
	"github.com/starlight/dataserver/sampling"
)

// rot1 is the quarter turn counterclockwise written from its definition
// (numpy.rot90: out[i][j] = in[j][n-1-i]), coordinate by coordinate.
func rot1(src []byte) []byte {
	out := make([]byte, len(src))
	for i := range side {
		for j := range side {
			out[i*side+j] = src[j*side+side-1-i]
		}
	}
	return out
}

// mirror is numpy.fliplr: out[i][j] = in[i][n-1-j].
func mirror(src []byte) []byte {
	out := make([]byte, len(src))
	for i := range side {
		for j := range side {
			out[i*side+j] = src[i*side+side-1-j]
		}
	}
	return out
}

func TestTransformsAreTheEightSymmetries(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	src := make([]byte, 2*side*side)
	for i := range src {
		src[i] = byte(r.Uint32())
	}
	seen := map[string]uint8{}
	for tr := range uint8(sampling.NumTransforms) {
		got := TransformPlanes(nil, src, tr)
		for p := range 2 {
			want := src[p*side*side : (p+1)*side*side]
			if tr >= 4 {
				want = mirror(want)
			}
			for range tr & 3 {
				want = rot1(want)
			}
			if !bytes.Equal(got[p*side*side:(p+1)*side*side], want) {
				t.Fatalf("transform %d plane %d differs from %d quarter turns after a mirror (%t)", tr, p, tr&3, tr >= 4)
			}
		}
		if prev, dup := seen[string(got)]; dup {
			t.Fatalf("transforms %d and %d give the same planes", prev, tr)
		}
		seen[string(got)] = tr
		back := TransformPlanes(nil, got, InverseTransform(tr))
		if !bytes.Equal(back, src) {
			t.Fatalf("transform %d: the inverse %d does not give the planes back", tr, InverseTransform(tr))
		}
	}
}

// spatial are the streams of 256x256 planes: the ones a transform moves.
var spatial = map[Stream]bool{Pixel: true, Alpha: true, AlphaFull: true, LSB: true, PaletteLSB: true}

func floats(b []byte) []float32 {
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

// indexed returns a catalog of the corpus indexed by the real index (which
// links stegos to their covers), built once per test binary.
func indexed(t testing.TB) *catalog.Catalog {
	t.Helper()
	root := corpustest.Datasets(t)
	indexedOnce.Do(func() {
		snap, err := index.Build(context.Background(), root, index.Options{HeaderOnly: true})
		if err != nil {
			indexedErr = err
			return
		}
		indexedCat = catalog.New(root, catalog.Options{Build: index.Build})
		indexedCat.Set(snap)
	})
	if indexedErr != nil {
		t.Fatal(indexedErr)
	}
	return indexedCat
}

var (
	indexedOnce sync.Once
	indexedCat  *catalog.Catalog
	indexedErr  error
)

// epochBatches streams one epoch of spec, returning its batches' tensors
// (copied) and rows.
func epochBatches(t *testing.T, f *Feed, spec Spec) ([][]Tensor, [][]Row) {
	t.Helper()
	cat := indexed(t)
	bs, err := f.Open(context.Background(), cat, spec)
	if err != nil {
		t.Fatal(err)
	}
	defer bs.Close()
	var ts [][]Tensor
	var rows [][]Row
	for {
		b, err := bs.Next(context.Background())
		if err == io.EOF {
			return ts, rows
		}
		if err != nil {
			t.Fatal(err)
		}
		if b.Paired != spec.Params.Pairing || b.Augmented != spec.Params.Augment {
			t.Fatalf("batch paired %t augmented %t, spec %t %t", b.Paired, b.Augmented, spec.Params.Pairing, spec.Params.Augment)
		}
		var cp []Tensor
		for _, tn := range b.Tensors {
			c := tn
			c.Data = bytes.Clone(tn.Data)
			if tn.Parts != nil {
				c.Data = nil
				for _, p := range tn.Parts {
					c.Data = append(c.Data, p...)
				}
			}
			c.Parts = nil
			cp = append(cp, c)
		}
		ts = append(ts, cp)
		rows = append(rows, b.Rows)
		b.Release()
	}
}

// TestAugmentationIsABijectionOverTheCorpus: a pairing epoch over the corpus
// with augmentation against the same epoch without: every spatial stream of
// every sample gives back the plain planes under the inverse transform, for
// all eight transforms; the pair members share their transform; the vectors
// follow the documented rules; packed planes are the packing of the
// transformed ones; a second run gives the same bytes.
func TestAugmentationIsABijectionOverTheCorpus(t *testing.T) {
	f := newFeed(t, Config{})
	p := sampling.Params{Seed: 5, BatchSize: 8, World: 1, Pairing: true, Mix: sampling.Mix{1, 1, 1}}
	plainT, plainRows := epochBatches(t, f, Spec{Params: p, Layout: Layout{Streams: allStreams}})
	p.Augment = true
	augT, augRows := epochBatches(t, f, Spec{Params: p, Layout: Layout{Streams: allStreams}})
	againT, _ := epochBatches(t, f, Spec{Params: p, Layout: Layout{Streams: allStreams, Gather: true}})
	packedT, _ := epochBatches(t, f, Spec{Params: p, Layout: Layout{Streams: allStreams, PackBits: true, Gather: true}})
	if len(plainT) != len(augT) || len(augT) == 0 {
		t.Fatalf("%d plain batches, %d augmented", len(plainT), len(augT))
	}
	seen := map[uint8]int{}
	for b := range augT {
		pairT := map[int32]uint8{}
		for i, row := range augRows[b] {
			tr := row.Transform
			seen[tr]++
			if row.ID != plainRows[b][i].ID || row.Pair != plainRows[b][i].Pair {
				t.Fatalf("batch %d row %d: augmentation changed the schedule", b, i)
			}
			if row.Pair >= 0 {
				if first, ok := pairT[row.Pair]; ok && first != tr {
					t.Fatalf("batch %d pair %d: transforms %d and %d", b, row.Pair, first, tr)
				}
				pairT[row.Pair] = tr
			}
			for k, tn := range augT[b] {
				per := tn.Stream.SampleBytes(false)
				got, plain := tn.Data[i*per:(i+1)*per], plainT[b][k].Data[i*per:(i+1)*per]
				if !bytes.Equal(againT[b][k].Data[i*per:(i+1)*per], got) {
					t.Fatalf("batch %d row %d %s: a second run differs", b, i, tn.Name)
				}
				switch {
				case spatial[tn.Stream]:
					if back := TransformPlanes(nil, got, InverseTransform(tr)); !bytes.Equal(back, plain) {
						t.Fatalf("batch %d row %d %s: transform %d not undone by its inverse", b, i, tn.Name, tr)
					}
					if tn.Stream.Bits() {
						pk := packedT[b][k]
						pper := tn.Stream.SampleBytes(true)
						want := make([]byte, pper)
						packLSBInto(want, got)
						if !bytes.Equal(pk.Data[i*pper:(i+1)*pper], want) {
							t.Fatalf("batch %d row %d %s: packed plane is not the packing of the transformed one", b, i, tn.Name)
						}
					}
				case tn.Stream == Format:
					g, w := floats(got), floats(plain)
					if tr&1 == 1 {
						w[4], w[5] = w[5], w[4]
					}
					if !equalFloats(g, w) {
						t.Fatalf("batch %d row %d format %v, want %v (transform %d)", b, i, g, w, tr)
					}
				case tn.Stream == Content:
					g, w := floats(got), floats(plain)
					pix := augT[b][indexOf(augT[b], Pixel)]
					pp := pix.Data[i*extract.PixelLen : (i+1)*extract.PixelLen]
					w[0], w[1], w[2] = extract.PixelContent(pp)
					if !equalFloats(g, w) {
						t.Fatalf("batch %d row %d content %v, want %v", b, i, g, w)
					}
				default:
					if !bytes.Equal(got, plain) {
						t.Fatalf("batch %d row %d %s changed by augmentation", b, i, tn.Name)
					}
				}
			}
		}
	}
	if len(seen) != sampling.NumTransforms {
		t.Fatalf("transforms seen %v, want all eight", seen)
	}
}

func equalFloats(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

func indexOf(ts []Tensor, s Stream) int {
	for i, t := range ts {
		if t.Stream == s {
			return i
		}
	}
	return -1
}

// TestAugmentOffIsBitIdentical: without augmentation, the batches of a
// schedule are those Assemble lays out for its samples (today's path).
func TestAugmentOffIsBitIdentical(t *testing.T) {
	cat := indexed(t)
	root := cat.Root()
	f := newFeed(t, Config{})
	p := sampling.Params{Seed: 3, BatchSize: 6, World: 1}
	ts, rows := epochBatches(t, f, Spec{Params: p, Layout: Layout{Streams: allStreams}})
	sched, err := sampling.New(cat.Current().PoolsFor(p.Split), p)
	if err != nil {
		t.Fatal(err)
	}
	for b := range ts {
		draws := sched.Batch(b)
		samples := served(cat, 0)
		for _, d := range draws {
			samples = append(samples, d.Sample)
		}
		want, err := f.Assemble(context.Background(), root, samples, Layout{Streams: allStreams})
		if err != nil {
			t.Fatal(err)
		}
		for k := range want.Tensors {
			if !bytes.Equal(want.Tensors[k].Data, ts[b][k].Data) {
				t.Fatalf("batch %d %s differs from Assemble", b, want.Tensors[k].Name)
			}
		}
		for i := range rows[b] {
			if rows[b][i].Transform != 0 {
				t.Fatalf("batch %d row %d: transform without augmentation", b, i)
			}
		}
		want.Release()
	}
}

// TestAugmentedVectors: on a non-square image's streams, quarter turns swap
// the format vector's width and height and the others keep them; the crop
// statistics of the content vector follow the transformed pixels, its alpha
// statistics stay; the cached streams are never written.
func TestAugmentedVectors(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	s := &extract.Streams{Pixel: make([]byte, extract.PixelLen), Meta: make([]byte, extract.MetaLen),
		AlphaFull: make([]byte, extract.AlphaLen), Palette: make([]byte, extract.PaletteLen), PaletteLSB: make([]byte, extract.PaletteLSBLen)}
	for i := range s.Pixel {
		s.Pixel[i] = byte(r.Uint32() & 0x41)
	}
	for i := range s.AlphaFull {
		s.AlphaFull[i] = byte(i / 3)
	}
	s.FormatVec = [6]float32{1, 0.2, 0, 0, 3, 1.5}
	s.Content = [6]float32{0.1, 0.2, 0.3, 0.4, 0.5, 0.6}
	orig := bytes.Clone(s.Pixel)
	c := describe(s)
	for tr := range uint8(sampling.NumTransforms) {
		var bufs [][]byte
		a := newFeed(t, Config{}).augmented(c, tr, planesOf(allStreams), &bufs)
		w, h := a.s.FormatVec[4], a.s.FormatVec[5]
		if turned := tr&1 == 1; (turned && (w != 1.5 || h != 3)) || (!turned && (w != 3 || h != 1.5)) {
			t.Fatalf("transform %d: width %v height %v", tr, w, h)
		}
		u, p, top := extract.PixelContent(a.s.Pixel)
		if a.s.Content != [6]float32{u, p, top, 0.4, 0.5, 0.6} && tr != 0 {
			t.Fatalf("transform %d: content %v", tr, a.s.Content)
		}
		if tr != 0 && (a.s == c.s || &a.s.Pixel[0] == &s.Pixel[0]) {
			t.Fatalf("transform %d shares the cached planes", tr)
		}
	}
	if !bytes.Equal(s.Pixel, orig) || s.FormatVec[4] != 3 {
		t.Fatal("augmentation wrote into the cached streams")
	}
}

// BenchmarkPairsAugment assembles 32-sample batches of the default streams,
// bit planes packed and gathered as the server sends them, from a warm
// cache of the corpus: plain, pairing, augmentation, and both. ns/op is the
// wall time per batch, cpu-ns/op the process's CPU time per batch (every
// thread): the server's cost of pairing and of the D4 transforms.
func BenchmarkPairsAugment(b *testing.B) {
	for _, c := range []struct {
		name             string
		pairing, augment bool
	}{{"plain", false, false}, {"pairing", true, false}, {"augment", false, true}, {"pairing+augment", true, true}} {
		b.Run(c.name, func(b *testing.B) {
			cat := indexed(b)
			f := newFeed(b, Config{})
			p := sampling.Params{Seed: 1, BatchSize: 32, World: 1, Pairing: c.pairing, Augment: c.augment}
			spec := Spec{Params: p, EndEpoch: 1 << 30, Layout: Layout{PackBits: true, Gather: true}}
			pull := func(n int) {
				spec.MaxBatches = n
				bs, err := f.Open(context.Background(), cat, spec)
				if err != nil {
					b.Fatal(err)
				}
				defer bs.Close()
				for range n {
					batch, err := bs.Next(context.Background())
					if err != nil {
						b.Fatal(err)
					}
					batch.Release()
				}
			}
			pull(b.N) // warm the cache with the very batches timed
			b.ReportAllocs()
			cpu0 := cpuTime()
			b.ResetTimer()
			pull(b.N)
			b.StopTimer()
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}

// cpuTime returns the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
