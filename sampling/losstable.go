package sampling

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
)

// LossEntry is one sample's frozen loss: its content id and its loss summary
// quantized to a float32.
type LossEntry struct {
	// ContentID is the sample's content id, 64 lowercase hex digits.
	ContentID string
	// Loss is the loss summary, finite and >= 0.
	Loss float32
}

// LossTable is an immutable, content-addressed loss summary: the table a
// mined epoch draws by. Its id is the sha256 of its encoding (the entries
// sorted by content id, each the 32 raw id bytes and the float32 bits), so
// two tables with the same entries have the same id wherever they were
// built. The nil or empty table has id "" and mines nothing.
type LossTable struct {
	id    string
	keys  [][sha256.Size]byte
	loss  []float32
	bytes []byte
}

// ErrBadLossTable marks loss entries or an encoded table this package refuses.
var ErrBadLossTable = errors.New("sampling: bad loss table")

// lossTableMagic starts an encoded table (and so keys its id).
var lossTableMagic = []byte("starlight.dataserver.losstable/1\x00")

// NewLossTable builds the table of entries (in any order). A content id that
// is not 64 lowercase hex digits, a repeated id or a loss that is not a
// finite number >= 0 is refused with ErrBadLossTable.
func NewLossTable(entries []LossEntry) (*LossTable, error) {
	t := &LossTable{keys: make([][sha256.Size]byte, len(entries)), loss: make([]float32, len(entries))}
	order := make([]int, len(entries))
	for i, e := range entries {
		raw, ok := hexID(e.ContentID)
		if !ok {
			return nil, fmt.Errorf("%w: content id %q is not 64 lowercase hex digits", ErrBadLossTable, e.ContentID)
		}
		if l := float64(e.Loss); math.IsNaN(l) || math.IsInf(l, 0) || l < 0 {
			return nil, fmt.Errorf("%w: loss %v of %s is not a finite number >= 0", ErrBadLossTable, e.Loss, e.ContentID)
		}
		copy(t.keys[i][:], raw)
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return bytes.Compare(t.keys[a][:], t.keys[b][:]) })
	keys, loss := make([][sha256.Size]byte, len(entries)), make([]float32, len(entries))
	for i, o := range order {
		keys[i], loss[i] = t.keys[o], entries[o].Loss
		if i > 0 && keys[i] == keys[i-1] {
			return nil, fmt.Errorf("%w: content id %x given twice", ErrBadLossTable, keys[i])
		}
	}
	t.keys, t.loss = keys, loss
	t.seal()
	return t, nil
}

// seal writes the encoding and the id of the sorted entries.
func (t *LossTable) seal() {
	b := slices.Clip(append([]byte(nil), lossTableMagic...))
	b = binary.AppendUvarint(b, uint64(len(t.keys)))
	for i := range t.keys {
		b = append(b, t.keys[i][:]...)
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(t.loss[i]))
	}
	t.bytes = b
	if len(t.keys) > 0 {
		sum := sha256.Sum256(b)
		t.id = hex.EncodeToString(sum[:])
	}
}

// ParseLossTable decodes what MarshalBinary wrote; want, when not empty, is
// the id the table must have (a stored table is checked against its name).
func ParseLossTable(b []byte, want string) (*LossTable, error) {
	if !bytes.HasPrefix(b, lossTableMagic) {
		return nil, fmt.Errorf("%w: not an encoded loss table", ErrBadLossTable)
	}
	rest := b[len(lossTableMagic):]
	n, k := binary.Uvarint(rest)
	const entry = sha256.Size + 4
	if k <= 0 || n > uint64(len(rest)-k)/entry || uint64(len(rest)-k) != n*entry {
		return nil, fmt.Errorf("%w: truncated or trailing bytes (%d bytes)", ErrBadLossTable, len(b))
	}
	rest = rest[k:]
	t := &LossTable{keys: make([][sha256.Size]byte, n), loss: make([]float32, n)}
	for i := range t.keys {
		copy(t.keys[i][:], rest[:sha256.Size])
		t.loss[i] = math.Float32frombits(binary.LittleEndian.Uint32(rest[sha256.Size:entry]))
		rest = rest[entry:]
		if l := float64(t.loss[i]); math.IsNaN(l) || math.IsInf(l, 0) || l < 0 {
			return nil, fmt.Errorf("%w: entry %d has loss %v", ErrBadLossTable, i, t.loss[i])
		}
		if i > 0 && bytes.Compare(t.keys[i-1][:], t.keys[i][:]) >= 0 {
			return nil, fmt.Errorf("%w: entries out of order at %d", ErrBadLossTable, i)
		}
	}
	t.seal()
	if want != "" && t.id != want {
		return nil, fmt.Errorf("%w: content is %s, not the %s it is stored as", ErrBadLossTable, t.id, want)
	}
	return t, nil
}

// ID returns the table's content id, "" for the nil or empty table.
func (t *LossTable) ID() string {
	if t == nil {
		return ""
	}
	return t.id
}

// Len returns the number of entries.
func (t *LossTable) Len() int {
	if t == nil {
		return 0
	}
	return len(t.keys)
}

// MarshalBinary returns the table's encoding (the bytes its id hashes).
func (t *LossTable) MarshalBinary() ([]byte, error) {
	if t == nil {
		return (&LossTable{}).MarshalBinary()
	}
	if t.bytes == nil {
		t.seal()
	}
	return slices.Clone(t.bytes), nil
}

// Loss returns the frozen loss of the sample with content id id.
func (t *LossTable) Loss(id string) (float32, bool) {
	if t.Len() == 0 {
		return 0, false
	}
	raw, ok := hexID(id)
	if !ok {
		return 0, false
	}
	i, found := slices.BinarySearchFunc(t.keys, raw, func(k [sha256.Size]byte, r []byte) int { return bytes.Compare(k[:], r) })
	if !found {
		return 0, false
	}
	return t.loss[i], true
}

// Entries returns the entries sorted by content id.
func (t *LossTable) Entries() []LossEntry {
	out := make([]LossEntry, t.Len())
	for i := range out {
		out[i] = LossEntry{ContentID: hex.EncodeToString(t.keys[i][:]), Loss: t.loss[i]}
	}
	return out
}
