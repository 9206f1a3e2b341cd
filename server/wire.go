package server

import (
	"fmt"
	"sync/atomic"
	"unicode/utf8"

	"google.golang.org/grpc/encoding"
	_ "google.golang.org/grpc/encoding/proto" // registers the standard "proto" codec delegated to
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/starlight/dataserver/feed"
	"github.com/starlight/dataserver/internal/batchwire"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// batchCodec is the server's gRPC codec. Every message is protobuf through the
// standard codec, except a batch on its way out (*outgoing): that one is framed
// by hand so that its tensor bytes reach the transport as references to the
// batch's own memory instead of being copied into a marshal buffer. The bytes
// on the wire are exactly those proto.Marshal gives for the same message.
type batchCodec struct{ std encoding.CodecV2 }

func newBatchCodec() batchCodec {
	return batchCodec{std: encoding.GetCodecV2("proto")}
}

// Name returns the codec's content subtype, the standard one.
func (c batchCodec) Name() string { return "proto" }

// Marshal frames an outgoing batch without copying its tensors; any other
// message goes to the standard codec.
func (c batchCodec) Marshal(v any) (mem.BufferSlice, error) {
	if o, ok := v.(*outgoing); ok {
		return o.encode()
	}
	return c.std.Marshal(v)
}

// Unmarshal is the standard codec's.
func (c batchCodec) Unmarshal(data mem.BufferSlice, v any) error {
	return c.std.Unmarshal(data, v)
}

// inlineData is the largest tensor copied into the framing bytes rather than
// referenced (gRPC does not reference-count buffers under 1 KiB anyway).
const inlineData = 1 << 10

// outgoing is a batch on its way out: its response message with the tensors'
// data left out, each tensor's bytes as the chunks the batch holds them in
// (one pooled buffer, or slices of the stream cache and shared zeros), and
// the batch. Only batchCodec can marshal it. Once SendMsg has returned, the
// batch's budget is freed (as it was when the message was a marshalled
// copy); its buffers go back to the pool when the transport has freed every
// chunk it was given, or to the garbage collector when the send failed.
type outgoing struct {
	msg    *pb.StreamBatchesResponse
	chunks [][][]byte // per tensor of msg
	batch  *feed.Batch
	// refs counts the chunk buffers the transport holds, plus one for the
	// sender until its SendMsg has returned.
	refs atomic.Int32
	done atomic.Bool
}

// newOutgoing lays b out for sending; b belongs to the outgoing from now on.
func newOutgoing(b *feed.Batch) *outgoing {
	o := &outgoing{msg: batchMessage(b), chunks: make([][][]byte, len(b.Tensors)), batch: b}
	for i := range b.Tensors {
		if t := &b.Tensors[i]; t.Parts != nil {
			o.chunks[i] = t.Parts
		} else {
			o.chunks[i] = [][]byte{t.Data}
		}
	}
	o.refs.Store(1)
	return o
}

// sent is called by the sender once SendMsg has returned: the budget is
// freed, and the buffers are released if the transport holds none of them.
func (o *outgoing) sent() {
	o.batch.ReleaseBudget()
	o.unref()
}

// unref drops one reference; the last one releases the batch.
func (o *outgoing) unref() {
	if o.refs.Add(-1) == 0 {
		o.done.Store(true)
		o.batch.Release()
	}
}

// abandon frees the batch's budget now, whatever the transport still holds;
// its buffers will go to the garbage collector, never back to the pool.
func (o *outgoing) abandon() { o.batch.Abandon() }

// settled tells whether every reference has been dropped.
func (o *outgoing) settled() bool { return o.done.Load() }

// Get is never called: the transport only returns buffers to their pool.
func (o *outgoing) Get(length int) *[]byte {
	b := make([]byte, length)
	return &b
}

// Put is called by the transport when it has freed a chunk buffer.
func (o *outgoing) Put(*[]byte) { o.unref() }

// message returns the whole response, data copied in: what the hand framing
// must equal, and the fallback when it cannot be used.
func (o *outgoing) message() *pb.StreamBatchesResponse {
	m := proto.CloneOf(o.msg)
	for i, t := range m.Tensors {
		if t != nil && i < len(o.chunks) {
			t.Data = concat(o.chunks[i])
		}
	}
	return m
}

func concat(chunks [][]byte) []byte {
	n := 0
	for _, c := range chunks {
		n += len(c)
	}
	if n == 0 {
		return nil
	}
	out := make([]byte, 0, n)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return out
}

// encode frames the message in proto's field number order: the fields
// numbered below the tensors through proto, then each tensor by hand with
// its data chunks as buffers of their own (small ones copied in line), then
// the fields numbered after them (receipt, pairing, ...) through proto.
func (o *outgoing) encode() (mem.BufferSlice, error) {
	m := o.msg
	if !framable(m, len(o.chunks)) {
		return encoding.GetCodecV2("proto").Marshal(o.message())
	}
	ts := m.Tensors
	m.Tensors = nil
	tail := splitTail(m)
	need := proto.Size(m) + proto.Size(tail)
	for i, t := range ts {
		n := tensorSize(t, o.chunks[i])
		need += protowire.SizeTag(batchwire.Tensors) + protowire.SizeVarint(uint64(n)) + n
		for _, c := range o.chunks[i] {
			if len(c) > inlineData {
				need -= len(c)
			}
		}
	}
	buf, err := proto.MarshalOptions{UseCachedSize: true}.MarshalAppend(make([]byte, 0, need), m)
	m.Tensors = ts
	joinTail(m, tail)
	if err != nil {
		return nil, fmt.Errorf("server: marshalling batch %d: %w", m.GetBatchIndex(), err)
	}
	// The transport hands each chunk's slice header back to Put by pointer:
	// one array holds them all.
	big := 0
	for _, cs := range o.chunks {
		for _, c := range cs {
			if len(c) > inlineData {
				big++
			}
		}
	}
	refs := make([][]byte, big)
	out := make(mem.BufferSlice, 0, 1+2*big)
	from := 0
	for i, t := range ts {
		buf = protowire.AppendTag(buf, batchwire.Tensors, protowire.BytesType)
		buf = protowire.AppendVarint(buf, uint64(tensorSize(t, o.chunks[i])))
		buf = appendTensorHead(buf, t, dataLen(o.chunks[i]))
		for _, c := range o.chunks[i] {
			if len(c) <= inlineData {
				buf = append(buf, c...)
				continue
			}
			if from < len(buf) {
				out = append(out, mem.SliceBuffer(buf[from:len(buf):len(buf)]))
				from = len(buf)
			}
			o.refs.Add(1)
			refs[0] = c[:len(c):len(c)]
			out = append(out, mem.NewBuffer(&refs[0], o))
			refs = refs[1:]
		}
		if t.BitsPacked {
			buf = protowire.AppendTag(buf, batchwire.TensorBitsPacked, protowire.VarintType)
			buf = protowire.AppendVarint(buf, 1)
		}
	}
	if buf, err = (proto.MarshalOptions{UseCachedSize: true}).MarshalAppend(buf, tail); err != nil {
		return nil, fmt.Errorf("server: marshalling batch %d: %w", m.GetBatchIndex(), err)
	}
	if from < len(buf) {
		out = append(out, mem.SliceBuffer(buf[from:]))
	}
	return out, nil
}

// splitTail moves the fields numbered after the tensors (receipt, ...) out
// of m into a message of their own, which encode writes after the tensors,
// where proto writes them; joinTail puts them back.
func splitTail(m *pb.StreamBatchesResponse) *pb.StreamBatchesResponse {
	tail := &pb.StreamBatchesResponse{}
	src, dst := m.ProtoReflect(), tail.ProtoReflect()
	src.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Number() > batchwire.Tensors {
			dst.Set(fd, v)
		}
		return true
	})
	dst.Range(func(fd protoreflect.FieldDescriptor, _ protoreflect.Value) bool {
		src.Clear(fd)
		return true
	})
	return tail
}

func joinTail(m, tail *pb.StreamBatchesResponse) {
	dst := m.ProtoReflect()
	tail.ProtoReflect().Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		dst.Set(fd, v)
		return true
	})
}

func dataLen(chunks [][]byte) int {
	n := 0
	for _, c := range chunks {
		n += len(c)
	}
	return n
}

// framable tells whether m can be framed by hand with proto's exact bytes:
// one chunk list per tensor, no unknown fields (proto writes them last), no
// data in the message itself, and tensors proto would accept.
func framable(m *pb.StreamBatchesResponse, chunks int) bool {
	if len(m.ProtoReflect().GetUnknown()) > 0 || chunks != len(m.Tensors) {
		return false
	}
	for _, t := range m.Tensors {
		if t == nil || len(t.ProtoReflect().GetUnknown()) > 0 || !utf8.ValidString(t.Name) || t.Data != nil {
			return false
		}
	}
	return true
}

// tensorSize returns the encoded size of t with data of the chunks' total
// length, as proto.Size would.
func tensorSize(t *pb.Tensor, chunks [][]byte) int {
	data := dataLen(chunks)
	n := 0
	if t.Name != "" {
		n += protowire.SizeTag(batchwire.TensorName) + protowire.SizeBytes(len(t.Name))
	}
	if t.Dtype != 0 {
		n += protowire.SizeTag(batchwire.TensorDtype) + protowire.SizeVarint(uint64(int64(t.Dtype)))
	}
	if len(t.Shape) > 0 {
		s := shapeSize(t.Shape)
		n += protowire.SizeTag(batchwire.TensorShape) + protowire.SizeBytes(s)
	}
	if data > 0 {
		n += protowire.SizeTag(batchwire.TensorData) + protowire.SizeBytes(data)
	}
	if t.BitsPacked {
		n += protowire.SizeTag(batchwire.TensorBitsPacked) + protowire.SizeVarint(1)
	}
	return n
}

func shapeSize(shape []int64) int {
	s := 0
	for _, d := range shape {
		s += protowire.SizeVarint(uint64(d))
	}
	return s
}

// appendTensorHead appends t's fields in number order up to the tag and
// length of data of n bytes (without the data itself).
func appendTensorHead(b []byte, t *pb.Tensor, n int) []byte {
	if t.Name != "" {
		b = protowire.AppendTag(b, batchwire.TensorName, protowire.BytesType)
		b = protowire.AppendString(b, t.Name)
	}
	if t.Dtype != 0 {
		b = protowire.AppendTag(b, batchwire.TensorDtype, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(int64(t.Dtype)))
	}
	if len(t.Shape) > 0 {
		b = protowire.AppendTag(b, batchwire.TensorShape, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(shapeSize(t.Shape)))
		for _, d := range t.Shape {
			b = protowire.AppendVarint(b, uint64(d))
		}
	}
	if n > 0 {
		b = protowire.AppendTag(b, batchwire.TensorData, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(n))
	}
	return b
}
