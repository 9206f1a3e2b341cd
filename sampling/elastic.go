package sampling

import (
	"fmt"
	"strconv"
	"strings"
)

// Elastic resume. Global batch g of an epoch is the same whatever the world
// size (pairing places its units per global batch, the plain schedule reads
// positions g*BatchSize onwards), and ranks only divide the global batches
// among themselves: rank r of world W takes global batches Base + b*W + r.
// In synchronous training every consumer has taken as many batches as the
// others, so the global batches consumed are a prefix [Base, Base+n): an
// elastic cursor names that n (Cursor.Consumed) next to any consumer's
// cursor, and the request, with any world size and rank, resumes the epoch
// at Base+n, dividing what is left among its own world. Global batches
// past the epoch's own pad the last row so every rank gets as many batches:
// the plain schedule continues its pattern there, pairing fills them with
// single samples.

// elasticSep separates a cursor from its elastic suffix; base64url never
// uses it.
const elasticSep = "."

// ElasticCursor returns the cursor text that resumes, with any world size
// and rank, after consumed batches of cursor's division of the epoch (all
// its ranks together, counted from the division's start): the cursor, a
// dot, and consumed in decimal. A consumer of rank r of world W that has
// taken t batches in step with the others passes consumed = t*W, with any
// rank's cursor of that step.
func ElasticCursor(cursor string, consumed uint64) string {
	return cursor + elasticSep + strconv.FormatUint(consumed, 10)
}

// splitElastic splits an elastic suffix off s.
func splitElastic(s string) (cursor string, consumed uint64, elastic bool, err error) {
	cursor, suffix, found := strings.Cut(s, elasticSep)
	if !found {
		return s, 0, false, nil
	}
	if suffix == "" || len(suffix) > 19 || strings.TrimLeft(suffix, "0123456789") != "" || (len(suffix) > 1 && suffix[0] == '0') {
		return "", 0, false, fmt.Errorf("%w: elastic suffix %q is not a decimal batch count", ErrBadCursor, suffix)
	}
	n, err := strconv.ParseUint(suffix, 10, 64)
	if err != nil || n > maxBase {
		return "", 0, false, fmt.Errorf("%w: elastic suffix %q out of range", ErrBadCursor, suffix)
	}
	return cursor, n, true, nil
}

// Rebased returns the schedule with its division among the ranks starting
// at global batch base of the epoch (0 is the plain schedule): rank r's
// batch b is global batch base + b*World + r, and each rank gets
// ceil((GlobalBatches()-base)/World) batches, none when base is past the end.
func (s *Schedule) Rebased(base uint64) *Schedule {
	c := *s
	c.base = base
	c.setBatches()
	return &c
}

// Base returns the global batch the division among ranks starts at.
func (s *Schedule) Base() uint64 { return s.base }

// GlobalBatches returns the number of global batches of the epoch, before
// the padding that gives every rank as many batches.
func (s *Schedule) GlobalBatches() uint64 { return s.raw }

// Start is where a stream resumes: an epoch, the base of its division and
// this rank's next batch in it.
type Start struct {
	Epoch, Base uint64
	Batch       int
}

// Resume returns where a request of parameters p resumes from c over pools,
// c having passed Check. A plain cursor resumes at its next batch (the next
// epoch's first when its own is done); an elastic one at its consumed
// position, divided among p's world. ErrBadCursor reports a cursor beyond
// its epoch or an elastic count its own position contradicts.
func (c Cursor) Resume(pools *Pools, p Params) (Start, error) {
	old, err := New(pools, c.Params)
	if err != nil {
		return Start{}, err
	}
	old = old.Rebased(c.Base)
	per := uint64(old.BatchesPerEpoch())
	if c.NextBatch > per {
		return Start{}, fmt.Errorf("%w: cursor batch %d beyond the %d batches of the epoch", ErrBadCursor, c.NextBatch, per)
	}
	if !c.Elastic {
		r := c.Rollover(int(per))
		return Start{Epoch: r.Epoch, Base: r.Base, Batch: int(r.NextBatch)}, nil
	}
	// The cursor's rank took its batches 0..NextBatch-1, global batches
	// b*World+Rank of the division: the consumed prefix covers the last of
	// them and not the next.
	w, r, n := uint64(c.World), uint64(c.Rank), c.NextBatch
	lo, hi := uint64(0), n*w+r
	if n > 0 {
		lo = (n-1)*w + r + 1
	}
	hi = min(hi, per*w)
	if c.Consumed < lo || c.Consumed > hi {
		return Start{}, fmt.Errorf("%w: elastic position %d contradicts the cursor (rank %d of %d at batch %d: want %d..%d)",
			ErrBadCursor, c.Consumed, c.Rank, c.World, n, lo, hi)
	}
	base := c.Base + c.Consumed
	if base >= old.GlobalBatches() {
		return Start{Epoch: c.Epoch + 1}, nil
	}
	return Start{Epoch: c.Epoch, Base: base}, nil
}
