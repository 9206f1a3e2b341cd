package feed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/starlight/dataserver/catalog"
	"github.com/starlight/dataserver/extract"
	"github.com/starlight/dataserver/sampling"
)

// ErrReceiptStale marks a well-formed receipt whose batch this server cannot
// give back byte for byte: its snapshot is not served here any more, a file
// changed, or the extraction differs (FailedPrecondition).
var ErrReceiptStale = errors.New("the receipt's batch cannot be replayed here")

// maxNamedFiles bounds the changed files an error names.
const maxNamedFiles = 20

// assembleAt assembles batch b of sched over view and names it (cursor and
// receipt): the one place where a streamed batch and a replayed one are
// made, so that they are the same bytes. draws is reused.
func (f *Feed) assembleAt(ctx context.Context, root string, view *catalog.View, sched *sampling.Schedule, b int, l Layout, draws []sampling.Draw) (*Batch, []sampling.Draw, error) {
	draws = sched.AppendBatch(draws[:0], b)
	batch, err := f.assembleDraws(ctx, root, draws, sched.Params(), l)
	if err != nil {
		return nil, draws, err
	}
	batch.SnapshotID = view.ID()
	batch.Epoch = sched.Params().Epoch
	batch.Index = b
	batch.PerEpoch = sched.BatchesPerEpoch()
	batch.Cursor = sched.Cursor(view.ID(), b+1).Encode()
	batch.Split = sched.Params().Split
	batch.Receipt = receiptOf(sched.Cursor(view.ID(), b), l, batch).Encode()
	return batch, draws, nil
}

// Replay re-assembles the batch a receipt names, from the receipt's snapshot
// when it is the current one or still held by a stream. Every file of the
// batch is read and hashed first: one that changed since indexing fails
// with ErrReceiptStale naming it, even when the cache still holds its old
// streams. The batch's digest must then equal the receipt's: Replay never
// returns other bytes under a receipt. The caller must Release the batch.
// The batch, and the copy a reply makes of it, are charged to the memory
// budget until Release (ErrBudget when that much is not free in time).
// Errors: ErrBadReceipt, ErrReceiptStale, ErrBudget, and those of sampling and catalog.
func (f *Feed) Replay(ctx context.Context, cat *catalog.Catalog, receipt string) (*Batch, error) {
	r, err := ParseReceipt(receipt)
	if err != nil {
		return nil, err
	}
	if r.ExtractorVersion != extract.Version {
		return nil, fmt.Errorf("%w: the batch was extracted with profile %q, this server extracts with %q", ErrReceiptStale, r.ExtractorVersion, extract.Version)
	}
	lease, err := cat.Acquire(r.Position.SnapshotID)
	if errors.Is(err, catalog.ErrSnapshotGone) {
		return nil, fmt.Errorf("%w: the receipt's snapshot is not served here (%w): the tree changed or was reindexed since the batch was sent, and replay needs the same tree", ErrReceiptStale, err)
	}
	if err != nil {
		return nil, err
	}
	defer lease.Release()
	view := lease.View()
	sched, err := f.Schedule(view.PoolsFor(r.Position.Params.Split), r.Position.Params) // a mined one by its frozen table
	if err != nil {
		return nil, err
	}
	sched = sched.Rebased(r.Position.Base) // an elastic resume's division of the epoch
	b := int(min(r.Position.NextBatch, 1<<31))
	if b >= sched.BatchesPerEpoch() {
		return nil, fmt.Errorf("%w: batch %d beyond the %d batches of the epoch", ErrBadReceipt, b, sched.BatchesPerEpoch())
	}
	if err := f.verifyFiles(cat.Root(), sched.Batch(b)); err != nil {
		return nil, err
	}
	l := r.Layout
	l.Gather = true
	// The batch and the reply's copy of its tensors are held for the caller:
	// both are charged to the memory budget until the batch is released.
	charged, err := f.budget.reserve(ctx, 2*Spec{Params: r.Position.Params, Layout: l}.batchBytes(), f.cfg.BudgetWait)
	if err != nil {
		return nil, err
	}
	batch, _, err := f.assembleAt(ctx, cat.Root(), view, sched, b, l, nil)
	if err != nil {
		f.budget.release(charged)
		return nil, err
	}
	batch.charged = charged
	if batch.Receipt != receipt {
		batch.Release()
		return nil, fmt.Errorf("%w: the re-assembled bytes differ from the receipt's digest although the files are unchanged (the extraction differs); nothing returned", ErrReceiptStale)
	}
	return batch, nil
}

// verifyFiles reads and hashes each file of the batch: any whose bytes no
// longer hash to its content id fails with ErrReceiptStale naming it.
func (f *Feed) verifyFiles(root string, draws []sampling.Draw) error {
	var changed []string
	seen := map[string]bool{}
	for _, d := range draws {
		s := d.Sample
		if seen[s.Path] {
			continue
		}
		seen[s.Path] = true
		rel := filepath.FromSlash(s.Path)
		if !filepath.IsLocal(rel) {
			changed = append(changed, s.Path+" (path leaves the root)")
			continue
		}
		data, err := readInRoot(root, rel, f.maxFileSize())
		if err != nil {
			changed = append(changed, fmt.Sprintf("%s (%v)", s.Path, err))
			continue
		}
		sum := sha256.Sum256(data)
		if got := hex.EncodeToString(sum[:]); got != s.ID {
			changed = append(changed, fmt.Sprintf("%s (sha256 now %s, indexed %s)", s.Path, got[:12], short(s.ID)))
		}
	}
	if len(changed) == 0 {
		return nil
	}
	n := len(changed)
	if n > maxNamedFiles {
		changed = append(changed[:maxNamedFiles], fmt.Sprintf("and %d more", n-maxNamedFiles))
	}
	return fmt.Errorf("%w: %d file(s) of the batch changed since it was sent: %s; reindex and stream anew", ErrReceiptStale, n, strings.Join(changed, ", "))
}
