package feedback

import (
	"cmp"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// hardestCache is a run's hardest samples as last computed.
type hardestCache struct {
	at    time.Time
	n     int
	dirty bool
	top   []Summary
}

// Hardest returns the n samples of run with the highest loss summary,
// highest first (ties by content id). It scans the run's summaries, at most
// once per HardestEvery while reports come in; between scans it returns the
// last result. An unknown run has none.
func (s *Store) Hardest(run string, n int) ([]Summary, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	now := s.opts.Now()
	h := s.hardest[run]
	if h != nil && h.n >= n && (!h.dirty || now.Sub(h.at) < s.opts.HardestEvery) {
		return slices.Clone(h.top[:min(n, len(h.top))]), nil
	}
	var top []Summary
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRuns).Bucket([]byte(run))
		if b == nil {
			return nil
		}
		return b.Bucket(bucketSum).ForEach(func(k, v []byte) error {
			sum, err := decodeSummary(v)
			if err != nil {
				return fmt.Errorf("summary of %x: %v", k, err)
			}
			if len(top) == n && sum.Loss <= top[n-1].Loss {
				return nil // keys ascend, so an equal loss loses the tie
			}
			sum.ContentID = hex.EncodeToString(k)
			at, _ := slices.BinarySearchFunc(top, sum, harder)
			top = slices.Insert(top, at, sum)
			if len(top) > n {
				top = top[:n]
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("%w: reading run %q: %v", ErrStore, run, err)
	}
	if _, ok := s.runs[run]; ok {
		s.hardest[run] = &hardestCache{at: now, n: n, top: top}
	}
	return slices.Clone(top), nil
}

// harder orders summaries by loss, highest first, then by content id.
func harder(a, b Summary) int {
	if c := cmp.Compare(b.Loss, a.Loss); c != 0 {
		return c
	}
	return cmp.Compare(a.ContentID, b.ContentID)
}
