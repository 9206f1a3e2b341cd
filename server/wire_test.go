package server

import (
	"bytes"
	"context"
	"testing"
	"time"

	"google.golang.org/grpc"

	"google.golang.org/protobuf/proto"

	"github.com/starlight/dataserver/catalog"
	"github.com/starlight/dataserver/catalog/catalogtest"
	"github.com/starlight/dataserver/feed"
	"github.com/starlight/dataserver/index"
	"github.com/starlight/dataserver/internal/corpustest"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

var everyStream = []feed.Stream{feed.Pixel, feed.Meta, feed.Alpha, feed.AlphaFull, feed.LSB,
	feed.Palette, feed.PaletteLSB, feed.Format, feed.Content}

// encoded returns the bytes the transport would write for o.
func encoded(t testing.TB, o *outgoing) []byte {
	t.Helper()
	data, err := newBatchCodec().Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	defer data.Free()
	return data.Materialize()
}

// corpusFeed indexes the shared corpus and returns its root, the snapshot's
// view and a feed with the default configuration.
func corpusFeed(t *testing.T) (string, *catalog.View, *feed.Feed) {
	t.Helper()
	root := corpustest.Datasets(t)
	cat := catalog.New(root, catalog.Options{Build: catalogtest.Build})
	cat.Set(catalogtest.MustBuild(t, root))
	f, err := feed.New(feed.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return root, cat.Current(), f
}

// TestOutgoingIsProtoOnCorpus: every served sample of the corpus, in
// batches of 32 with every stream, packed and not, gathered or laid out in
// one buffer: the hand-framed bytes equal proto.Marshal of the same
// response, and decode to the tensors of a plain (copying) assembly.
func TestOutgoingIsProtoOnCorpus(t *testing.T) {
	root, v, f := corpusFeed(t)
	ctx := context.Background()
	var all []*index.Sample
	for i := range v.Served {
		all = append(all, &v.Served[i])
	}
	for start := 0; start < len(all); start += 32 {
		samples := all[start:min(start+32, len(all))]
		for _, pack := range []bool{false, true} {
			plain, err := f.Assemble(ctx, root, samples, feed.Layout{Streams: everyStream, PackBits: pack, Weights: feed.DefaultWeights()})
			if err != nil {
				t.Fatal(err)
			}
			for _, gather := range []bool{false, true} {
				b, err := f.Assemble(ctx, root, samples, feed.Layout{Streams: everyStream, PackBits: pack, Gather: gather, Weights: feed.DefaultWeights()})
				if err != nil {
					t.Fatal(err)
				}
				b.SnapshotID, b.Cursor, b.Epoch, b.Index, b.PerEpoch, b.Receipt = v.ID(), "cursor", 3, start/32, 9, "receipt"
				o := newOutgoing(b)
				got := encoded(t, o)
				want, err := proto.Marshal(o.message())
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("batch at %d (pack %v, gather %v): %d framed bytes differ from proto's %d", start, pack, gather, len(got), len(want))
				}
				var m pb.StreamBatchesResponse
				if err := proto.Unmarshal(got, &m); err != nil {
					t.Fatal(err)
				}
				for i, tn := range m.GetTensors() {
					if !bytes.Equal(tn.GetData(), plain.Tensors[i].Data) || tn.GetBitsPacked() != plain.Tensors[i].Packed {
						t.Fatalf("batch at %d (pack %v, gather %v): tensor %s differs from the plain assembly", start, pack, gather, tn.GetName())
					}
				}
				if o.unref(); !o.settled() {
					t.Fatal("batch not released once the transport and the sender let go")
				}
			}
			plain.Release()
		}
	}
}

// framingCases are hand-made responses covering the corners of the framing:
// empty and default tensors, negative enum and dims (ten-byte varints),
// long names, data of every size around the in-line limit in chunks of
// every kind, and packed flags.
func framingCases() []*outgoing {
	big := func(n int, seed byte) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i*7) ^ seed
		}
		return b
	}
	head := func() *pb.StreamBatchesResponse {
		return &pb.StreamBatchesResponse{
			SnapshotId: "snap", Epoch: 1 << 40, BatchIndex: 3, BatchesPerEpoch: 300, Cursor: "c", ExtractorVersion: "v1",
			ContentIds: []string{"a", ""}, Paths: []string{"p/q.png", "r"}, Labels: []uint32{0, 1},
			Kinds: []pb.Kind{pb.Kind_KIND_CLEAN, pb.Kind(-2)}, TechniqueClasses: []int32{-1, 4},
			BitOrderOneHot: []byte{0, 0, 1, 1, 0, 0}, NegativeCategories: []string{"", "x"}, LossWeights: []float32{1, 2.5},
			Receipt: "receipt-after-the-tensors",
		}
	}
	longName := string(bytes.Repeat([]byte("n"), 300))
	var out []*outgoing
	add := func(m *pb.StreamBatchesResponse, chunks ...[][]byte) {
		o := &outgoing{msg: m, chunks: chunks}
		o.refs.Store(1)
		out = append(out, o)
	}
	add(&pb.StreamBatchesResponse{})
	add(head())
	m := head()
	m.Tensors = []*pb.Tensor{{}}
	add(m, nil)
	m = head()
	m.Tensors = []*pb.Tensor{{Name: "pixel", Dtype: pb.Dtype_DTYPE_UINT8, Shape: []int64{2, 3, 256, 256}}}
	add(m, [][]byte{{}, nil})
	for _, n := range []int{1, 127, 128, inlineData - 1, inlineData, inlineData + 1, 3 << 16} {
		m = head()
		m.Tensors = []*pb.Tensor{
			{Name: longName, Dtype: pb.Dtype(-3), Shape: []int64{-1, 1 << 62, 0}, BitsPacked: true},
			{Name: "format", Dtype: pb.Dtype_DTYPE_FLOAT32, Shape: []int64{int64(n)}},
		}
		add(m, [][]byte{big(n, 1)}, [][]byte{big(n/2, 2), nil, big(n-n/2, 3), {}})
	}
	m = head()
	m.Tensors = []*pb.Tensor{{Name: "lsb", Dtype: pb.Dtype_DTYPE_UINT8, Shape: []int64{4}, BitsPacked: true}, {Name: "meta"}, {}}
	add(m, [][]byte{big(10, 4), big(70000, 5), big(3, 6), big(5000, 7), big(5000, 8)}, [][]byte{big(2048, 9)}, nil)
	// The fields numbered after the tensors (pairs, transforms, receipt,
	// split) go after them, with and without tensors.
	tail := func(m *pb.StreamBatchesResponse) *pb.StreamBatchesResponse {
		m.PairIndex, m.Transforms, m.Receipt, m.Split = []int32{0, -1}, []uint32{3, 7}, "receipt", "val"
		return m
	}
	add(tail(head()))
	m = tail(head())
	m.Tensors = []*pb.Tensor{{Name: "pixel", Dtype: pb.Dtype_DTYPE_UINT8, Shape: []int64{2, 3}}, {Name: "lsb", BitsPacked: true}}
	add(m, [][]byte{big(6000, 10)}, [][]byte{big(3, 11), big(2000, 12)})
	m = head()
	m.PairIndex = []int32{-1, 1 << 30}
	m.Tensors = []*pb.Tensor{{Name: "meta"}}
	add(m, [][]byte{big(inlineData+1, 13)})
	// Every field numbered after the tensors, around a big chunk.
	m = head()
	m.PairIndex, m.Transforms, m.Split = []int32{0, -1}, []uint32{7, 0}, "val"
	m.Tensors = []*pb.Tensor{{Name: "pixel", Shape: []int64{2}}}
	add(m, [][]byte{big(5000, 10)})
	m = &pb.StreamBatchesResponse{Receipt: "only-the-tail"}
	add(m)
	return out
}

// TestFramingCorners compares the framing with proto.Marshal on framingCases.
func TestFramingCorners(t *testing.T) {
	for i, o := range framingCases() {
		want, err := proto.Marshal(o.message())
		if err != nil {
			t.Fatal(err)
		}
		if got := encoded(t, o); !bytes.Equal(got, want) {
			t.Fatalf("case %d: framed %x\nproto %x", i, got[:min(len(got), 96)], want[:min(len(want), 96)])
		}
		if o.unref(); !o.settled() {
			t.Fatalf("case %d: not settled once every buffer was freed", i)
		}
	}
}

// TestFramingFallback: a message the hand framing cannot reproduce (unknown
// fields, data inside the message) goes through proto and still carries
// the chunks.
func TestFramingFallback(t *testing.T) {
	m := &pb.StreamBatchesResponse{SnapshotId: "s", Tensors: []*pb.Tensor{{Name: "a"}}}
	m.ProtoReflect().SetUnknown([]byte{0xf8, 0x07, 0x01}) // field 127, varint 1
	o := &outgoing{msg: m, chunks: [][][]byte{{bytes.Repeat([]byte{7}, 9000)}}}
	o.refs.Store(1)
	var back pb.StreamBatchesResponse
	if err := proto.Unmarshal(encoded(t, o), &back); err != nil {
		t.Fatal(err)
	}
	if len(back.GetTensors()) != 1 || len(back.GetTensors()[0].GetData()) != 9000 || len(back.ProtoReflect().GetUnknown()) != 3 {
		t.Fatalf("fallback lost something: %d tensors, unknown %x", len(back.GetTensors()), back.ProtoReflect().GetUnknown())
	}
}

// TestTransportHoldsTheBatch: a batch's buffers are released only once the
// sender and every buffer given to the transport have let go; abandoned
// first, they are dropped at once and nothing happens later.
func TestTransportHoldsTheBatch(t *testing.T) {
	root, v, f := corpusFeed(t)
	samples := []*index.Sample{&v.Served[0], &v.Served[1]}
	assemble := func() *feed.Batch {
		b, err := f.Assemble(context.Background(), root, samples, feed.Layout{Streams: []feed.Stream{feed.Pixel, feed.LSB}, Gather: true})
		if err != nil {
			t.Fatal(err)
		}
		if b.Tensors[1].Data == nil {
			t.Fatal("the lsb tensor has no pooled memory")
		}
		return b
	}

	b := assemble()
	o := newOutgoing(b)
	data, err := newBatchCodec().Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	o.sent()
	if o.settled() || b.Tensors[1].Data == nil {
		t.Fatal("released while the transport holds buffers")
	}
	data.Free()
	if !o.settled() || b.Tensors[1].Data != nil {
		t.Fatal("not released once the transport freed its buffers")
	}
	o.abandon() // no effect, no panic

	b = assemble()
	o = newOutgoing(b)
	if data, err = newBatchCodec().Marshal(o); err != nil {
		t.Fatal(err)
	}
	o.abandon()
	if b.Tensors[1].Data != nil {
		t.Fatal("abandon kept the buffers")
	}
	data.Free()
	o.sent()
	if !o.settled() {
		t.Fatal("references left after the transport and the sender let go")
	}
}

// FuzzFraming decodes arbitrary bytes as a response, cuts its tensors' data
// into chunks and checks that the hand framing equals proto.Marshal.
func FuzzFraming(f *testing.F) {
	for _, o := range framingCases() {
		b, err := proto.Marshal(o.message())
		if err != nil {
			f.Fatal(err)
		}
		if len(b) < 1<<16 {
			f.Add(b, uint64(len(b)))
		}
	}
	f.Add([]byte{0x8a, 0x01, 0x00}, uint64(1))
	f.Fuzz(func(t *testing.T, data []byte, cuts uint64) {
		if len(data) > 1<<20 {
			return
		}
		var m pb.StreamBatchesResponse
		if err := (proto.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(data, &m); err != nil {
			return
		}
		want, err := proto.Marshal(&m)
		if err != nil {
			return
		}
		o := &outgoing{msg: &m, chunks: make([][][]byte, len(m.Tensors))}
		o.refs.Store(1)
		for i, tn := range m.Tensors {
			d := tn.Data
			tn.Data = nil
			for len(d) > 0 {
				n := int(cuts%uint64(len(d)+1)) + 1
				cuts = cuts*6364136223846793005 + 1442695040888963407
				n = min(n, len(d))
				o.chunks[i] = append(o.chunks[i], d[:n])
				d = d[n:]
			}
		}
		if got := encoded(t, o); !bytes.Equal(got, want) {
			t.Fatalf("framed %d bytes differ from proto's %d", len(got), len(want))
		}
	})
}

// TestBudgetFreedAfterStreams: whether a stream runs to its end or is
// cancelled while batches are still in the transport, every byte of the
// prefetch budget is back once it is over (batches the transport still held
// are released when it frees them, or abandoned when the stream ends).
func TestBudgetFreedAfterStreams(t *testing.T) {
	cfg := testConfig(t)
	cfg.MemoryBudget = 4 << 20 // a couple of 1.5 MB batches ahead: the budget is in use
	r := start(t, cfg, true)
	c := pb.NewDataServiceClient(dial(t, r.addr, grpc.WithInitialWindowSize(1<<16), grpc.WithInitialConnWindowSize(1<<16)))
	req := &pb.StreamBatchesRequest{BatchSize: 8, Streams: []pb.StreamKind{pb.StreamKind_STREAM_KIND_PIXEL, pb.StreamKind_STREAM_KIND_LSB}, PackBitPlanes: true}
	if _, err := drain(c, req); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s, err := c.StreamBatches(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Recv(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // let the producer fill the budget
	if used := r.srv.Feed().Stats().BudgetUsed; used == 0 {
		t.Log("no budget in use mid-stream (the producer was slow): the check below is weaker")
	}
	cancel()
	deadline := time.Now().Add(10 * time.Second)
	for r.srv.Feed().Stats().BudgetUsed != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d budget bytes still held after the streams ended", r.srv.Feed().Stats().BudgetUsed)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
