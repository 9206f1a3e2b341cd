package server

import (
	"fmt"
	"slices"
	"strings"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/starlight/dataserver/catalog"
	"github.com/starlight/dataserver/feed"
	"github.com/starlight/dataserver/index"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
	"github.com/starlight/dataserver/sampling"
)

// streamKinds maps wire stream kinds to feed streams.
var streamKinds = map[pb.StreamKind]feed.Stream{
	pb.StreamKind_STREAM_KIND_PIXEL:       feed.Pixel,
	pb.StreamKind_STREAM_KIND_META:        feed.Meta,
	pb.StreamKind_STREAM_KIND_ALPHA:       feed.Alpha,
	pb.StreamKind_STREAM_KIND_ALPHA_FULL:  feed.AlphaFull,
	pb.StreamKind_STREAM_KIND_LSB:         feed.LSB,
	pb.StreamKind_STREAM_KIND_PALETTE:     feed.Palette,
	pb.StreamKind_STREAM_KIND_PALETTE_LSB: feed.PaletteLSB,
	pb.StreamKind_STREAM_KIND_FORMAT:      feed.Format,
	pb.StreamKind_STREAM_KIND_CONTENT:     feed.Content,
}

// maxConsumerName bounds the consumer label.
const maxConsumerName = 64

// DefaultBatchSize is the batch size of a request that leaves it out: small
// enough that a batch of every default stream, unpacked, fits a default
// gRPC client's 4 MiB message limit (grpcurl with default flags).
const DefaultBatchSize = 4

// specOf validates a request's fields and turns it into a feed spec.
func specOf(r *pb.StreamBatchesRequest) (feed.Spec, error) {
	var spec feed.Spec
	batch := int(r.GetBatchSize())
	if batch == 0 {
		batch = DefaultBatchSize
	}
	world := int(r.GetWorldSize())
	if world == 0 {
		world = 1
	}
	m := r.GetMix()
	if m != nil && m.GetClean() == 0 && m.GetStego() == 0 && m.GetNegative() == 0 {
		return spec, fmt.Errorf("%w: mix 0:0:0 serves nothing: leave mix out for the default 1:1:1, or give at least one positive weight", errInvalid)
	}
	mining, err := miningOf(r.GetMining())
	if err != nil {
		return spec, err
	}
	spec.Params = sampling.Params{
		Seed: r.GetSeed(), Epoch: r.GetEpoch(), BatchSize: batch,
		Rank: int(r.GetRank()), World: world, ClassBalance: r.GetClassBalance(),
		Mix:   sampling.Mix{m.GetClean(), m.GetStego(), m.GetNegative()},
		Split: r.GetSplit(), Evaluation: r.GetEvaluation(),
		Pairing: r.GetPairing(), StegosPerCover: int(r.GetStegosPerCover()),
		Augment: r.GetAugment(), Mining: mining,
	}
	if err := spec.Params.Validate(); err != nil {
		return spec, err
	}
	spec.Cursor = r.GetCursor()
	spec.SnapshotID = r.GetSnapshotId()
	spec.EndEpoch = r.GetEndEpoch()
	spec.MaxBatches = int(r.GetMaxBatches())
	spec.PackBits = r.GetPackBitPlanes()
	for _, k := range r.GetStreams() {
		s, ok := streamKinds[k]
		if !ok {
			return spec, fmt.Errorf("%w: unknown stream %s", errInvalid, k)
		}
		spec.Streams = append(spec.Streams, s)
	}
	w := feed.DefaultWeights()
	if lw := r.GetLossWeights(); lw != nil {
		if lw.Clean != nil {
			w.Clean = lw.GetClean()
		}
		if lw.Stego != nil {
			w.Stego = lw.GetStego()
		}
		if lw.Negative != nil {
			w.Negative = lw.GetNegative()
		}
		if len(lw.GetNegativeCategories()) > 0 {
			w.Categories = lw.GetNegativeCategories()
		}
	}
	for _, v := range append([]float32{w.Clean, w.Stego, w.Negative}, values(w.Categories)...) {
		if !(v >= 0 && v <= 1e6) {
			return spec, fmt.Errorf("%w: loss weight %v outside 0..1e6", errInvalid, v)
		}
	}
	spec.Weights = w
	return spec, nil
}

// miningOf validates the mining options; nil means off.
func miningOf(m *pb.Mining) (sampling.Mining, error) {
	var out sampling.Mining
	if m == nil {
		return out, nil
	}
	if m.GetRun() == "" {
		return out, fmt.Errorf("%w: mining needs a run name (the run that reports losses)", errInvalid)
	}
	out.Run, out.Strength, out.FirstEpoch = m.GetRun(), m.GetStrength(), m.GetFirstEpoch()
	for _, k := range m.GetKinds() {
		i := slices.Index(kinds[:], k)
		if i < 0 {
			return out, fmt.Errorf("%w: mining kind %s is not clean, stego or negative", errInvalid, k)
		}
		out.Kinds |= 1 << i
	}
	return out, nil
}

func values(m map[string]float32) []float32 {
	out := make([]float32, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// consumerName sanitises the consumer label: the authenticated name when
// auth is on, else the request's name, else "anonymous".
func consumerName(authName, requested string) string {
	name := authName
	if name == "" {
		name = requested
	}
	if name == "" {
		return "anonymous"
	}
	var b strings.Builder
	for _, c := range name {
		if b.Len() >= maxConsumerName {
			break
		}
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_.:/@", c) {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

var kinds = [...]pb.Kind{pb.Kind_KIND_CLEAN, pb.Kind_KIND_STEGO, pb.Kind_KIND_NEGATIVE}

var bitOrders = [...]pb.BitOrder{pb.BitOrder_BIT_ORDER_LSB_FIRST, pb.BitOrder_BIT_ORDER_MSB_FIRST, pb.BitOrder_BIT_ORDER_NONE}

func kindOf(k index.Kind) pb.Kind {
	if k >= 0 && int(k) < len(kinds) {
		return kinds[k]
	}
	return pb.Kind_KIND_UNSPECIFIED
}

func bitOrderOf(b index.BitOrder) pb.BitOrder {
	if b >= 0 && int(b) < len(bitOrders) {
		return bitOrders[b]
	}
	return pb.BitOrder_BIT_ORDER_UNSPECIFIED
}

var dtypes = map[feed.DType]pb.Dtype{feed.Uint8: pb.Dtype_DTYPE_UINT8, feed.Float32: pb.Dtype_DTYPE_FLOAT32}

// batchMessage lays a batch out as a response without the tensors' data,
// which outgoing sends from the batch's own memory.
func batchMessage(b *feed.Batch) *pb.StreamBatchesResponse {
	n := len(b.Rows)
	m := &pb.StreamBatchesResponse{
		SnapshotId: b.SnapshotID, Epoch: b.Epoch, BatchIndex: uint64(b.Index),
		BatchesPerEpoch: uint64(b.PerEpoch), Cursor: b.Cursor, ExtractorVersion: extractorVersion, Receipt: b.Receipt,
		Split:      b.Split,
		ContentIds: make([]string, n), Paths: make([]string, n), Submissions: make([]string, n),
		Labels: make([]uint32, n), Kinds: make([]pb.Kind, n), TechniqueClasses: make([]int32, n),
		BitOrders: make([]pb.BitOrder, n), BitOrderOneHot: make([]byte, 3*n),
		NegativeCategories: make([]string, n), LossWeights: make([]float32, n),
		Tensors: make([]*pb.Tensor, len(b.Tensors)),
	}
	for i, r := range b.Rows {
		m.ContentIds[i], m.Paths[i], m.Submissions[i] = r.ID, r.Path, r.Submission
		m.Labels[i] = uint32(r.Label)
		m.Kinds[i] = kindOf(r.Kind)
		m.TechniqueClasses[i] = int32(r.Class)
		m.BitOrders[i] = bitOrderOf(r.BitOrder)
		if r.BitOrder >= 0 && r.BitOrder <= index.BitOrderNone {
			m.BitOrderOneHot[3*i+int(r.BitOrder)] = 1
		}
		m.NegativeCategories[i] = r.Category
		m.LossWeights[i] = r.LossWeight
	}
	pairsAndTransforms(m, b)
	for i, t := range b.Tensors {
		m.Tensors[i] = &pb.Tensor{Name: t.Name, Dtype: dtypes[t.DType], Shape: t.Shape, BitsPacked: t.Packed}
	}
	return m
}

// messageOverhead bounds the bytes of a batch message beyond its tensors, per sample.
const messageOverhead = 1024

func severityOf(s index.Severity) pb.Severity {
	if s == index.SeverityError {
		return pb.Severity_SEVERITY_ERROR
	}
	return pb.Severity_SEVERITY_WARNING
}

func problemsOf(ps []index.Problem) []*pb.Problem {
	out := make([]*pb.Problem, len(ps))
	for i, p := range ps {
		out[i] = &pb.Problem{Severity: severityOf(p.Severity), Code: p.Code, Path: p.Path, Line: uint32(max(p.Line, 0)), Message: p.Message}
	}
	return out
}

func reindexMessage(r *catalog.Result) *pb.ReindexResponse {
	m := &pb.ReindexResponse{
		SnapshotId: r.Current.ID(), Added: r.Changes.Added, Removed: r.Changes.Removed, Changed: r.Changes.Changed,
		NewProblems: problemsOf(r.Changes.NewProblems), Samples: uint64(len(r.Current.Snapshot.Samples)),
		Accepted: uint64(r.Current.Accepted), DurationSeconds: r.Took.Seconds(),
		SplitMoves: splitMovesOf(r.SplitMoves),
	}
	if r.Previous != nil {
		m.PreviousSnapshotId = r.Previous.ID()
	}
	return m
}

func countsOf(cs []catalog.Count) []*pb.CountRow {
	out := make([]*pb.CountRow, len(cs))
	for i, c := range cs {
		out[i] = &pb.CountRow{
			Submission: c.Submission, Kind: kindOf(c.Kind), Technique: c.Technique, TechniqueClass: int32(c.Class),
			Category: c.Category, Format: strings.ToLower(c.Format), Samples: uint64(c.Samples), Accepted: uint64(c.Accepted),
		}
	}
	return out
}

func sharesOf(v [sampling.NumKinds]float64) *pb.KindShares {
	return &pb.KindShares{Clean: v[index.KindClean], Stego: v[index.KindStego], Negative: v[index.KindNegative]}
}

func servingOf(fs feed.Stats, consumers []feed.ConsumerFigures, active int) *pb.ServingStats {
	s := &pb.ServingStats{
		ActiveStreams: uint32(active), CacheHits: fs.CacheHits, CacheMisses: fs.CacheMisses,
		CacheBytes: uint64(fs.CacheBytes), CacheEntries: uint64(fs.CacheEntries), DiskCacheHits: fs.DiskHits,
		ExtractErrors: fs.ExtractErrors, WarmedAtIndex: fs.Warmed,
		BudgetBytes: uint64(fs.Budget), BudgetUsedBytes: uint64(max(fs.BudgetUsed, 0)), BudgetRefusals: fs.BudgetRefusals,
		Extraction: &pb.LatencySummary{
			Count: fs.Extraction.Count, MeanSeconds: fs.Extraction.Mean, P50Seconds: fs.Extraction.P50,
			P99Seconds: fs.Extraction.P99, MaxSeconds: fs.Extraction.Max,
		},
	}
	for _, c := range consumers {
		s.Consumers = append(s.Consumers, &pb.ConsumerStats{
			Consumer: c.Name, ActiveStreams: uint32(max(c.ActiveStreams, 0)), BatchesServed: c.Batches,
			SamplesServed: c.Samples, ServedMix: sharesOf(c.ServedShares()), RequestedMix: sharesOf(c.Requested),
		})
	}
	return s
}

func timestampOf(v *catalog.View) *timestamppb.Timestamp {
	return timestamppb.New(v.Snapshot.Created)
}

// indexingOf maps the progress of the running index build.
func indexingOf(p catalog.Progress) *pb.IndexProgress {
	return &pb.IndexProgress{Running: p.Running, Done: uint64(p.Done), Total: uint64(p.Total),
		FilesPerSecond: p.Rate, EtaSeconds: p.ETA.Seconds()}
}
