package server

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/starlight/dataserver/catalog"
	"github.com/starlight/dataserver/feed"
	"github.com/starlight/dataserver/index"
	"github.com/starlight/dataserver/internal/corpustest"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
	"github.com/starlight/dataserver/sampling"
)

// globalSample is one served sample seen from outside: its global batch
// and place in it, its content id and its transform.
type globalSample struct {
	id        string
	transform uint32
}

// record notes the samples of rank's batches (world ranks, division
// starting at base) by global position.
func record(t *testing.T, into map[[2]uint64]globalSample, bs []*pb.StreamBatchesResponse, base uint64, rank, world int) {
	t.Helper()
	for _, b := range bs {
		g := base + b.GetBatchIndex()*uint64(world) + uint64(rank)
		checkPairs(t, b)
		for j, id := range b.GetContentIds() {
			key := [2]uint64{g, uint64(j)}
			if _, dup := into[key]; dup {
				t.Fatalf("global batch %d place %d served twice", g, j)
			}
			into[key] = globalSample{id, b.GetTransforms()[j]}
		}
	}
}

// checkPairs checks a pairing batch from outside: pair_index and
// transforms for every sample, each pair a clean sample then stegos, in
// one run, sharing one transform.
func checkPairs(t *testing.T, b *pb.StreamBatchesResponse) {
	t.Helper()
	n := len(b.GetContentIds())
	if len(b.GetPairIndex()) != n || len(b.GetTransforms()) != n {
		t.Fatalf("batch of %d samples with %d pair indices and %d transforms", n, len(b.GetPairIndex()), len(b.GetTransforms()))
	}
	next := int32(0)
	for i := 0; i < n; {
		p := b.GetPairIndex()[i]
		if p < 0 {
			if b.GetKinds()[i] == pb.Kind_KIND_STEGO {
				t.Fatalf("stego %s outside a pair", b.GetPaths()[i])
			}
			i++
			continue
		}
		if p != next || b.GetKinds()[i] != pb.Kind_KIND_CLEAN {
			t.Fatalf("pair %d starts with %s (%s), want pair %d's cover", p, b.GetPaths()[i], b.GetKinds()[i], next)
		}
		j := i + 1
		for ; j < n && b.GetPairIndex()[j] == p; j++ {
			if b.GetKinds()[j] != pb.Kind_KIND_STEGO || b.GetTransforms()[j] != b.GetTransforms()[i] {
				t.Fatalf("pair %d member %s: kind %s transform %d, cover's %d", p, b.GetPaths()[j], b.GetKinds()[j], b.GetTransforms()[j], b.GetTransforms()[i])
			}
		}
		if j == i+1 {
			t.Fatalf("pair %d has no stego", p)
		}
		next++
		i = j
	}
}

// TestElasticResumeOverLoopback: a pairing, augmenting epoch over the real
// index of the corpus, cut at random points with 4 ranks and resumed with 2
// (and 2 to 3) from an elastic cursor, counted from outside by global
// position: the union is the uninterrupted epoch, sample for sample and
// transform for transform, nothing served twice; only the padding past the
// epoch's last global batch differs.
func TestElasticResumeOverLoopback(t *testing.T) {
	cfg := testConfig(t)
	cfg.Build = nil // the real index: it links stegos to their covers
	r := start(t, cfg, true)
	c := pb.NewDataServiceClient(dial(t, r.addr))
	ctx := context.Background()
	base := &pb.StreamBatchesRequest{BatchSize: 6, Seed: 21, Epoch: 1, Pairing: true, Augment: true, StegosPerCover: 2,
		Mix: &pb.Mix{Stego: 2, Negative: 1}, Streams: []pb.StreamKind{pb.StreamKind_STREAM_KIND_FORMAT}}
	whole, err := pull(ctx, t, c, base)
	if err != nil {
		t.Fatal(err)
	}
	want := map[[2]uint64]globalSample{}
	record(t, want, whole, 0, 0, 1)
	checkUnpaired(t, r, c)
	globalBatches := uint64(len(whole))
	rng := rand.New(rand.NewPCG(4, 2))
	for _, tc := range []struct{ from, to int }{{4, 2}, {2, 3}, {4, 2}} {
		per := (int(globalBatches) + tc.from - 1) / tc.from
		steps := 1 + rng.IntN(per-1)
		got := map[[2]uint64]globalSample{}
		var last string
		for rank := range tc.from {
			req := cloneRequest(base)
			req.WorldSize, req.Rank, req.MaxBatches = uint32(tc.from), uint32(rank), uint32(steps)
			bs, err := pull(ctx, t, c, req)
			if err != nil {
				t.Fatal(err)
			}
			if len(bs) != steps {
				t.Fatalf("rank %d of %d: %d batches, asked %d", rank, tc.from, len(bs), steps)
			}
			record(t, got, bs, 0, rank, tc.from)
			last = bs[len(bs)-1].GetCursor()
		}
		consumed := uint64(steps * tc.from)
		elastic := sampling.ElasticCursor(last, consumed)
		for rank := range tc.to {
			req := cloneRequest(base)
			req.WorldSize, req.Rank, req.Cursor = uint32(tc.to), uint32(rank), elastic
			bs, err := pull(ctx, t, c, req)
			if err != nil {
				t.Fatalf("%d->%d ranks, resuming after %d steps: %v", tc.from, tc.to, steps, err)
			}
			record(t, got, bs, consumed, rank, tc.to)
		}
		padding := 0
		for key, s := range got {
			if key[0] >= globalBatches {
				padding++
				continue
			}
			if w, ok := want[key]; !ok || w != s {
				t.Fatalf("%d->%d after %d steps: global batch %d place %d holds %v, the uninterrupted epoch %v", tc.from, tc.to, steps, key[0], key[1], s, w)
			}
		}
		if len(got)-padding != len(want) {
			t.Fatalf("%d->%d after %d steps: %d samples of the epoch served, want %d", tc.from, tc.to, steps, len(got)-padding, len(want))
		}
		if padding >= (tc.from+tc.to)*int(base.BatchSize) {
			t.Fatalf("%d padding samples", padding)
		}
	}
}

// checkUnpaired compares Stats' unpaired_stegos with a count of the
// snapshot's accepted stegos whose cover is not an accepted clean sample of
// the content the sidecar names.
func checkUnpaired(t *testing.T, r *running, c pb.DataServiceClient) {
	t.Helper()
	st, err := c.Stats(context.Background(), &pb.StatsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	samples := r.srv.cat.Current().Snapshot.Samples
	covers := map[string]string{}
	for _, s := range samples {
		if s.Accepted && s.Kind == index.KindClean {
			covers[s.Path] = s.ID
		}
	}
	want := 0
	for _, s := range samples {
		if id, ok := covers[s.CoverPath]; s.Accepted && s.Kind == index.KindStego && (!ok || id != s.CoverID) {
			want++
		}
	}
	if st.GetUnpairedStegos() != uint64(want) {
		t.Fatalf("Stats unpaired_stegos %d, want %d", st.GetUnpairedStegos(), want)
	}
	t.Logf("corpus: %d stegos unpaired", want)
}

// TestAugmentedBatchesFrameAsProto: pairing, augmented batches of every
// stream, packed or not, gathered as the server sends them: the hand framing
// equals proto.Marshal, pair_index and transforms included, and the batch's
// pooled planes go back once the transport lets go.
func TestAugmentedBatchesFrameAsProto(t *testing.T) {
	root := corpustest.Datasets(t)
	snap, err := index.Build(context.Background(), root, index.Options{HeaderOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	cat := catalog.New(root, catalog.Options{Build: index.Build})
	cat.Set(snap)
	f, err := feed.New(feed.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, pack := range []bool{false, true} {
		spec := feed.Spec{Params: sampling.Params{Seed: 2, BatchSize: 16, World: 1, Pairing: true, Augment: true},
			MaxBatches: 4, Layout: feed.Layout{Streams: everyStream, PackBits: pack, Gather: true}}
		bs, err := f.Open(context.Background(), cat, spec)
		if err != nil {
			t.Fatal(err)
		}
		for {
			b, err := bs.Next(context.Background())
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			o := newOutgoing(b)
			got := encoded(t, o)
			want, err := proto.Marshal(o.message())
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("batch %d (pack %t): %d framed bytes differ from proto's %d", b.Index, pack, len(got), len(want))
			}
			var m pb.StreamBatchesResponse
			if err := proto.Unmarshal(got, &m); err != nil {
				t.Fatal(err)
			}
			if len(m.GetPairIndex()) != 16 || len(m.GetTransforms()) != 16 {
				t.Fatalf("batch %d: %d pair indices, %d transforms", b.Index, len(m.GetPairIndex()), len(m.GetTransforms()))
			}
			checkPairs(t, &m)
			if o.unref(); !o.settled() {
				t.Fatal("batch not released once the transport and the sender let go")
			}
		}
		bs.Close()
	}
}
