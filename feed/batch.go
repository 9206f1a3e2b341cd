package feed

import (
	"sync/atomic"

	"github.com/starlight/dataserver/index"
)

// Row is one sample's labels in a batch.
type Row struct {
	ID, Path, Submission string
	// Label is 1 for stego, 0 otherwise.
	Label    uint8
	Kind     index.Kind
	Class    int
	BitOrder index.BitOrder
	Category string
	// LossWeight is the sample's loss weight.
	LossWeight float32
	// Pair is the number of the sample's pair within the batch, -1 outside
	// a pair (meaningful when Batch.Paired).
	Pair int32
	// Transform is the D4 transform applied (when Batch.Augmented).
	Transform uint8
}

// Tensor is one stream for a whole batch, batch dimension first, C order.
type Tensor struct {
	Stream Stream
	// Name is the stream's wire name.
	Name  string
	DType DType
	// Shape is the logical (unpacked) shape, batch size first.
	Shape []int64
	// Data holds the values; bit-packed (8 per byte, MSB first) when Packed.
	// When Parts is set (Layout.Gather), Data is only memory Parts may
	// point into, or nil.
	Data   []byte
	Packed bool
	// Parts, set with Layout.Gather, are the tensor's bytes in order: slices
	// of the stream cache, of shared zeros and of Data. They are read-only.
	Parts [][]byte
	// memo, per sample, names the digest kept for its bytes when they lie
	// in the stream cache (see digest.go).
	memo []memoPart
}

// Len returns the tensor's byte length.
func (t *Tensor) Len() int {
	if t.Parts == nil {
		return len(t.Data)
	}
	n := 0
	for _, p := range t.Parts {
		n += len(p)
	}
	return n
}

// Batch is one assembled batch. Call Release once its data has been sent:
// its buffers go back to the feed and its share of the memory budget is freed.
// A transport that still reads the buffers after a send has returned calls
// ReleaseBudget then, and Release once it is done with them. Release,
// ReleaseBudget and Abandon may be called from different goroutines.
type Batch struct {
	SnapshotID string
	Epoch      uint64
	// Index is the batch's index in the epoch on its rank.
	Index int
	// PerEpoch is the number of batches per epoch on every rank.
	PerEpoch int
	// Cursor resumes the schedule right after this batch.
	Cursor string
	// Receipt names the batch and the digest of its bytes (see Receipt).
	Receipt string
	Rows    []Row
	Tensors []Tensor
	// Kinds counts the batch's samples per kind (index.Kind order).
	Kinds [3]int
	// Paired and Augmented tell that the schedule pairs and augments: the
	// rows' Pair and Transform are then to be sent.
	Paired, Augmented bool

	feed    *Feed
	charged int64
	// extra are pooled buffers the tensors may point into (augmented planes).
	extra   [][]byte
	ownSlot chan struct{}
	// budgetFreed and buffersFreed make each release happen once.
	budgetFreed, buffersFreed atomic.Bool
}

// Bytes returns the tensor bytes of the batch.
func (b *Batch) Bytes() int64 {
	var n int64
	for i := range b.Tensors {
		n += int64(b.Tensors[i].Len())
	}
	return n
}

// Release returns the batch's buffers and budget; the batch must not be used
// afterwards. Calling it again, or after Abandon, does nothing more.
func (b *Batch) Release() {
	if b == nil {
		return
	}
	if b.buffersFreed.CompareAndSwap(false, true) {
		for i := range b.Tensors {
			if b.feed != nil {
				b.feed.bufs.put(b.Tensors[i].Data)
			}
			b.Tensors[i].Data, b.Tensors[i].Parts, b.Tensors[i].memo = nil, nil, nil
		}
		for _, e := range b.extra {
			if b.feed != nil {
				b.feed.bufs.put(e)
			}
		}
		b.extra = nil
	}
	b.ReleaseBudget()
}

// ReleaseBudget frees the batch's share of the memory budget and its
// stream's slot, so the stream may assemble further, but keeps its buffers:
// for a transport that has taken the batch (as a marshalled message would
// be) and still reads them. Release returns the buffers later.
func (b *Batch) ReleaseBudget() {
	if b == nil || !b.budgetFreed.CompareAndSwap(false, true) {
		return
	}
	if b.feed != nil {
		b.feed.budget.release(b.charged)
	}
	if b.ownSlot != nil {
		select {
		case b.ownSlot <- struct{}{}:
		default:
		}
	}
}

// Abandon frees the batch's budget and slot but leaves its buffers to the
// garbage collector: for a batch a transport may still be reading (a send
// that timed out). Calling it after Release, or again, does nothing.
func (b *Batch) Abandon() {
	if b == nil {
		return
	}
	if b.buffersFreed.CompareAndSwap(false, true) {
		for i := range b.Tensors {
			b.Tensors[i].Data, b.Tensors[i].Parts = nil, nil
		}
		b.extra = nil
	}
	b.ReleaseBudget()
}

func rowOf(s *index.Sample, w Weights) Row {
	r := Row{
		ID: s.ID, Path: s.Path, Submission: s.Submission, Kind: s.Kind, Class: s.Class,
		BitOrder: s.BitOrder, LossWeight: w.For(s),
	}
	if s.Kind == index.KindStego {
		r.Label = 1
	} else {
		r.Class = index.ClassNone
		r.BitOrder = index.BitOrderNone
	}
	if s.Kind == index.KindNegative {
		r.Category = s.Category
	}
	return r
}
