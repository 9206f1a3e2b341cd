package feed

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/klauspost/compress/zstd"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/extract"
)

// A disk entry holds only what cannot be derived cheaply from the rest: the
// lsb and alpha streams are taken from pixel and alpha_full when served
// (pixel & 1), an all-zero plane (alpha_full of an image without alpha,
// palette and palette_lsb of one without a palette) is stored as nothing,
// the 0/1 palette_lsb plane as packed bits, and the pixel and alpha planes
// through the LOCO-I median predictor; the rest is compressed with zstd.
//
// Layout: "DSCACHE2", version, id, format, mode (length-prefixed), width,
// height, the two vectors, one storage byte per optional plane (alpha_full,
// palette, palette_lsb), the uncompressed body length, the zstd frame of
// the body, then the sha256 of everything before it. The body is the
// predicted pixel planes, meta, then the optional planes as stored.
var diskMagic = []byte("DSCACHE2")

// How an optional plane is stored.
const (
	planeZero   = 0 // all zeros: nothing stored
	planeRaw    = 1 // every byte (alpha_full through the predictor)
	planePacked = 2 // values 0/1 packed eight to a byte, most significant first
)

// maxDiskEntry bounds the file read back: an incompressible body with its
// frame overhead, the longest strings and the fixed fields.
const maxDiskEntry = 512 << 10

// maxDiskBody is the longest body: every plane stored raw.
const maxDiskBody = extract.PixelLen + extract.MetaLen + extract.AlphaLen + extract.PaletteLen + extract.PaletteLSBLen

var (
	zstdEnc, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1))
	zstdDec, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(maxDiskBody), zstd.WithDecoderMaxWindow(1<<20))
)

var errEntry = errors.New("feed: corrupted cache entry")

// errStaleEntry reports a sound entry of the previous layout (DSCACHE1,
// every plane raw): dropped and extracted again, not counted as corrupt.
var errStaleEntry = errors.New("feed: cache entry of the previous layout")

// encodeEntry renders s as a disk entry of version and id.
func encodeEntry(s *extract.Streams, version, id string) []byte {
	body := make([]byte, 0, maxDiskBody)
	body = appendPredicted(body, s.Pixel, 3)
	body = append(body, s.Meta...)
	var kinds [3]byte
	kinds[0], body = appendOptional(body, s.AlphaFull, true, false)
	kinds[1], body = appendOptional(body, s.Palette, false, false)
	kinds[2], body = appendOptional(body, s.PaletteLSB, false, true)

	out := append([]byte(nil), diskMagic...)
	out = binary.LittleEndian.AppendUint16(out, uint16(len(version)))
	out = append(out, version...)
	out = binary.LittleEndian.AppendUint16(out, uint16(len(id)))
	out = append(out, id...)
	out = append(out, byte(len(s.Format)))
	out = append(out, s.Format...)
	out = append(out, byte(len(s.Mode)))
	out = append(out, s.Mode...)
	out = binary.LittleEndian.AppendUint32(out, uint32(s.Width))
	out = binary.LittleEndian.AppendUint32(out, uint32(s.Height))
	for _, v := range s.FormatVec {
		out = binary.LittleEndian.AppendUint32(out, math.Float32bits(v))
	}
	for _, v := range s.Content {
		out = binary.LittleEndian.AppendUint32(out, math.Float32bits(v))
	}
	out = append(out, kinds[:]...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(body)))
	out = zstdEnc.EncodeAll(body, out)
	sum := sha256.Sum256(out)
	return append(out, sum[:]...)
}

// appendOptional appends plane as stored and says how: nothing when all
// zero, packed bits when packable and every value is 0 or 1, else every
// byte (through the predictor when predict).
func appendOptional(body, plane []byte, predict, packable bool) (byte, []byte) {
	switch {
	case allZero(plane):
		return planeZero, body
	case packable && allBits(plane):
		return planePacked, packBits(body, plane)
	case predict:
		return planeRaw, appendPredicted(body, plane, len(plane)/extract.Plane)
	default:
		return planeRaw, append(body, plane...)
	}
}

// decodeEntry checks and parses a disk entry written by encodeEntry for
// version and id.
func decodeEntry(data []byte, version, id string) (*extract.Streams, error) {
	if len(data) < sha256.Size+len(diskMagic) {
		return nil, fmt.Errorf("%w: %d bytes", errEntry, len(data))
	}
	head, sum := data[:len(data)-sha256.Size], data[len(data)-sha256.Size:]
	if want := sha256.Sum256(head); !bytes.Equal(sum, want[:]) {
		return nil, fmt.Errorf("%w: checksum mismatch", errEntry)
	}
	r := entryReader{b: head}
	switch string(r.next(len(diskMagic))) {
	case string(diskMagic):
	case "DSCACHE1":
		return nil, errStaleEntry
	default:
		return nil, fmt.Errorf("%w: bad magic", errEntry)
	}
	if string(r.next(int(r.u16()))) != version || string(r.next(int(r.u16()))) != id {
		return nil, fmt.Errorf("%w: version or id differ", errEntry)
	}
	s := &extract.Streams{}
	s.Format = codec.Format(r.next(int(r.u8())))
	s.Mode = codec.Mode(r.next(int(r.u8())))
	s.Width, s.Height = int(r.u32()), int(r.u32())
	for i := range s.FormatVec {
		s.FormatVec[i] = math.Float32frombits(r.u32())
	}
	for i := range s.Content {
		s.Content[i] = math.Float32frombits(r.u32())
	}
	kinds := r.next(3)
	n := int(r.u32())
	if r.bad || n > maxDiskBody {
		return nil, fmt.Errorf("%w: bad layout", errEntry)
	}
	body, err := zstdDec.DecodeAll(r.b, make([]byte, 0, n))
	if err != nil || len(body) != n {
		return nil, fmt.Errorf("%w: body does not decompress to %d bytes: %v", errEntry, n, err)
	}
	// The planes share one allocation, as a fresh extraction's would not,
	// but the entry is read for this one image: no second copy.
	planes := make([]byte, maxDiskBody)
	o := 0
	cut := func(k int) []uint8 { p := planes[o : o+k : o+k]; o += k; return p }
	s.Pixel, s.Meta = cut(extract.PixelLen), cut(extract.MetaLen)
	s.AlphaFull, s.Palette, s.PaletteLSB = cut(extract.AlphaLen), cut(extract.PaletteLen), cut(extract.PaletteLSBLen)
	b := entryReader{b: body}
	unpredict(s.Pixel, b.next(extract.PixelLen), 3)
	copy(s.Meta, b.next(extract.MetaLen))
	for i, dst := range [][]uint8{s.AlphaFull, s.Palette, s.PaletteLSB} {
		switch {
		case kinds[i] == planeZero:
		case kinds[i] == planeRaw && i == 0:
			unpredict(dst, b.next(len(dst)), 1)
		case kinds[i] == planeRaw:
			copy(dst, b.next(len(dst)))
		case kinds[i] == planePacked && i == 2:
			unpackBits(dst, b.next(len(dst)/8))
		default:
			return nil, fmt.Errorf("%w: plane %d stored as %d", errEntry, i, kinds[i])
		}
	}
	if b.bad || len(b.b) != 0 {
		return nil, fmt.Errorf("%w: bad body layout", errEntry)
	}
	return s, nil
}

func allBits(p []byte) bool {
	for _, v := range p {
		if v > 1 {
			return false
		}
	}
	return len(p)%8 == 0
}

func packBits(dst, p []byte) []byte {
	for i := 0; i < len(p); i += 8 {
		var b byte
		for _, v := range p[i : i+8] {
			b = b<<1 | v
		}
		dst = append(dst, b)
	}
	return dst
}

// unpackBits fills dst from packed (nil packed leaves dst as it is: the
// caller's layout check reports it).
func unpackBits(dst, packed []byte) {
	for i, b := range packed {
		for k := 0; k < 8; k++ {
			dst[8*i+k] = b >> (7 - k) & 1
		}
	}
}

// entryReader reads fields in order; a read past the end sets bad.
type entryReader struct {
	b   []byte
	bad bool
}

func (r *entryReader) next(n int) []byte {
	if r.bad || n > len(r.b) {
		r.bad = true
		return nil
	}
	p := r.b[:n]
	r.b = r.b[n:]
	return p
}

func (r *entryReader) u8() uint8 {
	if p := r.next(1); p != nil {
		return p[0]
	}
	return 0
}

func (r *entryReader) u16() uint16 {
	if p := r.next(2); p != nil {
		return binary.LittleEndian.Uint16(p)
	}
	return 0
}

func (r *entryReader) u32() uint32 {
	if p := r.next(4); p != nil {
		return binary.LittleEndian.Uint32(p)
	}
	return 0
}
