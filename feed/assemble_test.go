package feed

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/starlight/dataserver/extract"
	"github.com/starlight/dataserver/index"
	"github.com/starlight/dataserver/sampling"
)

// TestPackLSB compares the word-at-a-time packing with a bit-by-bit one.
func TestPackLSB(t *testing.T) {
	src := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range src {
		src[i] = byte(rng.UintN(256))
	}
	got := make([]byte, len(src)/8)
	packLSBInto(got, src)
	for i := range got {
		var want byte
		for j := 0; j < 8; j++ {
			want |= (src[8*i+j] & 1) << (7 - j)
		}
		if got[i] != want {
			t.Fatalf("byte %d: %08b, want %08b", i, got[i], want)
		}
	}
	lsb := make([]byte, len(src))
	lsbInto(lsb, src)
	for i := range lsb {
		if lsb[i] != src[i]&1 {
			t.Fatalf("lsb %d: %d of %d", i, lsb[i], src[i])
		}
	}
}

var allStreams = []Stream{Pixel, Meta, Alpha, AlphaFull, LSB, Palette, PaletteLSB, Format, Content}

// TestAssembleDeterministic: two feeds (one cold, one warm from a first
// pass) lay out the same samples bit for bit; packed planes unpack to the
// unpacked ones; every tensor slice equals the extractor's own output.
func TestAssembleDeterministic(t *testing.T) {
	root, cat := corpus(t)
	samples := served(cat, 12)
	ctx := context.Background()
	f1 := newFeed(t, Config{})
	a, err := f1.Assemble(ctx, root, samples, Layout{Streams: allStreams, Weights: DefaultWeights()})
	if err != nil {
		t.Fatal(err)
	}
	warm, err := f1.Assemble(ctx, root, samples, Layout{Streams: allStreams, Weights: DefaultWeights()})
	if err != nil {
		t.Fatal(err)
	}
	f2 := newFeed(t, Config{CacheBytes: -1})
	b, err := f2.Assemble(ctx, root, samples, Layout{Streams: allStreams, PackBits: true, Weights: DefaultWeights()})
	if err != nil {
		t.Fatal(err)
	}
	if f1.Stats().CacheHits != uint64(len(samples)) || f2.Stats().CacheHits != 0 {
		t.Fatalf("cache figures: warm %+v, no cache %+v", f1.Stats(), f2.Stats())
	}
	for i, ta := range a.Tensors {
		tb, tw := b.Tensors[i], warm.Tensors[i]
		if !bytes.Equal(ta.Data, tw.Data) {
			t.Fatalf("%s: cached batch differs from the cold one", ta.Name)
		}
		if ta.Stream.Bits() {
			if !tb.Packed || len(tb.Data)*8 != len(ta.Data) {
				t.Fatalf("%s: not packed (%d bytes for %d values)", ta.Name, len(tb.Data), len(ta.Data))
			}
			for j, v := range ta.Data {
				if bit := tb.Data[j/8] >> (7 - j%8) & 1; bit != v {
					t.Fatalf("%s: value %d is %d, packed bit %d", ta.Name, j, v, bit)
				}
			}
		} else if !bytes.Equal(ta.Data, tb.Data) {
			t.Fatalf("%s: differs between two feeds", ta.Name)
		}
		if ta.Shape[0] != int64(len(samples)) {
			t.Fatalf("%s: shape %v", ta.Name, ta.Shape)
		}
	}
	// The pixel slice of every sample is the extractor's crop.
	for i, s := range samples {
		st, err := f1.Load(ctx, root, s)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Tensors[0].Data[i*extract.PixelLen:(i+1)*extract.PixelLen], st.Pixel) {
			t.Fatalf("%s: pixel slice is not the extractor's", s.Path)
		}
	}
	for i, r := range a.Rows {
		if r.Path != samples[i].Path || (r.Kind == index.KindNegative) != (r.LossWeight == 2) || (r.Label == 1) != (r.Kind == index.KindStego) {
			t.Fatalf("row %d: %+v", i, r)
		}
	}
	a.Release()
	warm.Release()
	b.Release()
}

// TestBatchesFollowScheduleUnderTinyBudget: with a budget too small for
// any prefetch, a stream still delivers the schedule's batches in order;
// afterwards the budget is wholly free again.
func TestBatchesFollowScheduleUnderTinyBudget(t *testing.T) {
	_, cat := corpus(t)
	f := newFeed(t, Config{MemoryBudget: 1, Prefetch: 3})
	p := sampling.Params{Seed: 9, Epoch: 1, BatchSize: 7, World: 2, Rank: 1, Mix: sampling.Mix{1, 2, 1}}
	bs, err := f.Open(context.Background(), cat, Spec{Params: p, Layout: Layout{Streams: []Stream{Meta}}})
	if err != nil {
		t.Fatal(err)
	}
	sched, err := sampling.New(cat.Current().PoolsFor(p.Split), p)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		b, err := bs.Next(context.Background())
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		want := sched.Batch(n)
		for i, r := range b.Rows {
			if r.Path != want[i].Sample.Path {
				t.Fatalf("batch %d sample %d: %s, schedule says %s", n, i, r.Path, want[i].Sample.Path)
			}
		}
		if b.Index != n || b.Epoch != 1 {
			t.Fatalf("batch %d labelled epoch %d index %d", n, b.Epoch, b.Index)
		}
		b.Release()
		n++
	}
	bs.Close()
	if n != sched.BatchesPerEpoch() {
		t.Fatalf("%d batches, schedule has %d", n, sched.BatchesPerEpoch())
	}
	if used := f.budget.inUse(); used != 0 {
		t.Fatalf("%d budget bytes still held", used)
	}
}

// TestCloseMidStream: closing a stream with batches queued frees them all.
func TestCloseMidStream(t *testing.T) {
	_, cat := corpus(t)
	f := newFeed(t, Config{MemoryBudget: 64 << 20, Prefetch: 4})
	bs, err := f.Open(context.Background(), cat, Spec{Params: sampling.Params{BatchSize: 4, World: 1},
		Layout: Layout{Streams: []Stream{Pixel}}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := bs.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b.Release()
	bs.Close()
	if cached, _ := f.mem.stats(); f.budget.inUse() != cached {
		t.Fatalf("%d budget bytes held after Close, %d of them by the cache", f.budget.inUse(), cached)
	}
}

func benchAssemble(b *testing.B, cfg Config, pack bool) {
	root, cat := corpus(b)
	f := newFeed(b, cfg)
	samples := served(cat, 32)
	l := Layout{Streams: DefaultStreams, PackBits: pack, Weights: DefaultWeights()}
	ctx := context.Background()
	if cfg.CacheBytes >= 0 {
		if _, err := f.Assemble(ctx, root, samples, l); err != nil { // warm
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	var bytes int64
	for i := 0; i < b.N; i++ {
		batch, err := f.Assemble(ctx, root, samples, l)
		if err != nil {
			b.Fatal(err)
		}
		bytes += batch.Bytes()
		batch.Release()
	}
	b.SetBytes(bytes / int64(b.N))
	b.ReportMetric(float64(b.N*len(samples))/b.Elapsed().Seconds(), "samples/s")
}

// BenchmarkAssembleCached lays out 32-sample batches from the memory cache.
func BenchmarkAssembleCached(b *testing.B) { benchAssemble(b, Config{}, false) }

// BenchmarkAssembleCachedPacked is the same with bit planes packed.
func BenchmarkAssembleCachedPacked(b *testing.B) { benchAssemble(b, Config{}, true) }

// BenchmarkAssembleCold extracts every image of every batch (no cache).
func BenchmarkAssembleCold(b *testing.B) { benchAssemble(b, Config{CacheBytes: -1}, false) }
