package feedback

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"
	"unicode"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"github.com/starlight/dataserver/sampling"
)

// RunInfo are one run's figures.
type RunInfo struct {
	// Name is the run's name.
	Name string
	// Samples counts the samples with a summary.
	Samples uint64
	// Records counts the loss records recorded.
	Records uint64
	// LastEpoch is the largest epoch reported.
	LastEpoch uint64
	// Created and Updated are when the run was first and last written.
	Created, Updated time.Time
}

// runMeta is a run's figures as stored under "meta".
type runMeta struct {
	created, updated            time.Time
	samples, records, lastEpoch uint64
}

const metaVersion = 1

func (m *runMeta) encode() []byte {
	b := []byte{metaVersion}
	for _, v := range []uint64{uint64(m.created.UnixNano()), uint64(m.updated.UnixNano()), m.samples, m.records, m.lastEpoch} {
		b = binary.AppendUvarint(b, v)
	}
	return b
}

func decodeMeta(b []byte) (*runMeta, error) {
	if len(b) == 0 || b[0] != metaVersion {
		return nil, errors.New("missing or unknown run record")
	}
	b = b[1:]
	var v [5]uint64
	for i := range v {
		x, n := binary.Uvarint(b)
		if n <= 0 {
			return nil, errors.New("truncated run record")
		}
		v[i], b = x, b[n:]
	}
	return &runMeta{created: time.Unix(0, int64(v[0])), updated: time.Unix(0, int64(v[1])),
		samples: v[2], records: v[3], lastEpoch: v[4]}, nil
}

// CheckRun reports why name is not a run name: empty, longer than
// sampling.MaxRunName bytes, not UTF-8 or holding control characters.
func CheckRun(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty run name", ErrInvalid)
	case len(name) > sampling.MaxRunName:
		return fmt.Errorf("%w: run name of %d bytes, at most %d", ErrInvalid, len(name), sampling.MaxRunName)
	case !utf8.ValidString(name):
		return fmt.Errorf("%w: run name %q is not UTF-8", ErrInvalid, name)
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return fmt.Errorf("%w: run name %q holds a control character", ErrInvalid, name)
		}
	}
	return nil
}

// Runs returns the figures of every run kept, by name.
func (s *Store) Runs() []RunInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]RunInfo, 0, len(s.runs))
	for name, m := range s.runs {
		out = append(out, RunInfo{Name: name, Samples: m.samples, Records: m.records, LastEpoch: m.lastEpoch,
			Created: m.created, Updated: m.updated})
	}
	slices.SortFunc(out, func(a, b RunInfo) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// runBucket returns the bucket of run, creating it when absent: a new run
// first evicts the expired runs, then the least recently updated ones
// beyond MaxRuns-1. The caller holds s.mu and updates meta after commit.
func (s *Store) runBucket(tx *bolt.Tx, run string, now time.Time) (*bolt.Bucket, *runMeta, bool, error) {
	runs := tx.Bucket(bucketRuns)
	if b := runs.Bucket([]byte(run)); b != nil {
		m := runMeta{created: now, updated: now}
		if old := s.runs[run]; old != nil {
			m = *old
		}
		return b, &m, false, nil
	}
	if err := s.sweep(tx); err != nil {
		return nil, nil, false, err
	}
	for len(s.runs) >= s.opts.MaxRuns {
		oldest := ""
		for name, m := range s.runs {
			if o := s.runs[oldest]; oldest == "" || m.updated.Before(o.updated) || m.updated.Equal(o.updated) && name < oldest {
				oldest = name
			}
		}
		if err := s.evict(tx, oldest); err != nil {
			return nil, nil, false, err
		}
	}
	b, err := runs.CreateBucket([]byte(run))
	if err != nil {
		return nil, nil, false, err
	}
	for _, name := range [][]byte{bucketSum, bucketFrozen, bucketTables} {
		if _, err := b.CreateBucket(name); err != nil {
			return nil, nil, false, err
		}
	}
	return b, &runMeta{created: now, updated: now}, true, nil
}

// sweep evicts the runs not updated within MaxAge (due at most once a minute).
func (s *Store) sweep(tx *bolt.Tx) error {
	now := s.opts.Now()
	if s.opts.MaxAge < 0 || now.Sub(s.swept) < time.Minute && !s.swept.IsZero() {
		return nil
	}
	s.swept = now
	for name, m := range s.runs {
		if now.Sub(m.updated) > s.opts.MaxAge {
			if err := s.evict(tx, name); err != nil {
				return err
			}
		}
	}
	return nil
}

// evict deletes run from tx and from memory (the transaction must commit;
// a failed one leaves memory ahead of the file until the next Open, which
// only hides a run that is gone on the next eviction anyway).
func (s *Store) evict(tx *bolt.Tx, run string) error {
	if err := tx.Bucket(bucketRuns).DeleteBucket([]byte(run)); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
		return err
	}
	delete(s.runs, run)
	delete(s.hardest, run)
	return nil
}
