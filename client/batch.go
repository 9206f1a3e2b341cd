package client

import (
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// Batch is one batch of a stream: the wire message (its per-sample columns
// through the embedded getters, GetPaths, GetLabels, GetLossWeights, ...)
// and views of its tensors. A Batch is not safe for concurrent use: take
// the views from one goroutine, then share the slices freely.
type Batch struct {
	*pb.StreamBatchesResponse
	// Peer is the address of the replica that sent the batch.
	Peer string
	// Resumes counts the times the stream was resumed (after a transient
	// error, on the same replica or another) before this batch arrived.
	Resumes int

	views []Tensor
}

// Len returns the number of samples in the batch.
func (b *Batch) Len() int { return len(b.GetContentIds()) }

// Tensor returns the view of the named stream ("pixel", "lsb", ...), or
// false when the batch does not carry it.
func (b *Batch) Tensor(name string) (*Tensor, bool) {
	ts := b.GetTensors()
	if b.views == nil {
		b.views = make([]Tensor, len(ts))
		for i, t := range ts {
			b.views[i].Tensor = t
		}
	}
	for i := range b.views {
		if b.views[i].GetName() == name {
			return &b.views[i], true
		}
	}
	return nil, false
}

// Bytes returns the bytes of tensor data the batch carries, as sent.
func (b *Batch) Bytes() int64 {
	var n int64
	for _, t := range b.GetTensors() {
		n += int64(len(t.GetData()))
	}
	return n
}
