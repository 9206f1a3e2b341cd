package feed

import (
	"errors"
	"fmt"

	"github.com/starlight/dataserver/catalog"
	"github.com/starlight/dataserver/sampling"
)

// Spec is what a consumer asks to stream, free of any transport.
type Spec struct {
	// Params fix the schedule; Params.Epoch is the first epoch when there is no cursor.
	Params sampling.Params
	// Cursor, when set, resumes right after the batch it came from; its
	// snapshot, epoch and position take precedence.
	Cursor string
	// SnapshotID pins a snapshot; empty means the current one (or the cursor's).
	SnapshotID string
	// EndEpoch is the epoch the stream stops before; 0 means Params.Epoch+1
	// (so the top epoch, 2^64-1, can be asked for alone).
	EndEpoch uint64
	// MaxBatches caps the batches delivered; 0 means no cap.
	MaxBatches int
	Layout
}

// ErrInvalid reports a request the feed cannot serve as asked.
var ErrInvalid = errors.New("invalid request")

// ErrPastEnd reports a cursor that resumes after the last epoch the request
// asks for: the stream would be empty.
var ErrPastEnd = errors.New("the cursor resumes past the end of the request")

// position is where a stream starts.
type position struct {
	epoch uint64
	batch int
	// base is the global batch the start epoch's division begins at (an elastic resume).
	base uint64
	// resumed tells that a cursor of the start epoch named its mining state.
	resumed bool
	state   string
}

// resolve checks spec against the catalog, leases the snapshot to serve and
// finds the first batch and the last epoch to serve (inclusive, so that the
// top epoch 2^64-1 has one).
func resolve(cat *catalog.Catalog, spec Spec) (*catalog.Lease, position, uint64, error) {
	var pos position
	if err := checkLayout(spec); err != nil {
		return nil, pos, 0, err
	}
	last := spec.Params.Epoch
	if spec.EndEpoch != 0 {
		if spec.EndEpoch <= spec.Params.Epoch {
			return nil, pos, 0, fmt.Errorf("%w: end_epoch %d is not after epoch %d (end_epoch is exclusive; 0 streams epoch %d alone)",
				ErrInvalid, spec.EndEpoch, spec.Params.Epoch, spec.Params.Epoch)
		}
		last = spec.EndEpoch - 1
	}
	if err := spec.Params.Validate(); err != nil {
		return nil, pos, 0, err
	}
	pin := spec.SnapshotID
	var cur sampling.Cursor
	if spec.Cursor != "" {
		var err error
		if cur, err = sampling.ParseCursor(spec.Cursor); err != nil {
			return nil, pos, 0, err
		}
		if pin != "" && pin != cur.SnapshotID {
			return nil, pos, 0, fmt.Errorf("%w: the cursor is of snapshot %s, the request pins %s", sampling.ErrSnapshotMismatch, cur.SnapshotID, pin)
		}
		pin = cur.SnapshotID
	}
	lease, err := cat.Acquire(pin)
	if err != nil {
		return nil, pos, 0, err
	}
	view := lease.View()
	pos.epoch = spec.Params.Epoch
	if spec.Cursor != "" {
		if err := cur.Check(view.ID(), spec.Params); err != nil {
			lease.Release()
			return nil, pos, 0, err
		}
		shape := cur // the mining state does not change the schedule's shape
		shape.Params = stateless(cur.Params)
		start, err := shape.Resume(view.Pools, spec.Params)
		if err != nil {
			lease.Release()
			return nil, pos, 0, err
		}
		if start.Epoch > last || start.Epoch < cur.Epoch { // past the request's last epoch, or past 2^64-1
			lease.Release()
			return nil, pos, 0, fmt.Errorf("%w: it is at the end of epoch %d, and the request ends with epoch %d: raise end_epoch, or leave the cursor out to start at epoch %d",
				ErrPastEnd, cur.Epoch, last, spec.Params.Epoch)
		}
		pos.epoch, pos.batch, pos.base = start.Epoch, start.Batch, start.Base
		pos.resumed, pos.state = start.Epoch == cur.Epoch, cur.Mining.State
	} else if _, err := sampling.New(view.Pools, spec.Params); err != nil {
		lease.Release()
		return nil, pos, 0, err
	}
	return lease, pos, last, nil
}

func checkLayout(spec Spec) error {
	if spec.MaxBatches < 0 {
		return fmt.Errorf("%w: max batches %d is negative", ErrInvalid, spec.MaxBatches)
	}
	seen := map[Stream]bool{}
	for _, s := range spec.Streams {
		if !s.Valid() {
			return fmt.Errorf("%w: unknown stream %d", ErrInvalid, int(s))
		}
		if seen[s] {
			return fmt.Errorf("%w: stream %s named twice", ErrInvalid, s.Name())
		}
		seen[s] = true
	}
	return nil
}
