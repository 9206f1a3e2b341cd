package reliability

import (
	"bytes"
	"compress/zlib"
	"context"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/starlight/dataserver/index"
	"github.com/starlight/dataserver/internal/treetest"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// badFilterPNG is a w x h RGB PNG whose chunks, CRCs and zlib stream are
// all sound but whose first scanline names filter type 7, which does not
// exist: the header and structure checks pass, decoding fails.
func badFilterPNG(w, h int) []byte {
	var raw bytes.Buffer
	for y := 0; y < h; y++ {
		f := byte(0)
		if y == 0 {
			f = 7
		}
		raw.WriteByte(f)
		for x := 0; x < 3*w; x++ {
			raw.WriteByte(byte(x*7 + y*13))
		}
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(raw.Bytes())
	zw.Close()
	b := []byte("\x89PNG\r\n\x1a\n")
	b = pngChunk(b, "IHDR", ihdr(uint32(w), uint32(h), 8, 2))
	b = pngChunk(b, "IDAT", z.Bytes())
	return pngChunk(b, "IEND", nil)
}

// TestUnextractableSampleDoesNotEndStreams puts one clean image that the
// index accepts but no decoder can decode (a PNG with an unknown filter
// type) into the corpus and streams clean-only epochs. A trainer's stream
// must get through the epoch; resuming from the last cursor must not stop
// at the same place again.
func TestUnextractableSampleDoesNotEndStreams(t *testing.T) {
	root := corpusCopy(t)
	bad := "alpha_submission_2025/clean/broken-filter.png"
	treetest.WriteFile(t, root, bad, badFilterPNG(64, 64))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	snap, err := index.Build(ctx, root, index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, ok := snap.Sample(bad)
	t.Logf("index verdict on %s: sample %v, served %v", bad, ok, s.Accepted)

	p := startServer(t, root)
	p.waitServing()
	req := &pb.StreamBatchesRequest{BatchSize: 4, Seed: 3, Epoch: 0, EndEpoch: 2, Mix: &pb.Mix{Clean: 1}, Consumer: "unextractable"}
	var got []batchRec
	cursor := ""
	for attempt := 0; attempt < 3; attempt++ {
		q := proto.Clone(req).(*pb.StreamBatchesRequest)
		q.Cursor = cursor
		err = drain(ctx, p.api(), q, func(m *pb.StreamBatchesResponse) bool {
			got = append(got, record(m))
			cursor = m.GetCursor()
			return true
		})
		if err == nil {
			break
		}
		t.Errorf("attempt %d (cursor %q, %d batches so far) ended with: %v", attempt, short(cursor), len(got), err)
	}
	if err != nil {
		t.Errorf("BUG: a served sample that cannot be extracted ends every stream that draws it, and resuming stops at the same batch again: the trainer can never get past it")
	}
}

func short(s string) string {
	if len(s) > 16 {
		return s[:16] + "..."
	}
	return s
}
