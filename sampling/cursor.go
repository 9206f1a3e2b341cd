package sampling

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"unicode/utf8"
)

// Cursor marks the place right after a batch: enough to resume the same
// schedule at the next batch on any replica, after a cancel, a dropped
// connection or a restart.
type Cursor struct {
	// SnapshotID is the id of the snapshot the schedule was drawn from.
	SnapshotID string
	// Params are the schedule's parameters at the cursor's epoch, with the
	// mix normalized.
	Params
	// NextBatch is this rank's next batch; BatchesPerEpoch() means the epoch is done.
	NextBatch uint64
	// Base is the global batch the epoch's division among the ranks starts
	// at: 0, unless an elastic resume re-divided the rest of the epoch.
	Base uint64
	// Elastic is set by a cursor text with an elastic suffix (see
	// ElasticCursor): the request may have another world size and rank,
	// and Consumed batches of the cursor's division (all its ranks
	// together) were taken.
	Elastic  bool
	Consumed uint64
}

// Cursor encoding limits and flags. Version 2 added the split, evaluation,
// pairing, augmentation and mining; version 1 cursors (written before
// splits existed) are refused with a message saying so.
const (
	cursorVersion   = 2
	maxCursorText   = 768
	maxSnapshotID   = 256
	cursorSumLen    = 8
	flagClassBal    = 1
	flagHexSnapshot = 2
	flagEvaluation  = 4
	flagPairing     = 8
	flagAugment     = 16
	flagMining      = 32
	flagBase        = 64
	knownFlags      = flagClassBal | flagHexSnapshot | flagEvaluation | flagPairing | flagAugment | flagMining | flagBase
	// maxBase bounds Base, NextBatch and an elastic suffix.
	maxBase = 1 << 62
)

// cursorDomain separates the cursor checksum from any other use of sha256.
var cursorDomain = []byte("starlight.dataserver.sampling.cursor")

// Rollover returns the cursor moved to the start of the next epoch when it
// stands at the end of its own (NextBatch >= batchesPerEpoch), else c.
func (c Cursor) Rollover(batchesPerEpoch int) Cursor {
	if batchesPerEpoch >= 0 && c.NextBatch >= uint64(batchesPerEpoch) {
		c.Epoch++
		c.NextBatch = 0
		c.Base = 0
	}
	return c
}

// Check reports whether the cursor may resume a request for p over the
// snapshot snapshotID: ErrSnapshotMismatch when the snapshots differ,
// ErrCursorMismatch naming the first parameter that differs. The epoch is not
// compared: a cursor may have rolled past the request's epoch, and the
// cursor's epoch and NextBatch are where to resume. An elastic cursor may
// have another world size and rank than the request (Resume re-divides the
// rest of the epoch); every other parameter must still agree.
func (c Cursor) Check(snapshotID string, p Params) error {
	if c.SnapshotID != snapshotID {
		return fmt.Errorf("%w: cursor snapshot %q, serving snapshot %q", ErrSnapshotMismatch, c.SnapshotID, snapshotID)
	}
	q := p.Normalized()
	c.Params = c.Params.Normalized()
	m := c.Mix
	switch {
	case c.Seed != q.Seed:
		return fmt.Errorf("%w: cursor seed %d, request seed %d", ErrCursorMismatch, c.Seed, q.Seed)
	case m != q.Mix:
		return fmt.Errorf("%w: cursor mix %s, request mix %s", ErrCursorMismatch, m, q.Mix)
	case c.BatchSize != q.BatchSize:
		return fmt.Errorf("%w: cursor batch size %d, request batch size %d", ErrCursorMismatch, c.BatchSize, q.BatchSize)
	case !c.Elastic && c.World != q.World:
		return fmt.Errorf("%w: cursor world size %d, request world size %d", ErrCursorMismatch, c.World, q.World)
	case !c.Elastic && c.Rank != q.Rank:
		return fmt.Errorf("%w: cursor rank %d, request rank %d", ErrCursorMismatch, c.Rank, q.Rank)
	case c.ClassBalance != q.ClassBalance:
		return fmt.Errorf("%w: cursor class balance %t, request class balance %t", ErrCursorMismatch, c.ClassBalance, q.ClassBalance)
	case c.Split != q.Split:
		return fmt.Errorf("%w: cursor split %q, request split %q", ErrCursorMismatch, c.Split, q.Split)
	case c.Evaluation != q.Evaluation:
		return fmt.Errorf("%w: cursor evaluation %t, request evaluation %t", ErrCursorMismatch, c.Evaluation, q.Evaluation)
	case c.Pairing != q.Pairing || c.StegosPerCover != q.StegosPerCover:
		return fmt.Errorf("%w: cursor pairing %t (%d stegos per cover), request pairing %t (%d)", ErrCursorMismatch,
			c.Pairing, c.StegosPerCover, q.Pairing, q.StegosPerCover)
	case c.Augment != q.Augment:
		return fmt.Errorf("%w: cursor augment %t, request augment %t", ErrCursorMismatch, c.Augment, q.Augment)
	}
	cm, qm := c.Mining, q.Mining
	cm.State, qm.State = "", ""
	if cm != qm {
		return fmt.Errorf("%w: cursor mining %+v, request mining %+v", ErrCursorMismatch, cm, qm)
	}
	return nil
}

// Encode returns the cursor as a compact URL-safe string: a version byte,
// flags, the fields as varints, the snapshot id (32 raw bytes when it is 64
// lowercase hex digits), and a truncated sha256 checksum, in unpadded base64url.
func (c Cursor) Encode() string {
	buf := make([]byte, 0, 96)
	var flags byte
	if c.ClassBalance {
		flags |= flagClassBal
	}
	rawID, isHex := hexID(c.SnapshotID)
	if isHex {
		flags |= flagHexSnapshot
	}
	for _, f := range []struct {
		on   bool
		flag byte
	}{{c.Evaluation, flagEvaluation}, {c.Pairing, flagPairing}, {c.Augment, flagAugment}, {c.Mining.Enabled(), flagMining}} {
		if f.on {
			flags |= f.flag
		}
	}
	buf = append(buf, cursorVersion, flags)
	for _, v := range []uint64{c.Seed, c.Epoch, uint64(c.Mix[0]), uint64(c.Mix[1]), uint64(c.Mix[2]),
		uint64(c.BatchSize), uint64(c.Rank), uint64(c.World), c.NextBatch,
		uint64(max(splitCode(c.Split), 0)), uint64(c.StegosPerCover)} {
		buf = binary.AppendUvarint(buf, v)
	}
	buf = appendID(buf, c.SnapshotID, rawID, isHex)
	if c.Mining.Enabled() {
		m := c.Mining
		buf = binary.AppendUvarint(buf, uint64(len(m.Run)))
		buf = append(buf, m.Run...)
		buf = append(buf, m.Kinds)
		buf = binary.AppendUvarint(buf, uint64(math.Float32bits(m.Strength)))
		buf = binary.AppendUvarint(buf, m.FirstEpoch)
		raw, hexState := hexID(m.State)
		if hexState {
			buf = append(buf, 1)
		} else {
			buf = append(buf, 0)
		}
		buf = appendID(buf, m.State, raw, hexState)
	}
	if c.Base != 0 {
		buf[1] |= flagBase
		buf = binary.AppendUvarint(buf, c.Base)
	}
	buf = append(buf, cursorSum(buf)...)
	return base64.RawURLEncoding.EncodeToString(buf)
}

// ParseCursor decodes a string written by Encode, or by ElasticCursor.
// Anything else (garbage, truncation, an edited byte, an unknown version,
// out-of-range fields) is refused with an error wrapping ErrBadCursor.
func ParseCursor(s string) (Cursor, error) {
	s, consumed, elastic, err := splitElastic(s)
	if err != nil {
		return Cursor{}, err
	}
	c, err := parseCursor(s)
	if err == nil && elastic {
		c.Elastic, c.Consumed = true, consumed
	}
	return c, err
}

func parseCursor(s string) (Cursor, error) {
	var c Cursor
	if s == "" {
		return c, fmt.Errorf("%w: empty", ErrBadCursor)
	}
	if len(s) > maxCursorText {
		return c, fmt.Errorf("%w: %d characters, at most %d", ErrBadCursor, len(s), maxCursorText)
	}
	buf, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return c, fmt.Errorf("%w: not unpadded base64url: %v", ErrBadCursor, err)
	}
	if len(buf) < 2+cursorSumLen {
		return c, fmt.Errorf("%w: %d bytes, too short", ErrBadCursor, len(buf))
	}
	body, sum := buf[:len(buf)-cursorSumLen], buf[len(buf)-cursorSumLen:]
	if !bytes.Equal(sum, cursorSum(body)) {
		return c, fmt.Errorf("%w: checksum mismatch (corrupted or edited)", ErrBadCursor)
	}
	if body[0] == 1 {
		return c, fmt.Errorf("%w: written by an older server (version 1, before splits): start the epoch again without a cursor", ErrBadCursor)
	}
	if body[0] != cursorVersion {
		return c, fmt.Errorf("%w: version %d, this server reads version %d", ErrBadCursor, body[0], cursorVersion)
	}
	flags := body[1]
	if flags&^knownFlags != 0 {
		return c, fmt.Errorf("%w: unknown flags %#x", ErrBadCursor, flags)
	}
	r := &reader{buf: body[2:]}
	c.Seed = r.uvarint("seed", ^uint64(0))
	c.Epoch = r.uvarint("epoch", ^uint64(0))
	for i := range c.Mix {
		c.Mix[i] = uint32(r.uvarint("mix weight", MaxMixSum))
	}
	c.BatchSize = int(r.uvarint("batch size", MaxBatchSize))
	c.Rank = int(r.uvarint("rank", MaxWorld))
	c.World = int(r.uvarint("world size", MaxWorld))
	c.NextBatch = r.uvarint("next batch", maxBase)
	c.Split = Splits[r.uvarint("split", uint64(len(Splits)-1))]
	c.StegosPerCover = int(r.uvarint("stegos per cover", MaxStegosPerCover))
	c.ClassBalance = flags&flagClassBal != 0
	c.Evaluation = flags&flagEvaluation != 0
	c.Pairing = flags&flagPairing != 0
	c.Augment = flags&flagAugment != 0
	c.SnapshotID = r.readID("snapshot id", flags&flagHexSnapshot != 0)
	if flags&flagMining != 0 {
		n := r.uvarint("mining run length", MaxRunName)
		c.Mining.Run = string(r.bytes("mining run", int(n)))
		if k := r.bytes("mining kinds", 1); k != nil {
			c.Mining.Kinds = k[0]
		}
		c.Mining.Strength = math.Float32frombits(uint32(r.uvarint("mining strength", math.MaxUint32)))
		c.Mining.FirstEpoch = r.uvarint("mining first epoch", ^uint64(0))
		hexState := r.bytes("mining state form", 1)
		c.Mining.State = r.readID("mining state", hexState != nil && hexState[0] == 1)
		if r.err == nil && c.Mining.Run == "" {
			r.fail("mining flag without a run name")
		}
	}
	if flags&flagBase != 0 {
		c.Base = r.uvarint("base", maxBase)
		if r.err == nil && c.Base == 0 {
			r.fail("base flag with a zero base")
		}
	}
	if r.err == nil && len(r.buf) != 0 {
		r.fail(fmt.Sprintf("%d bytes of trailing garbage", len(r.buf)))
	}
	if r.err != nil {
		return Cursor{}, r.err
	}
	if err := c.Params.Validate(); err != nil {
		return Cursor{}, fmt.Errorf("%w: %v", ErrBadCursor, err)
	}
	return c, nil
}

// appendID writes an id as 32 raw bytes when it is 64 lowercase hex digits
// (isHex), else as a length-prefixed string.
func appendID(buf []byte, id string, raw []byte, isHex bool) []byte {
	if isHex {
		return append(buf, raw...)
	}
	buf = binary.AppendUvarint(buf, uint64(len(id)))
	return append(buf, id...)
}

// readID reads what appendID wrote.
func (r *reader) readID(what string, isHex bool) string {
	if isHex {
		return hex.EncodeToString(r.bytes(what, sha256.Size))
	}
	n := r.uvarint(what+" length", maxSnapshotID)
	id := r.bytes(what, int(n))
	if r.err == nil && !utf8.Valid(id) {
		r.fail(what + " is not UTF-8")
	}
	return string(id)
}

func cursorSum(b []byte) []byte {
	h := sha256.New()
	h.Write(cursorDomain)
	h.Write(b)
	return h.Sum(nil)[:cursorSumLen]
}

// hexID returns the raw bytes of a snapshot id written as 64 lowercase hex digits.
func hexID(id string) ([]byte, bool) {
	if len(id) != 2*sha256.Size {
		return nil, false
	}
	raw, err := hex.DecodeString(id)
	if err != nil || hex.EncodeToString(raw) != id {
		return nil, false
	}
	return raw, true
}

// reader decodes the cursor body, keeping the first error.
type reader struct {
	buf []byte
	err error
}

func (r *reader) fail(msg string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s", ErrBadCursor, msg)
	}
}

func (r *reader) uvarint(what string, limit uint64) uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.buf)
	if n <= 0 {
		r.fail(what + " truncated or overflowing")
		return 0
	}
	r.buf = r.buf[n:]
	if v > limit {
		r.fail(fmt.Sprintf("%s %d above %d", what, v, limit))
		return 0
	}
	return v
}

func (r *reader) bytes(what string, n int) []byte {
	if r.err != nil {
		return nil
	}
	if n > len(r.buf) {
		r.fail(fmt.Sprintf("%s truncated: %d bytes, want %d", what, len(r.buf), n))
		return nil
	}
	b := r.buf[:n]
	r.buf = r.buf[n:]
	return b
}
