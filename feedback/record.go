package feedback

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"

	bolt "go.etcd.io/bbolt"
)

// Record is one reported loss.
type Record struct {
	// ContentID is the sample's content id (64 lowercase hex digits).
	ContentID string
	// Epoch is the epoch the loss was measured in.
	Epoch uint64
	// Loss is the sample's loss, finite and >= 0.
	Loss float32
	// Probability is the predicted stego probability, 0..1, when HasProbability.
	Probability    float32
	HasProbability bool
}

// Summary is one sample's running summary in a run.
type Summary struct {
	// ContentID is the sample's content id.
	ContentID string
	// Loss is the exponential moving average of the losses reported.
	Loss float64
	// Reports counts the losses reported.
	Reports uint64
	// LastEpoch is the largest epoch reported.
	LastEpoch uint64
	// Probability is the moving average of the probabilities reported,
	// ProbabilityReports how many there were.
	Probability        float64
	ProbabilityReports uint64
}

// Check reports why r cannot be recorded: a content id that is not 64
// lowercase hex digits, a loss that is not finite and >= 0, a probability
// outside 0..1.
func (r Record) Check() error {
	if _, ok := rawID(r.ContentID); !ok {
		return fmt.Errorf("%w: content id %q is not 64 lowercase hex digits", ErrInvalid, r.ContentID)
	}
	if l := float64(r.Loss); math.IsNaN(l) || math.IsInf(l, 0) || l < 0 {
		return fmt.Errorf("%w: loss %v of %s is not a finite number >= 0", ErrInvalid, r.Loss, r.ContentID)
	}
	if p := float64(r.Probability); r.HasProbability && !(p >= 0 && p <= 1) {
		return fmt.Errorf("%w: probability %v of %s outside 0..1", ErrInvalid, r.Probability, r.ContentID)
	}
	return nil
}

// Report records the valid records of recs in run, all in one transaction
// committed before it returns. A record is rejected (counted, not an error)
// when Check refuses it or known, when not nil, does not know its content
// id. An invalid run name is ErrInvalid.
func (s *Store) Report(run string, recs []Record, known func(contentID string) bool) (accepted, rejected int, err error) {
	if err := CheckRun(run); err != nil {
		return 0, len(recs), err
	}
	valid := recs[:0:0]
	for _, r := range recs {
		if r.Check() != nil || (known != nil && !known(r.ContentID)) {
			rejected++
			continue
		}
		valid = append(valid, r)
	}
	if len(valid) == 0 {
		return 0, rejected, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Now()
	var meta *runMeta
	err = s.update(func(tx *bolt.Tx) error {
		b, m, _, err := s.runBucket(tx, run, now)
		if err != nil {
			return err
		}
		sums := b.Bucket(bucketSum)
		for _, r := range valid {
			key, _ := rawID(r.ContentID)
			var sum Summary
			old := sums.Get(key)
			if old != nil {
				if sum, err = decodeSummary(old); err != nil {
					return fmt.Errorf("summary of %s: %v", r.ContentID, err)
				}
			} else {
				m.samples++
			}
			sum.add(r, s.opts.Alpha)
			if err := sums.Put(key, sum.encode()); err != nil {
				return err
			}
			m.records++
			m.lastEpoch = max(m.lastEpoch, r.Epoch)
		}
		m.updated = now
		meta = m
		return b.Put(keyMeta, m.encode())
	})
	if err != nil {
		if errors.Is(err, ErrClosed) {
			return 0, len(recs), err
		}
		return 0, len(recs), fmt.Errorf("%w: recording %d losses of run %q: %v", ErrStore, len(valid), run, err)
	}
	s.runs[run] = meta
	if h := s.hardest[run]; h != nil {
		h.dirty = true
	}
	return len(valid), rejected, nil
}

// add folds one record into the summary.
func (sum *Summary) add(r Record, alpha float64) {
	l := float64(r.Loss)
	if sum.Reports == 0 {
		sum.Loss = l
	} else {
		sum.Loss += alpha * (l - sum.Loss)
	}
	sum.Reports++
	sum.LastEpoch = max(sum.LastEpoch, r.Epoch)
	if r.HasProbability {
		p := float64(r.Probability)
		if sum.ProbabilityReports == 0 {
			sum.Probability = p
		} else {
			sum.Probability += alpha * (p - sum.Probability)
		}
		sum.ProbabilityReports++
	}
}

const summaryVersion = 1

// encode writes a summary value: version, loss and probability as float64
// bits, then reports, last epoch and probability reports as varints.
func (sum *Summary) encode() []byte {
	b := make([]byte, 0, 1+16+3*binary.MaxVarintLen64)
	b = append(b, summaryVersion)
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(sum.Loss))
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(sum.Probability))
	for _, v := range []uint64{sum.Reports, sum.LastEpoch, sum.ProbabilityReports} {
		b = binary.AppendUvarint(b, v)
	}
	return b
}

func decodeSummary(b []byte) (Summary, error) {
	var sum Summary
	if len(b) < 17 || b[0] != summaryVersion {
		return sum, errors.New("unknown or truncated summary")
	}
	sum.Loss = math.Float64frombits(binary.LittleEndian.Uint64(b[1:]))
	sum.Probability = math.Float64frombits(binary.LittleEndian.Uint64(b[9:]))
	b = b[17:]
	for _, v := range []*uint64{&sum.Reports, &sum.LastEpoch, &sum.ProbabilityReports} {
		x, n := binary.Uvarint(b)
		if n <= 0 {
			return sum, errors.New("truncated summary")
		}
		*v, b = x, b[n:]
	}
	return sum, nil
}

// rawID returns the 32 bytes of a content id written as 64 lowercase hex digits.
func rawID(id string) ([]byte, bool) {
	if len(id) != 64 {
		return nil, false
	}
	raw, err := hex.DecodeString(id)
	if err != nil || hex.EncodeToString(raw) != id {
		return nil, false
	}
	return raw, true
}
