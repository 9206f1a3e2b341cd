package feedback

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"

	bolt "go.etcd.io/bbolt"

	"github.com/starlight/dataserver/sampling"
)

// Freeze returns the loss table run's mined epoch draws by. The first call
// for (run, epoch) freezes the run's summary as it stands at that moment
// (every report committed before it, none after; a run never reported
// freezes empty and the epoch draws uniformly) and records the table's id
// under (run, epoch); every later call, on any stream and after a restart,
// returns that same table. So "frozen at the end of epoch e-1" means: at the
// moment the first stream of the run needs epoch e's schedule. Only the
// newest MaxFrozen epochs of a run are kept.
func (s *Store) Freeze(run string, epoch uint64) (*sampling.LossTable, error) {
	if err := CheckRun(run); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	now := s.opts.Now()
	var (
		table *sampling.LossTable
		meta  *runMeta
		found bool
	)
	key := binary.BigEndian.AppendUint64(nil, epoch)
	// Most calls find the epoch frozen already: a read, no commit.
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRuns).Bucket([]byte(run))
		if b == nil {
			return nil
		}
		id := b.Bucket(bucketFrozen).Get(key)
		if id == nil {
			return nil
		}
		found = true
		var err error
		table, err = s.tableIn(b, run, string(id))
		return err
	})
	if err == nil && !found {
		err = s.update(func(tx *bolt.Tx) error {
			b, m, _, err := s.runBucket(tx, run, now)
			if err != nil {
				return err
			}
			frozen := b.Bucket(bucketFrozen)
			if id := frozen.Get(key); id != nil {
				table, err = s.tableIn(b, run, string(id))
				return err
			}
			if table, err = freezeSummary(b.Bucket(bucketSum)); err != nil {
				return err
			}
			id := table.ID()
			if id != "" {
				tables := b.Bucket(bucketTables)
				if tables.Get([]byte(id)) == nil {
					raw, _ := table.MarshalBinary()
					if err := tables.Put([]byte(id), raw); err != nil {
						return err
					}
				}
			}
			if err := frozen.Put(key, []byte(id)); err != nil {
				return err
			}
			if err := pruneFrozen(b, s.opts.MaxFrozen); err != nil {
				return err
			}
			m.updated = now
			meta = m
			return b.Put(keyMeta, m.encode())
		})
	}
	if err != nil {
		if errors.Is(err, ErrClosed) || errors.Is(err, ErrUnknownState) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: freezing run %q for epoch %d: %v", ErrStore, run, epoch, err)
	}
	if meta != nil {
		s.runs[run] = meta
	} else if s.runs[run] == nil {
		s.runs[run] = &runMeta{created: now, updated: now}
	}
	s.cache(table)
	return table, nil
}

// freezeSummary builds the table of every summary of a run: its loss
// moving average rounded to float32. bbolt iterates the raw content ids in
// byte order, the table's order.
func freezeSummary(sums *bolt.Bucket) (*sampling.LossTable, error) {
	var entries []sampling.LossEntry
	err := sums.ForEach(func(k, v []byte) error {
		sum, err := decodeSummary(v)
		if err != nil {
			return fmt.Errorf("summary of %x: %v", k, err)
		}
		l := float32(sum.Loss)
		if math.IsInf(float64(l), 0) {
			l = math.MaxFloat32
		}
		entries = append(entries, sampling.LossEntry{ContentID: hex.EncodeToString(k), Loss: l})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sampling.NewLossTable(entries)
}

// pruneFrozen keeps the tables of the newest max frozen epochs of a run.
// The (epoch, id) records stay (72 bytes an epoch), so an older epoch asked
// for again fails with ErrUnknownState instead of being frozen anew.
func pruneFrozen(b *bolt.Bucket, max int) error {
	frozen, tables := b.Bucket(bucketFrozen), b.Bucket(bucketTables)
	used := map[string]bool{}
	c := frozen.Cursor()
	for k, id := c.Last(); k != nil && len(used) < max; k, id = c.Prev() {
		used[string(id)] = true
	}
	var unused [][]byte
	if err := tables.ForEach(func(id, _ []byte) error {
		if !used[string(id)] {
			unused = append(unused, append([]byte(nil), id...))
		}
		return nil
	}); err != nil {
		return err
	}
	for _, id := range unused {
		if err := tables.Delete(id); err != nil {
			return err
		}
	}
	return nil
}

// Table returns the frozen table id of run (nil for ""), ErrUnknownState
// when this store does not hold it.
func (s *Store) Table(run, id string) (*sampling.LossTable, error) {
	if id == "" {
		return nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.tables[id]; t != nil {
		return t, nil
	}
	if s.closed {
		return nil, ErrClosed
	}
	var table *sampling.LossTable
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRuns).Bucket([]byte(run))
		if b == nil {
			return unknownState(run, id)
		}
		var err error
		table, err = s.tableIn(b, run, id)
		return err
	})
	if err != nil {
		if errors.Is(err, ErrUnknownState) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: reading table %s of run %q: %v", ErrStore, id, run, err)
	}
	s.cache(table)
	return table, nil
}

// tableIn reads table id from a run's bucket (or the cache).
func (s *Store) tableIn(b *bolt.Bucket, run, id string) (*sampling.LossTable, error) {
	if id == "" {
		return nil, nil
	}
	if t := s.tables[id]; t != nil {
		return t, nil
	}
	raw := b.Bucket(bucketTables).Get([]byte(id))
	if raw == nil {
		return nil, unknownState(run, id)
	}
	return sampling.ParseLossTable(raw, id)
}

func unknownState(run, id string) error {
	return fmt.Errorf("%w: loss table %s of run %q is not held by this server (frozen by another replica, or evicted with its run or as an old epoch): start the epoch again without the cursor", ErrUnknownState, id, run)
}

// cache keeps a decoded table for the next schedules of its epoch.
func (s *Store) cache(t *sampling.LossTable) {
	if t.ID() == "" {
		return
	}
	if len(s.tables) >= maxCachedTables {
		for id := range s.tables {
			delete(s.tables, id)
			break
		}
	}
	s.tables[t.ID()] = t
}
