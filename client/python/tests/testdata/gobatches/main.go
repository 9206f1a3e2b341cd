// Command gobatches streams batches with the Go client and prints, one JSON
// line a batch, its per-sample columns and the sha256 of every tensor's
// values as the Go client decodes them (uint8 values unpacked, float32
// little-endian). The Python client's tests compare their tensors with it.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/starlight/dataserver/client"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// tensorDigest is one tensor of a batch as the Go client sees it.
type tensorDigest struct {
	Shape  []int64 `json:"shape"`
	Dtype  string  `json:"dtype"`
	Packed bool    `json:"packed"`
	SHA256 string  `json:"sha256"`
	// PerSample are the sha256 of each sample's slice of the values.
	PerSample []string `json:"per_sample"`
}

// line is one batch.
type line struct {
	Epoch            uint64                  `json:"epoch"`
	BatchIndex       uint64                  `json:"batch_index"`
	BatchesPerEpoch  uint64                  `json:"batches_per_epoch"`
	Cursor           string                  `json:"cursor"`
	SnapshotID       string                  `json:"snapshot_id"`
	ContentIDs       []string                `json:"content_ids"`
	Paths            []string                `json:"paths"`
	Labels           []uint32                `json:"labels"`
	Kinds            []int32                 `json:"kinds"`
	TechniqueClasses []int32                 `json:"technique_classes"`
	LossWeights      []float32               `json:"loss_weights"`
	BitOrderOneHot   []int                   `json:"bit_order_one_hot"`
	Tensors          map[string]tensorDigest `json:"tensors"`
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gobatches:", err)
		os.Exit(1)
	}
}

func run() error {
	addr := flag.String("addr", "", "server address host:port")
	batchSize := flag.Uint("batch-size", 8, "samples per batch")
	seed := flag.Uint64("seed", 0, "seed")
	epoch := flag.Uint64("epoch", 0, "epoch")
	batches := flag.Uint("batches", 0, "max batches (0: the whole epoch)")
	pack := flag.Bool("pack", false, "pack bit planes")
	mix := flag.String("mix", "", "clean:stego:negative weights")
	streams := flag.String("streams", "", "comma-separated stream names (wire names)")
	flag.Parse()

	req := &pb.StreamBatchesRequest{BatchSize: uint32(*batchSize), Seed: *seed, Epoch: *epoch,
		MaxBatches: uint32(*batches), PackBitPlanes: *pack}
	if *mix != "" {
		parts := strings.Split(*mix, ":")
		if len(parts) != 3 {
			return fmt.Errorf("-mix %q: want clean:stego:negative", *mix)
		}
		var w [3]uint32
		for i, p := range parts {
			v, err := strconv.ParseUint(p, 10, 32)
			if err != nil {
				return fmt.Errorf("-mix %q: %v", *mix, err)
			}
			w[i] = uint32(v)
		}
		req.Mix = &pb.Mix{Clean: w[0], Stego: w[1], Negative: w[2]}
	}
	for _, s := range strings.Split(*streams, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		k, ok := pb.StreamKind_value["STREAM_KIND_"+strings.ToUpper(s)]
		if !ok {
			return fmt.Errorf("-streams: unknown stream %q", s)
		}
		req.Streams = append(req.Streams, pb.StreamKind(k))
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := client.Dial(ctx, []string{*addr}, client.WithWaitReady())
	if err != nil {
		return err
	}
	defer c.Close()
	enc := json.NewEncoder(os.Stdout)
	for b, err := range c.Stream(ctx, req) {
		if err != nil {
			return err
		}
		l, err := describe(b)
		if err != nil {
			return err
		}
		if err := enc.Encode(l); err != nil {
			return err
		}
	}
	return nil
}

// describe turns one batch into its line.
func describe(b *client.Batch) (line, error) {
	l := line{
		Epoch: b.GetEpoch(), BatchIndex: b.GetBatchIndex(), BatchesPerEpoch: b.GetBatchesPerEpoch(),
		Cursor: b.GetCursor(), SnapshotID: b.GetSnapshotId(), ContentIDs: b.GetContentIds(), Paths: b.GetPaths(),
		Labels: b.GetLabels(), TechniqueClasses: b.GetTechniqueClasses(), LossWeights: b.GetLossWeights(),
		Tensors: map[string]tensorDigest{},
	}
	for _, k := range b.GetKinds() {
		l.Kinds = append(l.Kinds, int32(k))
	}
	for _, v := range b.GetBitOrderOneHot() {
		l.BitOrderOneHot = append(l.BitOrderOneHot, int(v))
	}
	for _, t := range b.GetTensors() {
		view, _ := b.Tensor(t.GetName())
		var raw []byte
		switch t.GetDtype() {
		case pb.Dtype_DTYPE_UINT8:
			v, err := view.Uint8()
			if err != nil {
				return l, err
			}
			raw = v
		case pb.Dtype_DTYPE_FLOAT32:
			v, err := view.Float32()
			if err != nil {
				return l, err
			}
			raw = make([]byte, 4*len(v))
			for i, f := range v {
				binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(f))
			}
		default:
			return l, fmt.Errorf("tensor %q: dtype %s", t.GetName(), t.GetDtype())
		}
		sum := sha256.Sum256(raw)
		d := tensorDigest{Shape: t.GetShape(), Dtype: t.GetDtype().String(), Packed: t.GetBitsPacked(), SHA256: hex.EncodeToString(sum[:])}
		if n := b.Len(); n > 0 && len(raw)%n == 0 {
			per := len(raw) / n
			for i := range n {
				s := sha256.Sum256(raw[i*per : (i+1)*per])
				d.PerSample = append(d.PerSample, hex.EncodeToString(s[:]))
			}
		}
		l.Tensors[t.GetName()] = d
	}
	return l, nil
}
