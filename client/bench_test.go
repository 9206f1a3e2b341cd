package client

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"google.golang.org/protobuf/proto"

	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// benchBatch builds the wire bytes of a batch of n samples carrying the
// default streams, bit planes packed, as the server sends it.
func benchBatch(n int) []byte {
	r := rand.New(rand.NewPCG(5, 6))
	fill := func(k int) []byte {
		b := make([]byte, k)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	}
	m := &pb.StreamBatchesResponse{SnapshotId: "0123456789abcdef", BatchesPerEpoch: 100, Cursor: "cursor-text-of-some-length-0123456789", BitOrderOneHot: make([]byte, 3*n)}
	for i := range n {
		m.ContentIds = append(m.ContentIds, fmt.Sprintf("%064x", i))
		m.Paths = append(m.Paths, fmt.Sprintf("alpha_submission_2025/stego/text_lsb_%03d.png", i))
		m.Submissions = append(m.Submissions, "alpha_submission_2025")
		m.Labels = append(m.Labels, 1)
		m.Kinds = append(m.Kinds, pb.Kind_KIND_STEGO)
		m.TechniqueClasses = append(m.TechniqueClasses, 2)
		m.BitOrders = append(m.BitOrders, pb.BitOrder_BIT_ORDER_MSB_FIRST)
		m.NegativeCategories = append(m.NegativeCategories, "")
		m.LossWeights = append(m.LossWeights, 1)
	}
	B := int64(n)
	add := func(name string, dt pb.Dtype, packed bool, shape ...int64) {
		elems := B
		for _, d := range shape {
			elems *= d
		}
		size := elems
		if dt == pb.Dtype_DTYPE_FLOAT32 {
			size *= 4
		}
		if packed {
			size = (elems + 7) / 8
		}
		m.Tensors = append(m.Tensors, &pb.Tensor{Name: name, Dtype: dt, Shape: append([]int64{B}, shape...), Data: fill(int(size)), BitsPacked: packed})
	}
	add("pixel", pb.Dtype_DTYPE_UINT8, false, 3, 256, 256)
	add("meta", pb.Dtype_DTYPE_UINT8, false, 2048)
	add("alpha", pb.Dtype_DTYPE_UINT8, true, 1, 256, 256)
	add("lsb", pb.Dtype_DTYPE_UINT8, true, 3, 256, 256)
	add("palette", pb.Dtype_DTYPE_UINT8, false, 768)
	add("palette_lsb", pb.Dtype_DTYPE_UINT8, true, 1, 256, 256)
	add("format", pb.Dtype_DTYPE_FLOAT32, false, 6)
	add("content", pb.Dtype_DTYPE_FLOAT32, false, 6)
	wire, err := proto.Marshal(m)
	if err != nil {
		panic(err)
	}
	return wire
}

// BenchmarkBatchDecode measures what the client does per received batch:
// unmarshal the message (as gRPC's codec does), wrap it, and take the views
// a trainer reads (pixel and meta as is, the three packed bit planes
// unpacked into reused buffers, format and content as float32).
func BenchmarkBatchDecode(b *testing.B) {
	for _, n := range []int{8, 64} {
		b.Run(fmt.Sprintf("B=%d", n), func(b *testing.B) {
			wire := benchBatch(n)
			bufs := map[string][]uint8{}
			b.SetBytes(int64(len(wire)))
			b.ReportAllocs()
			for b.Loop() {
				m := new(pb.StreamBatchesResponse)
				if err := proto.Unmarshal(wire, m); err != nil {
					b.Fatal(err)
				}
				bt := &Batch{StreamBatchesResponse: m}
				for _, name := range []string{"pixel", "meta", "palette"} {
					t, _ := bt.Tensor(name)
					if _, err := t.Uint8(); err != nil {
						b.Fatal(err)
					}
				}
				for _, name := range []string{"alpha", "lsb", "palette_lsb"} {
					t, _ := bt.Tensor(name)
					n, _ := t.Elements()
					if len(bufs[name]) < n {
						bufs[name] = make([]uint8, n)
					}
					if _, err := t.UnpackInto(bufs[name]); err != nil {
						b.Fatal(err)
					}
				}
				for _, name := range []string{"format", "content"} {
					t, _ := bt.Tensor(name)
					if _, err := t.Float32(); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkUnpackBits measures bit-plane unpacking, in unpacked bytes per second.
func BenchmarkUnpackBits(b *testing.B) {
	const n = 3 * 256 * 256 * 32
	packed := make([]byte, n/8)
	for i := range packed {
		packed[i] = byte(i * 7)
	}
	dst := make([]uint8, n)
	b.SetBytes(n)
	for b.Loop() {
		UnpackBits(dst, packed)
	}
}
