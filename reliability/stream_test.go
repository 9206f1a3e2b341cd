package reliability

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strings"

	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// batchRec is what a test keeps of one batch received.
type batchRec struct {
	epoch, index, perEpoch uint64
	cursor, snapshot       string
	// ids are the content ids and digests the per-sample digests of every
	// tensor's rows, in batch order.
	ids, paths, digests []string
}

// record digests each sample's rows of every tensor of m.
func record(m *pb.StreamBatchesResponse) batchRec {
	r := batchRec{epoch: m.GetEpoch(), index: m.GetBatchIndex(), perEpoch: m.GetBatchesPerEpoch(),
		cursor: m.GetCursor(), snapshot: m.GetSnapshotId(), ids: m.GetContentIds(), paths: m.GetPaths()}
	n := len(r.ids)
	for i := 0; i < n; i++ {
		h := sha256.New()
		for _, tn := range m.GetTensors() {
			d := tn.GetData()
			if n == 0 || len(d)%n != 0 {
				h.Write([]byte("bad tensor size"))
				continue
			}
			row := len(d) / n
			h.Write([]byte(tn.GetName()))
			h.Write(d[i*row : (i+1)*row])
		}
		r.digests = append(r.digests, hex.EncodeToString(h.Sum(nil)[:8]))
	}
	return r
}

// drain reads a StreamBatches call until it ends, handing each batch to fn
// (which returns false to stop reading). It returns nil at the end of the
// stream and the call's error otherwise.
func drain(ctx context.Context, api pb.DataServiceClient, req *pb.StreamBatchesRequest, fn func(*pb.StreamBatchesResponse) bool) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s, err := api.StreamBatches(ctx, req)
	if err != nil {
		return err
	}
	for {
		m, err := s.Recv()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if !fn(m) {
			return nil
		}
	}
}

// slot is one sample position of a schedule.
type slot struct {
	epoch, batch uint64
	pos          int
}

// tally compares the batches received with the uninterrupted reference and
// counts, per epoch, the samples lost (in the reference, never received),
// duplicated (received more than once) and unexpected (received where the
// reference has another sample or other tensor bytes).
type tally struct {
	lost, dup, unexpected map[uint64]int
	batches               int
}

func compare(ref, got []batchRec) tally {
	want := map[slot]string{}
	for _, b := range ref {
		for i := range b.ids {
			want[slot{b.epoch, b.index, i}] = b.ids[i] + "/" + b.digests[i]
		}
	}
	t := tally{lost: map[uint64]int{}, dup: map[uint64]int{}, unexpected: map[uint64]int{}, batches: len(got)}
	seen := map[slot]int{}
	for _, b := range got {
		for i := range b.ids {
			s := slot{b.epoch, b.index, i}
			seen[s]++
			if seen[s] > 1 {
				t.dup[b.epoch]++
				continue
			}
			if w, ok := want[s]; !ok || w != b.ids[i]+"/"+b.digests[i] {
				t.unexpected[b.epoch]++
			}
		}
	}
	for s := range want {
		if seen[s] == 0 {
			t.lost[s.epoch]++
		}
	}
	return t
}

func (t tally) zero() bool {
	return sum(t.lost)+sum(t.dup)+sum(t.unexpected) == 0
}

func sum(m map[uint64]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func (t tally) String() string {
	epochs := map[uint64]bool{}
	for _, m := range []map[uint64]int{t.lost, t.dup, t.unexpected} {
		for e := range m {
			epochs[e] = true
		}
	}
	keys := make([]uint64, 0, len(epochs))
	for e := range epochs {
		keys = append(keys, e)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	var b strings.Builder
	fmt.Fprintf(&b, "lost %d, duplicated %d, unexpected %d", sum(t.lost), sum(t.dup), sum(t.unexpected))
	for _, e := range keys {
		fmt.Fprintf(&b, "; epoch %d: lost %d dup %d unexpected %d", e, t.lost[e], t.dup[e], t.unexpected[e])
	}
	return b.String()
}

// samples counts the sample slots of a set of batches.
func samples(bs []batchRec) int {
	n := 0
	for _, b := range bs {
		n += len(b.ids)
	}
	return n
}
