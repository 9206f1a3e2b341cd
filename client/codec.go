package client

import (
	"unicode/utf8"

	"google.golang.org/grpc/encoding"
	_ "google.golang.org/grpc/encoding/proto" // registers the standard "proto" codec delegated to
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/starlight/dataserver/internal/batchwire"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// batchCodec is the client's gRPC codec. Every message is protobuf through
// the standard codec, except a batch on its way in: the received bytes are
// gathered once into memory of the batch's own, and each tensor's data is a
// slice of it, where protobuf would copy every tensor a second time. The
// message it yields is the one proto.Unmarshal gives (checked by
// TestBatchCodecIsProto and FuzzBatchCodec).
type batchCodec struct{ std encoding.CodecV2 }

func newBatchCodec() batchCodec { return batchCodec{std: encoding.GetCodecV2("proto")} }

// Name returns the codec's content subtype, the standard one.
func (c batchCodec) Name() string { return "proto" }

// Marshal is the standard codec's.
func (c batchCodec) Marshal(v any) (mem.BufferSlice, error) { return c.std.Marshal(v) }

// Unmarshal decodes a batch with its tensors' data left in place; any other
// message goes to the standard codec.
func (c batchCodec) Unmarshal(data mem.BufferSlice, v any) error {
	m, ok := v.(*pb.StreamBatchesResponse)
	if !ok {
		return c.std.Unmarshal(data, v)
	}
	return unmarshalBatch(data.Materialize(), m)
}

// unmarshalBatch decodes buf, which it keeps, into m: the tensors by hand
// with their data aliasing buf, every other field through proto. Anything
// the hand decoding does not expect (unknown tensor fields, unpacked shape,
// invalid UTF-8, malformed bytes) sends the whole message to proto.Unmarshal,
// which then decides.
func unmarshalBatch(buf []byte, m *pb.StreamBatchesResponse) error {
	var rest []byte
	var tensors []*pb.Tensor
	for b := buf; len(b) > 0; {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return proto.Unmarshal(buf, m)
		}
		field := b[:n]
		if num == batchwire.Tensors && typ == protowire.BytesType {
			v, k := protowire.ConsumeBytes(b[n:])
			if k < 0 {
				return proto.Unmarshal(buf, m)
			}
			t, ok := parseTensor(v)
			if !ok {
				return proto.Unmarshal(buf, m)
			}
			tensors = append(tensors, t)
			b = b[n+k:]
			continue
		}
		k := protowire.ConsumeFieldValue(num, typ, b[n:])
		if k < 0 {
			return proto.Unmarshal(buf, m)
		}
		rest = append(rest, field...)
		rest = append(rest, b[n:n+k]...)
		b = b[n+k:]
	}
	if err := proto.Unmarshal(rest, m); err != nil {
		return err
	}
	m.Tensors = tensors
	return nil
}

// parseTensor decodes a Tensor whose fields are the known ones, with data
// aliasing b; ok is false for anything else.
func parseTensor(b []byte) (t *pb.Tensor, ok bool) {
	t = &pb.Tensor{}
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return nil, false
		}
		b = b[n:]
		switch {
		case num == batchwire.TensorName && typ == protowire.BytesType:
			v, k := protowire.ConsumeBytes(b)
			if k < 0 || !utf8.Valid(v) {
				return nil, false
			}
			t.Name, b = string(v), b[k:]
		case num == batchwire.TensorDtype && typ == protowire.VarintType:
			v, k := protowire.ConsumeVarint(b)
			if k < 0 {
				return nil, false
			}
			t.Dtype, b = pb.Dtype(int32(v)), b[k:]
		case num == batchwire.TensorShape && typ == protowire.BytesType:
			v, k := protowire.ConsumeBytes(b)
			if k < 0 {
				return nil, false
			}
			for len(v) > 0 {
				d, j := protowire.ConsumeVarint(v)
				if j < 0 {
					return nil, false
				}
				t.Shape = append(t.Shape, int64(d))
				v = v[j:]
			}
			b = b[k:]
		case num == batchwire.TensorData && typ == protowire.BytesType:
			v, k := protowire.ConsumeBytes(b)
			if k < 0 {
				return nil, false
			}
			// The last occurrence wins, as in proto; capacity is cut so an
			// append to it never writes over the next field.
			t.Data, b = v[:len(v):len(v)], b[k:]
		case num == batchwire.TensorBitsPacked && typ == protowire.VarintType:
			v, k := protowire.ConsumeVarint(b)
			if k < 0 {
				return nil, false
			}
			t.BitsPacked, b = v != 0, b[k:]
		default:
			return nil, false
		}
	}
	return t, true
}
