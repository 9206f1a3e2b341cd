package webp

import (
	"encoding/binary"

	"github.com/starlight/dataserver/codec"
)

// RIFF and WebP container constants, named as libwebp names them.
const (
	chunkHeaderSize = 8
	vp8xChunkSize   = 10
	anmfChunkSize   = 16
	animChunkSize   = 6
	// maxChunkPayload is libwebp's MAX_CHUNK_PAYLOAD: ~0U - 8 - 1.
	maxChunkPayload = 1<<32 - 1 - chunkHeaderSize - 1
	// maxImageArea is libwebp's MAX_IMAGE_AREA.
	maxImageArea = 1 << 32

	flagAnimation = 0x02
	flagAlpha     = 0x10
	// validFlags is libwebp's ALL_VALID_FLAGS (ICCP, alpha, EXIF, XMP, animation).
	validFlags = 0x3e
)

// FourCC codes of the chunks the decoder looks at, as little-endian words.
const (
	fccALPH = 'A' | 'L'<<8 | 'P'<<16 | 'H'<<24
	fccVP8  = 'V' | 'P'<<8 | '8'<<16 | ' '<<24
	fccVP8L = 'V' | 'P'<<8 | '8'<<16 | 'L'<<24
	fccVP8X = 'V' | 'P'<<8 | '8'<<16 | 'X'<<24
	fccANIM = 'A' | 'N'<<8 | 'I'<<16 | 'M'<<24
	fccANMF = 'A' | 'N'<<8 | 'M'<<16 | 'F'<<24
)

func le16(b []byte) int { return int(binary.LittleEndian.Uint16(b)) }

func le24(b []byte) int { return int(b[0]) | int(b[1])<<8 | int(b[2])<<16 }

func le32(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }

// chunkAt reads the chunk header at pos in d (d ends at the RIFF end) and
// returns its fourcc, declared payload size and padded payload size. A size
// reaching past the RIFF end is an error, never an allocation.
func chunkAt(d []byte, pos int) (fcc uint32, size, padded int, err error) {
	if len(d)-pos < chunkHeaderSize {
		return 0, 0, 0, codec.Errorf("webp: chunk header at offset %d truncated", pos)
	}
	fcc = le32(d[pos:])
	s := le32(d[pos+4:])
	if s > maxChunkPayload {
		return 0, 0, 0, codec.Errorf("webp: chunk %q at offset %d declares %d bytes", d[pos:pos+4], pos, s)
	}
	p := uint64(s) + uint64(s&1)
	if p > uint64(len(d)-pos-chunkHeaderSize) {
		return 0, 0, 0, codec.Errorf("webp: chunk %q at offset %d declares %d bytes, only %d remain in the RIFF",
			d[pos:pos+4], pos, s, len(d)-pos-chunkHeaderSize)
	}
	return fcc, int(s), int(p), nil
}
