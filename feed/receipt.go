package feed

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"unicode/utf8"

	"github.com/starlight/dataserver/extract"
	"github.com/starlight/dataserver/sampling"
)

// Receipt names one batch exactly: where it stands in its schedule, how it
// was laid out and a digest of its bytes. ReplayBatch re-assembles the batch
// from it and refuses to return other bytes than those the digest names.
type Receipt struct {
	// Position is the batch's own place: snapshot, normalized parameters at
	// the batch's epoch (rank and world included), and NextBatch holding
	// the batch's index (not the one after it, as in a stream's cursor).
	Position sampling.Cursor
	// ExtractorVersion is the extraction profile the tensors came from.
	ExtractorVersion string
	// Layout is everything besides the samples that changes the bytes:
	// the streams in order, bit packing and loss weights (Gather is not
	// part of it and is always false in a parsed receipt).
	Layout Layout
	// Digest is the truncated sha256 of the batch's content ids and tensor
	// bytes in wire order (see Batch.Digest).
	Digest [DigestLen]byte
}

// Receipt encoding limits.
const (
	// DigestLen is the bytes of the batch digest kept in a receipt.
	DigestLen       = 16
	receiptVersion  = 1
	receiptSumLen   = 8
	maxReceiptText  = 16 << 10
	maxCategories   = 1024
	maxCategoryName = 256
	flagPackBits    = 1
)

// ErrBadReceipt marks a receipt string this package did not write: garbage,
// truncated, edited, or of an unknown version (InvalidArgument).
var ErrBadReceipt = errors.New("bad receipt (pass a StreamBatchesResponse.receipt as it was sent)")

var (
	receiptDomain = []byte("starlight.dataserver.feed.receipt")
	digestDomain  = []byte("starlight.dataserver.feed.batch-digest")
)

// Encode returns the receipt as unpadded base64url: a version byte, the
// position as an encoded cursor, the extractor version, the layout, the
// digest and a truncated sha256 checksum of all of it. Equal receipts
// encode equally (loss weight categories are written sorted).
func (r Receipt) Encode() string {
	cur, err := base64.RawURLEncoding.DecodeString(r.Position.Encode())
	if err != nil { // Encode writes unpadded base64url: unreachable
		panic("feed: cursor encoding is not base64url: " + err.Error())
	}
	buf := make([]byte, 0, 128+len(cur))
	buf = append(buf, receiptVersion)
	buf = appendString(buf, string(cur))
	buf = appendString(buf, r.ExtractorVersion)
	var flags byte
	if r.Layout.PackBits {
		flags |= flagPackBits
	}
	buf = append(buf, flags)
	buf = binary.AppendUvarint(buf, uint64(len(r.Layout.Streams)))
	for _, s := range r.Layout.Streams {
		buf = binary.AppendUvarint(buf, uint64(s))
	}
	w := r.Layout.Weights
	for _, v := range []float32{w.Clean, w.Stego, w.Negative} {
		buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
	}
	names := make([]string, 0, len(w.Categories))
	for n := range w.Categories {
		names = append(names, n)
	}
	slices.Sort(names)
	buf = binary.AppendUvarint(buf, uint64(len(names)))
	for _, n := range names {
		buf = appendString(buf, n)
		buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(w.Categories[n]))
	}
	buf = append(buf, r.Digest[:]...)
	buf = append(buf, receiptSum(buf)...)
	return base64.RawURLEncoding.EncodeToString(buf)
}

// ParseReceipt decodes a string written by Encode; anything else is refused
// with an error wrapping ErrBadReceipt that says what is wrong.
func ParseReceipt(s string) (Receipt, error) {
	var r Receipt
	if s == "" {
		return r, fmt.Errorf("%w: empty", ErrBadReceipt)
	}
	if len(s) > maxReceiptText {
		return r, fmt.Errorf("%w: %d characters, at most %d", ErrBadReceipt, len(s), maxReceiptText)
	}
	buf, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return r, fmt.Errorf("%w: not unpadded base64url: %v", ErrBadReceipt, err)
	}
	if len(buf) < 1+DigestLen+receiptSumLen {
		return r, fmt.Errorf("%w: %d bytes, too short", ErrBadReceipt, len(buf))
	}
	body, sum := buf[:len(buf)-receiptSumLen], buf[len(buf)-receiptSumLen:]
	if !bytes.Equal(sum, receiptSum(body)) {
		return r, fmt.Errorf("%w: checksum mismatch (corrupted, truncated or edited)", ErrBadReceipt)
	}
	if body[0] != receiptVersion {
		return r, fmt.Errorf("%w: version %d, this server reads version %d", ErrBadReceipt, body[0], receiptVersion)
	}
	d := &decoder{buf: body[1:]}
	cur := d.take("position", int(d.uvarint("position length", maxReceiptText)))
	r.ExtractorVersion = d.string("extractor version", 256)
	flags := d.take("layout flags", 1)
	if flags != nil && flags[0]&^flagPackBits != 0 {
		d.fail(fmt.Sprintf("unknown layout flags %#x", flags[0]))
	}
	r.Layout.PackBits = flags != nil && flags[0]&flagPackBits != 0
	n := d.uvarint("stream count", uint64(len(streamInfos)))
	for range n {
		st := Stream(d.uvarint("stream", math.MaxInt32))
		if d.err == nil && !st.Valid() {
			d.fail(fmt.Sprintf("unknown stream %d", int(st)))
		}
		r.Layout.Streams = append(r.Layout.Streams, st)
	}
	r.Layout.Weights.Clean, r.Layout.Weights.Stego, r.Layout.Weights.Negative = d.float("clean weight"), d.float("stego weight"), d.float("negative weight")
	if c := d.uvarint("category count", maxCategories); c > 0 {
		r.Layout.Weights.Categories = make(map[string]float32, c)
		for range c {
			name := d.string("category", maxCategoryName)
			r.Layout.Weights.Categories[name] = d.float("category weight")
		}
	}
	copy(r.Digest[:], d.take("digest", DigestLen))
	if d.err == nil && len(d.buf) != 0 {
		d.fail(fmt.Sprintf("%d bytes of trailing garbage", len(d.buf)))
	}
	if d.err != nil {
		return Receipt{}, d.err
	}
	if r.Position, err = sampling.ParseCursor(base64.RawURLEncoding.EncodeToString(cur)); err != nil {
		return Receipt{}, fmt.Errorf("%w: position: %v", ErrBadReceipt, err)
	}
	if err := checkLayout(Spec{Layout: r.Layout}); err != nil {
		return Receipt{}, fmt.Errorf("%w: %v", ErrBadReceipt, err)
	}
	if r.Encode() != s {
		return Receipt{}, fmt.Errorf("%w: not in the form this server writes", ErrBadReceipt)
	}
	return r, nil
}

// receiptOf names batch b of its schedule position: the receipt a stream sends with it.
func receiptOf(pos sampling.Cursor, l Layout, b *Batch) Receipt {
	l = Layout{Streams: l.streams(), PackBits: l.PackBits, Weights: l.Weights}
	return Receipt{Position: pos, ExtractorVersion: extract.Version, Layout: l, Digest: b.Digest()}
}

func receiptSum(b []byte) []byte {
	h := sha256.New()
	h.Write(receiptDomain)
	h.Write(b)
	return h.Sum(nil)[:receiptSumLen]
}

func appendString(buf []byte, s string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}

// decoder reads a receipt body, keeping the first error.
type decoder struct {
	buf []byte
	err error
}

func (d *decoder) fail(msg string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", ErrBadReceipt, msg)
	}
}

func (d *decoder) uvarint(what string, limit uint64) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.buf)
	if n <= 0 {
		d.fail(what + " truncated or overflowing")
		return 0
	}
	d.buf = d.buf[n:]
	if v > limit {
		d.fail(fmt.Sprintf("%s %d above %d", what, v, limit))
		return 0
	}
	return v
}

func (d *decoder) take(what string, n int) []byte {
	if d.err != nil {
		return nil
	}
	if n > len(d.buf) {
		d.fail(fmt.Sprintf("%s truncated: %d bytes, want %d", what, len(d.buf), n))
		return nil
	}
	b := d.buf[:n]
	d.buf = d.buf[n:]
	return b
}

func (d *decoder) string(what string, limit uint64) string {
	b := d.take(what, int(d.uvarint(what+" length", limit)))
	if d.err == nil && !utf8.Valid(b) {
		d.fail(what + " is not UTF-8")
	}
	return string(b)
}

func (d *decoder) float(what string) float32 {
	b := d.take(what, 4)
	if b == nil {
		return 0
	}
	return math.Float32frombits(binary.LittleEndian.Uint32(b))
}
