package index

import (
	"context"
	"errors"
	"sort"

	bolt "go.etcd.io/bbolt"
)

// load returns every stored result by path. A record that fails its
// checksum, or a store that cannot be read, makes the whole store untrusted:
// it is moved aside and an empty map returned, so every file is read again.
func (s *Store) load() map[string]*fileResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.db == nil {
		return nil
	}
	out := map[string]*fileResult{}
	err := storeSafe(func() error {
		return s.db.View(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketFiles)
			if b == nil {
				return errors.New("index store: files bucket missing")
			}
			var keys []string
			var vals [][]byte // point into the mapped file, valid during tx
			if err := b.ForEach(func(k, v []byte) error {
				keys, vals = append(keys, string(k)), append(vals, v)
				return nil
			}); err != nil {
				return err
			}
			// Decoding is most of a restart's reading: on every core.
			recs := make([]*fileResult, len(keys))
			errs := make([]error, len(keys))
			parallel(context.Background(), 0, len(keys), func(i int) {
				recs[i], errs[i] = decodeRecord(keys[i], vals[i])
			}, func() {})
			for i, k := range keys {
				if errs[i] != nil {
					return errs[i]
				}
				out[k] = recs[i]
			}
			return nil
		})
	})
	if err == nil {
		s.synced = true
		return out
	}
	s.db.Close()
	s.db = nil
	if db, err := s.moveAside(err); err == nil {
		s.db = db
	} else {
		s.report(StoreEvent{Kind: StoreWriteFailed, Path: s.path, Err: err})
	}
	return nil
}

// save writes the results of a build: the records of fresh paths (all of
// them after a failed write) and the removal of paths no longer in the tree.
func (s *Store) save(results map[string]*fileResult, fresh map[string]bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.db == nil {
		return
	}
	// In key order: bbolt inserts into sorted pages, and random order
	// costs a copy of the page's tail per Put.
	var keys []string
	for p := range results {
		if !s.synced || fresh[p] {
			keys = append(keys, p)
		}
	}
	sort.Strings(keys)
	var gone [][]byte
	err := storeSafe(func() error {
		return s.db.View(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketFiles)
			if b == nil {
				return errors.New("index store: files bucket missing")
			}
			c := b.Cursor()
			for k, _ := c.First(); k != nil; k, _ = c.Next() {
				if results[string(k)] == nil {
					gone = append(gone, append([]byte(nil), k...))
				}
			}
			return nil
		})
	})
	if err == nil && len(keys)+len(gone) > 0 {
		// Nothing new, nothing gone: no write (and no fsync) at all.
		err = storeSafe(func() error {
			return s.db.Update(func(tx *bolt.Tx) error {
				b := tx.Bucket(bucketFiles)
				for _, k := range gone {
					if err := b.Delete(k); err != nil {
						return err
					}
				}
				for _, p := range keys {
					v, err := encodeRecord(p, results[p])
					if err != nil {
						return err
					}
					if err := b.Put([]byte(p), v); err != nil {
						return err
					}
				}
				return nil
			})
		})
	}
	s.synced = err == nil
	if err != nil {
		s.report(StoreEvent{Kind: StoreWriteFailed, Path: s.path, Err: err})
	}
}
