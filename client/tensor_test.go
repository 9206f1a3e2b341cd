package client

import (
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// packNaive packs 0/1 values 8 per byte, most significant bit first, the
// plain way (numpy.packbits).
func packNaive(v []uint8) []byte {
	out := make([]byte, (len(v)+7)/8)
	for i, x := range v {
		if x != 0 {
			out[i/8] |= 0x80 >> (i % 8)
		}
	}
	return out
}

func randomBits(r *rand.Rand, n int) []uint8 {
	v := make([]uint8, n)
	for i := range v {
		v[i] = uint8(r.IntN(2))
	}
	return v
}

func TestUnpackBitsMatchesPackbits(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 7, 8, 9, 63, 64, 65, 1000, 3 * 256 * 256} {
		want := randomBits(r, n)
		got := make([]uint8, n)
		UnpackBits(got, packNaive(want))
		if !slices.Equal(got, want) {
			t.Fatalf("n=%d: unpacked values differ", n)
		}
	}
	// The first byte 0b10110000 is the values 1,0,1,1,0,0,0,0.
	got := make([]uint8, 8)
	UnpackBits(got, []byte{0xB0})
	if !slices.Equal(got, []uint8{1, 0, 1, 1, 0, 0, 0, 0}) {
		t.Fatalf("0xB0 unpacked to %v", got)
	}
}

func TestTensorUint8PackedAndPlain(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	vals := randomBits(r, 2*3*5*7)
	shape := []int64{2, 3, 5, 7}
	plain := &Tensor{Tensor: &pb.Tensor{Name: "lsb", Dtype: pb.Dtype_DTYPE_UINT8, Shape: shape, Data: vals}}
	packed := &Tensor{Tensor: &pb.Tensor{Name: "lsb", Dtype: pb.Dtype_DTYPE_UINT8, Shape: shape, Data: packNaive(vals), BitsPacked: true}}
	a, err := plain.Uint8()
	if err != nil {
		t.Fatal(err)
	}
	if &a[0] != &vals[0] {
		t.Fatal("plain Uint8 copied the data")
	}
	b, err := packed.Uint8()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a, b) {
		t.Fatal("packed and plain views differ")
	}
	if again, _ := packed.Uint8(); &again[0] != &b[0] {
		t.Fatal("second Uint8 of a packed tensor unpacked again")
	}
	per, err := packed.PerSample()
	if err != nil || per != 3*5*7 {
		t.Fatalf("PerSample = %d, %v", per, err)
	}
	buf := make([]uint8, 1000)
	c, err := packed.UnpackInto(buf)
	if err != nil || !slices.Equal(c, a) || &c[0] != &buf[0] {
		t.Fatalf("UnpackInto: %v", err)
	}
	if _, err := packed.UnpackInto(make([]uint8, 10)); !errors.Is(err, ErrTensor) {
		t.Fatalf("short buffer: %v", err)
	}
}

func TestTensorFloat32(t *testing.T) {
	want := []float32{0, 1, -2.5, float32(math.Pi), 1e-7, float32(math.Inf(1))}
	raw := make([]byte, 1+4*len(want))
	for i, v := range want {
		binary.LittleEndian.PutUint32(raw[1+4*i:], math.Float32bits(v))
	}
	for _, data := range [][]byte{append([]byte(nil), raw[1:]...), raw[1:]} { // aligned, then (likely) unaligned
		tn := &Tensor{Tensor: &pb.Tensor{Name: "format", Dtype: pb.Dtype_DTYPE_FLOAT32, Shape: []int64{1, 6}, Data: data}}
		got, err := tn.Float32()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}

func TestTensorRejectsMalformed(t *testing.T) {
	cases := map[string]*pb.Tensor{
		"short data":     {Name: "x", Dtype: pb.Dtype_DTYPE_UINT8, Shape: []int64{2, 4}, Data: make([]byte, 7)},
		"long packed":    {Name: "x", Dtype: pb.Dtype_DTYPE_UINT8, Shape: []int64{2, 4}, Data: make([]byte, 2), BitsPacked: true},
		"negative dim":   {Name: "x", Dtype: pb.Dtype_DTYPE_UINT8, Shape: []int64{-1, 4}},
		"huge shape":     {Name: "x", Dtype: pb.Dtype_DTYPE_UINT8, Shape: []int64{1 << 20, 1 << 20, 1 << 20}},
		"no shape":       {Name: "x", Dtype: pb.Dtype_DTYPE_UINT8},
		"unspecified":    {Name: "x", Shape: []int64{2}, Data: make([]byte, 2)},
		"packed float32": {Name: "x", Dtype: pb.Dtype_DTYPE_FLOAT32, Shape: []int64{8}, Data: make([]byte, 1), BitsPacked: true},
	}
	for name, pt := range cases {
		tn := &Tensor{Tensor: pt}
		_, err1 := tn.Uint8()
		_, err2 := tn.Float32()
		if !errors.Is(err1, ErrTensor) || !errors.Is(err2, ErrTensor) {
			t.Errorf("%s: Uint8 %v, Float32 %v; want ErrTensor from both", name, err1, err2)
		}
	}
}

func TestTensorChecksDtype(t *testing.T) {
	f := &Tensor{Tensor: &pb.Tensor{Name: "format", Dtype: pb.Dtype_DTYPE_FLOAT32, Shape: []int64{2}, Data: make([]byte, 8)}}
	if _, err := f.Uint8(); !errors.Is(err, ErrTensor) {
		t.Fatalf("Uint8 of a float32 tensor: %v", err)
	}
	u := &Tensor{Tensor: &pb.Tensor{Name: "meta", Dtype: pb.Dtype_DTYPE_UINT8, Shape: []int64{8}, Data: make([]byte, 8)}}
	if _, err := u.Float32(); !errors.Is(err, ErrTensor) {
		t.Fatalf("Float32 of a uint8 tensor: %v", err)
	}
}

func TestBatchTensorLookup(t *testing.T) {
	b := &Batch{StreamBatchesResponse: &pb.StreamBatchesResponse{
		ContentIds: []string{"a", "b"},
		Tensors: []*pb.Tensor{
			{Name: "meta", Dtype: pb.Dtype_DTYPE_UINT8, Shape: []int64{2, 3}, Data: []byte{1, 2, 3, 4, 5, 6}},
			{Name: "alpha", Dtype: pb.Dtype_DTYPE_UINT8, Shape: []int64{2, 4}, Data: []byte{0xF0}, BitsPacked: true},
		},
	}}
	if b.Len() != 2 || b.Bytes() != 7 {
		t.Fatalf("Len %d Bytes %d", b.Len(), b.Bytes())
	}
	a, ok := b.Tensor("alpha")
	if !ok {
		t.Fatal("alpha not found")
	}
	v, err := a.Uint8()
	if err != nil || !slices.Equal(v, []uint8{1, 1, 1, 1, 0, 0, 0, 0}) {
		t.Fatalf("alpha = %v, %v", v, err)
	}
	if _, ok := b.Tensor("pixel"); ok {
		t.Fatal("pixel found in a batch without it")
	}
}
