package server

import (
	"context"
	"errors"
	"io"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"

	"github.com/starlight/dataserver/feed"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// benchDial are the client settings of the benchmarks: large flow-control
// windows and read buffer, as advised for trainers.
var benchDial = []grpc.DialOption{
	grpc.WithInitialWindowSize(16 << 20), grpc.WithInitialConnWindowSize(64 << 20),
	grpc.WithReadBufferSize(1 << 20),
}

// benchStream pulls b.N batches of 32 samples over loopback TCP after one
// warm epoch: the figures of cached epochs. With raw, the client counts the
// message bytes without decoding them (the server and transport alone);
// otherwise it decodes every message as a Go trainer would.
func benchStream(b *testing.B, req *pb.StreamBatchesRequest, raw bool) {
	r := start(b, testConfig(b), true)
	b.ReportAllocs()
	cpu := measurePull(b, dial(b, r.addr, benchDial...), req, raw, nil)
	// CPU time (user and system, every thread, client included) per batch:
	// steadier than wall time on a shared machine.
	b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
}

// measurePull warms the server's cache with one epoch of req (batches of
// 32, seed 1), then times b.N batches of later epochs, reports bytes and
// samples/s, and returns the process's CPU time spent on them. warm, when
// set, runs between the two.
func measurePull(b *testing.B, cc *grpc.ClientConn, req *pb.StreamBatchesRequest, raw bool, warm func()) time.Duration {
	c := pb.NewDataServiceClient(cc)
	req.BatchSize, req.Seed = 32, 1
	if _, err := drain(c, req); err != nil {
		b.Fatal(err)
	}
	var streams []feed.Stream
	for _, k := range req.Streams {
		streams = append(streams, streamKinds[k])
	}
	req.EndEpoch, req.MaxBatches = 1<<30, uint32(b.N)
	if warm != nil {
		warm()
	}
	cpu0 := cpuTime()
	b.ResetTimer()
	var err error
	if raw {
		_, err = drainRaw(cc, req)
	} else {
		_, err = drain(c, req)
	}
	if err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	cpu := cpuTime() - cpu0
	b.SetBytes(feed.BatchBytes(effectiveStreams(streams), 32, req.PackBitPlanes))
	b.ReportMetric(float64(b.N*32)/b.Elapsed().Seconds(), "samples/s")
	return cpu
}

// cpuTime returns the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// drain reads a whole stream and returns the tensor bytes received.
func drain(c pb.DataServiceClient, req *pb.StreamBatchesRequest) (int64, error) {
	s, err := c.StreamBatches(context.Background(), req)
	if err != nil {
		return 0, err
	}
	var n int64
	for {
		m, err := s.Recv()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		for _, t := range m.GetTensors() {
			n += int64(len(t.GetData()))
		}
	}
}

// rawMessage is a response left encoded: only its size is kept.
type rawMessage struct{ n int }

// rawCodec marshals requests with proto and leaves responses encoded.
type rawCodec struct{}

func (rawCodec) Name() string { return "proto" }

func (rawCodec) Marshal(v any) (mem.BufferSlice, error) {
	return encoding.GetCodecV2("proto").Marshal(v)
}

func (rawCodec) Unmarshal(data mem.BufferSlice, v any) error {
	v.(*rawMessage).n = data.Len()
	return nil
}

// drainRaw reads a whole stream without decoding it and returns the message bytes.
func drainRaw(cc *grpc.ClientConn, req *pb.StreamBatchesRequest) (int64, error) {
	desc := &pb.DataService_ServiceDesc.Streams[0]
	s, err := cc.NewStream(context.Background(), desc, pb.DataService_StreamBatches_FullMethodName, grpc.ForceCodecV2(rawCodec{}))
	if err != nil {
		return 0, err
	}
	if err := s.SendMsg(req); err != nil {
		return 0, err
	}
	if err := s.CloseSend(); err != nil {
		return 0, err
	}
	var n int64
	for {
		var m rawMessage
		if err := s.RecvMsg(&m); errors.Is(err, io.EOF) {
			return n, nil
		} else if err != nil {
			return n, err
		}
		n += int64(m.n)
	}
}

var pixelOnly = []pb.StreamKind{pb.StreamKind_STREAM_KIND_PIXEL}

// BenchmarkStreamCached streams cached batches, bit planes unpacked.
func BenchmarkStreamCached(b *testing.B) { benchStream(b, &pb.StreamBatchesRequest{}, false) }

// BenchmarkStreamCachedPacked streams them with bit planes packed.
func BenchmarkStreamCachedPacked(b *testing.B) {
	benchStream(b, &pb.StreamBatchesRequest{PackBitPlanes: true}, false)
}

// BenchmarkStreamCachedPixel streams the pixel tensor alone.
func BenchmarkStreamCachedPixel(b *testing.B) {
	benchStream(b, &pb.StreamBatchesRequest{Streams: pixelOnly}, false)
}

// BenchmarkStreamRawCached is BenchmarkStreamCached with a client that does
// not decode: what the server and the transport deliver.
func BenchmarkStreamRawCached(b *testing.B) { benchStream(b, &pb.StreamBatchesRequest{}, true) }

// BenchmarkStreamRawCachedPacked is the packed variant of BenchmarkStreamRawCached.
func BenchmarkStreamRawCachedPacked(b *testing.B) {
	benchStream(b, &pb.StreamBatchesRequest{PackBitPlanes: true}, true)
}

// BenchmarkStreamRawCachedPixel is the pixel-only variant of BenchmarkStreamRawCached.
func BenchmarkStreamRawCachedPixel(b *testing.B) {
	benchStream(b, &pb.StreamBatchesRequest{Streams: pixelOnly}, true)
}
