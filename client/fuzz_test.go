package client

import (
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// FuzzTensorViews feeds arbitrary Tensor messages (as a hostile server could
// send) to the views: they return values of the declared size or ErrTensor,
// never panic.
func FuzzTensorViews(f *testing.F) {
	for _, t := range []*pb.Tensor{
		{Name: "lsb", Dtype: pb.Dtype_DTYPE_UINT8, Shape: []int64{1, 3, 4, 4}, Data: make([]byte, 6), BitsPacked: true},
		{Name: "meta", Dtype: pb.Dtype_DTYPE_UINT8, Shape: []int64{2, 4}, Data: []byte{1, 2, 3, 4, 5, 6, 7, 8}},
		{Name: "format", Dtype: pb.Dtype_DTYPE_FLOAT32, Shape: []int64{1, 2}, Data: []byte{0, 0, 128, 63, 0, 0, 0, 64}},
		{Name: "x", Dtype: pb.Dtype_DTYPE_UINT8, Shape: []int64{1 << 40, 1 << 40}},
		{Name: "y", Dtype: pb.Dtype_DTYPE_UINT8, Shape: []int64{-3}, BitsPacked: true},
	} {
		b, err := proto.Marshal(t)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var m pb.Tensor
		if proto.Unmarshal(data, &m) != nil {
			return
		}
		tn := &Tensor{Tensor: &m}
		n, err := tn.Elements()
		if err != nil {
			return
		}
		if v, err := tn.Uint8(); err == nil && len(v) != n {
			t.Fatalf("Uint8 gave %d values for %d elements", len(v), n)
		}
		if v, err := tn.Float32(); err == nil && len(v) != n {
			t.Fatalf("Float32 gave %d values for %d elements", len(v), n)
		}
		if _, err := tn.PerSample(); err != nil {
			t.Fatalf("PerSample failed after Elements succeeded: %v", err)
		}
	})
}

// FuzzParseTargets checks that any --addr text is parsed or refused, never a panic.
func FuzzParseTargets(f *testing.F) {
	for _, s := range []string{"127.0.0.1:50051", "a:1,b:2", "dns:///svc.ns:50051", "unix:///tmp/s", "[::1]:9", "%zz://", ",,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tg, err := parseTargets(SplitTargets(s))
		if err == nil {
			_ = tg.loopback()
			_ = tg.String()
		}
	})
}

// FuzzParseFlags checks the mix and stream-list parsers on any text.
func FuzzParseFlags(f *testing.F) {
	for _, s := range []string{"1:1:1", "2:0:1", "pixel,lsb", "", ":::", "4294967296:1:1", "PIXEL, meta"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if m, err := ParseMix(s); err == nil && m != nil && strings.Count(s, ":") != 2 {
			t.Fatalf("mix %q accepted with %d separators", s, strings.Count(s, ":"))
		}
		if ks, err := ParseStreams(s); err == nil {
			for _, k := range ks {
				if k == pb.StreamKind_STREAM_KIND_UNSPECIFIED {
					t.Fatalf("%q gave an unspecified stream", s)
				}
			}
		}
	})
}
