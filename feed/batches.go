package feed

import (
	"context"
	"io"

	"github.com/starlight/dataserver/catalog"
	"github.com/starlight/dataserver/sampling"
)

// Batches delivers the batches of one stream in schedule order, assembling
// a bounded number ahead of the consumer. It holds a lease on its snapshot
// until Close, so a Reindex does not change what it serves.
type Batches struct {
	f      *Feed
	lease  *catalog.Lease
	spec   Spec
	start  position
	last   uint64 // the last epoch served
	first  *sampling.Schedule
	per    int
	out    chan result
	slot   chan struct{}
	cancel context.CancelFunc
	done   chan struct{}
}

type result struct {
	b   *Batch
	err error
}

// Open resolves spec against the catalog (snapshot, cursor) and starts
// assembling batches. The errors are those of sampling (ErrInvalidParams,
// ErrEmptyPool, ErrBadCursor, ErrCursorMismatch, ErrSnapshotMismatch), of
// catalog (ErrNotReady, ErrSnapshotGone) and ErrInvalid.
func (f *Feed) Open(ctx context.Context, cat *catalog.Catalog, spec Spec) (*Batches, error) {
	lease, pos, last, err := resolve(cat, spec)
	if err != nil {
		return nil, err
	}
	p := spec.Params
	p.Epoch = pos.epoch
	p.Mining.State = pos.state
	first, err := f.schedule(lease.View().Pools, p, pos.resumed)
	if err != nil {
		lease.Release()
		return nil, err
	}
	per := first.Rebased(pos.base).BatchesPerEpoch()
	ctx, cancel := context.WithCancel(ctx)
	bs := &Batches{
		f: f, lease: lease, spec: spec, start: pos, last: last, per: per, first: first,
		out:    make(chan result, f.cfg.Prefetch),
		slot:   make(chan struct{}, 1),
		cancel: cancel,
		done:   make(chan struct{}),
	}
	bs.slot <- struct{}{}
	go bs.produce(ctx, cat.Root())
	return bs, nil
}

// SnapshotID returns the id of the snapshot served.
func (bs *Batches) SnapshotID() string { return bs.lease.View().ID() }

// BatchesPerEpoch returns the batches per epoch on every rank.
func (bs *Batches) BatchesPerEpoch() int { return bs.per }

// Start returns the epoch and batch the stream starts at.
func (bs *Batches) Start() (epoch uint64, batch int) { return bs.start.epoch, bs.start.batch }

// Next returns the next batch, io.EOF after the last one, or the error that
// stopped the stream. The caller must Release each batch.
func (bs *Batches) Next(ctx context.Context) (*Batch, error) {
	select {
	case r, ok := <-bs.out:
		if !ok {
			return nil, io.EOF
		}
		return r.b, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Close stops the assembly, frees the batches not yet taken and releases
// the snapshot lease.
func (bs *Batches) Close() {
	bs.cancel()
	for r := range bs.out {
		r.b.Release()
	}
	<-bs.done
	bs.lease.Release()
}

func (bs *Batches) produce(ctx context.Context, root string) {
	defer close(bs.done)
	defer close(bs.out)
	view := bs.lease.View()
	size := BatchBytes(bs.spec.streams(), bs.spec.Params.BatchSize, bs.spec.PackBits)
	if bs.spec.Params.Augment {
		size += augmentBytes(bs.spec.streams(), bs.spec.Params.BatchSize)
	}
	var draws []sampling.Draw
	sent := 0
	emit := func(r result) bool {
		select {
		case bs.out <- r:
			return true
		case <-ctx.Done():
			r.b.Release()
			return false
		}
	}
	for epoch, next := bs.start.epoch, bs.start.batch; ; epoch, next = epoch+1, 0 {
		p := bs.spec.Params
		p.Epoch = epoch
		sched, err := bs.first, error(nil)
		if epoch != bs.start.epoch {
			sched, err = bs.f.schedule(view.Pools, p, false)
		}
		if err != nil {
			emit(result{err: err})
			return
		}
		if epoch == bs.start.epoch {
			sched = sched.Rebased(bs.start.base)
		}
		for b := next; b < sched.BatchesPerEpoch(); b++ {
			if bs.spec.MaxBatches > 0 && sent >= bs.spec.MaxBatches {
				return
			}
			charged, own, ok := bs.acquire(ctx, size)
			if !ok {
				return
			}
			var batch *Batch
			batch, draws, err = bs.f.assembleAt(ctx, root, view, sched, b, bs.spec.Layout, draws)
			if err != nil {
				bs.giveBack(charged, own)
				emit(result{err: err})
				return
			}
			batch.charged = charged
			if own {
				batch.ownSlot = bs.slot
			}
			if !emit(result{b: batch}) {
				return
			}
			sent++
		}
		if epoch == bs.last { // not epoch < last+1: the top epoch has no successor
			return
		}
	}
}

// acquire waits until the stream may assemble one more batch: its own slot
// (one batch outside the budget, so a stream never starves) or size bytes of
// the global budget.
func (bs *Batches) acquire(ctx context.Context, size int64) (charged int64, own, ok bool) {
	for {
		changed := bs.f.budget.wait()
		select {
		case <-bs.slot:
			return 0, true, true
		default:
		}
		if n, ok := bs.f.budget.tryAcquire(size); ok {
			return n, false, true
		}
		select {
		case <-bs.slot:
			return 0, true, true
		case <-changed:
		case <-ctx.Done():
			return 0, false, false
		}
	}
}

func (bs *Batches) giveBack(charged int64, own bool) {
	bs.f.budget.release(charged)
	if own {
		bs.slot <- struct{}{}
	}
}
