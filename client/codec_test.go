package client

import (
	"testing"

	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/starlight/dataserver/internal/batchwire"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// codecCases are wire batches the hand decoding must take as proto does:
// a full batch, and the corners that send it back to proto.
func codecCases() map[string][]byte {
	full := smallBatch()
	tensor := func(fields ...[]byte) []byte {
		var t []byte
		for _, f := range fields {
			t = append(t, f...)
		}
		b := protowire.AppendTag(nil, batchwire.Tensors, protowire.BytesType)
		return protowire.AppendBytes(b, t)
	}
	bytesField := func(num protowire.Number, v []byte) []byte {
		return protowire.AppendBytes(protowire.AppendTag(nil, num, protowire.BytesType), v)
	}
	varintField := func(num protowire.Number, v uint64) []byte {
		return protowire.AppendVarint(protowire.AppendTag(nil, num, protowire.VarintType), v)
	}
	pairIndex := (&pb.StreamBatchesResponse{}).ProtoReflect().Descriptor().Fields().ByName("pair_index").Number()
	shape := bytesField(batchwire.TensorShape, protowire.AppendVarint(protowire.AppendVarint(nil, 2), 3))
	unpackedShape := append(varintField(batchwire.TensorShape, 2), varintField(batchwire.TensorShape, 3)...)
	return map[string][]byte{
		"full batch":           full,
		"empty":                nil,
		"tensors only":         append(tensor(bytesField(batchwire.TensorName, []byte("lsb")), shape, bytesField(batchwire.TensorData, []byte{1, 2, 3, 4, 5, 6})), tensor()...),
		"data twice":           tensor(bytesField(batchwire.TensorData, []byte{1}), bytesField(batchwire.TensorData, []byte{2, 3})),
		"empty data":           tensor(bytesField(batchwire.TensorData, nil)),
		"unpacked shape":       tensor(unpackedShape),
		"unknown tensor field": tensor(varintField(9, 1), bytesField(batchwire.TensorData, []byte{7})),
		"bad utf-8 name":       tensor(bytesField(batchwire.TensorName, []byte{0xff})),
		"dtype out of range":   tensor(varintField(batchwire.TensorDtype, 1<<40)),
		"bits packed 2":        tensor(varintField(batchwire.TensorBitsPacked, 2)),
		"truncated tensor":     tensor(bytesField(batchwire.TensorData, []byte{1, 2, 3}))[:5],
		"unknown top field":    append(varintField(999, 5), full...),
		"tensors wrong type":   append(varintField(batchwire.Tensors, 1), full...),
		"pairs before tensors": append(bytesField(pairIndex, protowire.AppendVarint(protowire.AppendVarint(nil, 1), 1<<64-1)), full...),
		"pairs unpacked":       append(full, varintField(pairIndex, 3)...),
		"receipt between":      append(append(tensor(bytesField(batchwire.TensorData, []byte{1})), bytesField(receiptField, []byte("r"))...), tensor()...),
	}
}

// smallBatch is a whole batch message with tiny tensors (the fuzzer's seed:
// a real batch is megabytes).
func smallBatch() []byte {
	m := &pb.StreamBatchesResponse{SnapshotId: "s", Epoch: 1, BatchIndex: 2, BatchesPerEpoch: 3, Cursor: "c",
		ContentIds: []string{"a", "b"}, Labels: []uint32{0, 1}, Kinds: []pb.Kind{pb.Kind_KIND_CLEAN, pb.Kind_KIND_STEGO},
		LossWeights: []float32{1, 2}, BitOrderOneHot: []byte{1, 0, 0, 0, 1, 0},
		Tensors: []*pb.Tensor{
			{Name: "pixel", Dtype: pb.Dtype_DTYPE_UINT8, Shape: []int64{2, 3}, Data: []byte{1, 2, 3, 4, 5, 6}},
			{Name: "lsb", Dtype: pb.Dtype_DTYPE_UINT8, Shape: []int64{2, 8}, Data: []byte{0xa5, 0x5a}, BitsPacked: true},
			{Name: "format", Dtype: pb.Dtype_DTYPE_FLOAT32, Shape: []int64{2, 1}, Data: []byte{0, 0, 128, 63, 0, 0, 0, 64}},
		},
		Receipt: "receipt-after-the-tensors", PairIndex: []int32{0, 0}, Transforms: []uint32{3, 5}, Split: "train"}
	b, err := proto.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

// checkLikeProto decodes wire both ways and fails unless both fail or both
// give equal messages.
func checkLikeProto(t *testing.T, name string, wire []byte) {
	t.Helper()
	want := new(pb.StreamBatchesResponse)
	wantErr := proto.Unmarshal(wire, want)
	got := new(pb.StreamBatchesResponse)
	err := newBatchCodec().Unmarshal(mem.BufferSlice{mem.SliceBuffer(wire)}, got)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("%s: error %v, proto says %v", name, err, wantErr)
	}
	if err == nil && !proto.Equal(got, want) {
		t.Fatalf("%s: decoded\n%v\nproto decodes\n%v", name, got, want)
	}
}

func TestBatchCodecIsProto(t *testing.T) {
	for name, wire := range codecCases() {
		checkLikeProto(t, name, wire)
	}
	checkLikeProto(t, "batch of 8", benchBatch(8))
}

// receiptField is the number of StreamBatchesResponse.receipt, written after the tensors.
var receiptField = (&pb.StreamBatchesResponse{}).ProtoReflect().Descriptor().Fields().ByName("receipt").Number()

// TestBatchCodecReadsReceipt: the fields after the tensors (the receipt,
// pairing, transforms, split) reach the decoded batch.
func TestBatchCodecReadsReceipt(t *testing.T) {
	got := new(pb.StreamBatchesResponse)
	if err := newBatchCodec().Unmarshal(mem.BufferSlice{mem.SliceBuffer(smallBatch())}, got); err != nil {
		t.Fatal(err)
	}
	if got.GetReceipt() != "receipt-after-the-tensors" || len(got.GetTensors()) != 3 || got.GetSplit() != "train" || len(got.GetTransforms()) != 2 {
		t.Fatalf("decoded receipt %q, %d tensors, split %q", got.GetReceipt(), len(got.GetTensors()), got.GetSplit())
	}
}

// TestBatchCodecAliases checks that the tensors' data of a decoded batch are
// slices of one buffer, not of the received one (which gRPC reuses), and
// that other messages still decode.
func TestBatchCodecAliases(t *testing.T) {
	wire := benchBatch(2)
	got := new(pb.StreamBatchesResponse)
	if err := newBatchCodec().Unmarshal(mem.BufferSlice{mem.SliceBuffer(wire)}, got); err != nil {
		t.Fatal(err)
	}
	d := got.Tensors[0].Data
	if len(d) == 0 || cap(d) != len(d) {
		t.Fatalf("tensor data of length %d, capacity %d: want the capacity cut to the length", len(d), cap(d))
	}
	want := append([]byte(nil), d...)
	clear(wire) // what reuse of the received buffer would do
	if string(got.Tensors[0].Data) != string(want) {
		t.Fatal("the tensor data changed with the received buffer")
	}
	stats := &pb.StatsResponse{SnapshotId: "abc"}
	b, _ := proto.Marshal(stats)
	var back pb.StatsResponse
	if err := newBatchCodec().Unmarshal(mem.BufferSlice{mem.SliceBuffer(b)}, &back); err != nil || back.GetSnapshotId() != "abc" {
		t.Fatalf("a Stats response decoded to %v, %v", &back, err)
	}
}

// FuzzBatchCodec: on any bytes, the hand decoding agrees with proto.Unmarshal.
func FuzzBatchCodec(f *testing.F) {
	for _, wire := range codecCases() {
		f.Add(wire)
	}
	f.Fuzz(func(t *testing.T, wire []byte) {
		checkLikeProto(t, "fuzzed", wire)
	})
}
