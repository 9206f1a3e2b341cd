package png

import (
	"encoding/binary"
	"hash/crc32"
)

// signature is the eight bytes every PNG file starts with.
const signature = "\x89PNG\r\n\x1a\n"

// Chunk types as big-endian integers of their four letters.
const (
	typeIHDR = 'I'<<24 | 'H'<<16 | 'D'<<8 | 'R'
	typeIDAT = 'I'<<24 | 'D'<<16 | 'A'<<8 | 'T'
	typeDDAT = 'D'<<24 | 'D'<<16 | 'A'<<8 | 'T'
	typeIEND = 'I'<<24 | 'E'<<16 | 'N'<<8 | 'D'
	typePLTE = 'P'<<24 | 'L'<<16 | 'T'<<8 | 'E'
	typeTRNS = 't'<<24 | 'R'<<16 | 'N'<<8 | 'S'
	typeGAMA = 'g'<<24 | 'A'<<16 | 'M'<<8 | 'A'
	typeCHRM = 'c'<<24 | 'H'<<16 | 'R'<<8 | 'M'
	typeSRGB = 's'<<24 | 'R'<<16 | 'G'<<8 | 'B'
	typePHYS = 'p'<<24 | 'H'<<16 | 'Y'<<8 | 's'
	typeTEXT = 't'<<24 | 'E'<<16 | 'X'<<8 | 't'
	typeZTXT = 'z'<<24 | 'T'<<16 | 'X'<<8 | 't'
	typeITXT = 'i'<<24 | 'T'<<16 | 'X'<<8 | 't'
	typeICCP = 'i'<<24 | 'C'<<16 | 'C'<<8 | 'P'
	typeACTL = 'a'<<24 | 'c'<<16 | 'T'<<8 | 'L'
	typeFCTL = 'f'<<24 | 'c'<<16 | 'T'<<8 | 'L'
	typeFDAT = 'f'<<24 | 'd'<<16 | 'A'<<8 | 'T'
)

// chunk is one chunk header: its type, declared length and where its data
// starts in the file.
type chunk struct {
	typ    uint32
	length int64
	data   int
}

// end returns the offset just past the chunk's declared data (where its CRC
// starts); it may lie beyond the end of a truncated file.
func (c chunk) end() int64 { return int64(c.data) + c.length }

// name returns the chunk type as text, for error messages.
func (c chunk) name() string {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], c.typ)
	return string(b[:])
}

// readChunk reads the eight-byte chunk header at pos. Like Pillow, a header
// cut short or a type that is not four word characters is an error.
func readChunk(data []byte, pos int64) (chunk, error) {
	if pos < 0 || pos > int64(len(data)) || int64(len(data))-pos < 4 {
		return chunk{}, formatErr("truncated file: chunk header missing at offset %d", pos)
	}
	if int64(len(data))-pos < 8 {
		return chunk{}, formatErr("broken PNG file: chunk type cut short at offset %d", pos)
	}
	p := int(pos)
	t := data[p+4 : p+8]
	for _, b := range t {
		if !isWordByte(b) {
			return chunk{}, formatErr("broken PNG file: invalid chunk type %q at offset %d", t, pos)
		}
	}
	return chunk{
		typ:    binary.BigEndian.Uint32(t),
		length: int64(binary.BigEndian.Uint32(data[p:])),
		data:   p + 8,
	}, nil
}

// isWordByte reports whether b matches Python's bytes regex \w.
func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_'
}

// body returns the chunk's data, or an error when the file ends first.
func body(data []byte, c chunk) ([]byte, error) {
	if c.end() > int64(len(data)) {
		return nil, formatErr("truncated file: %s chunk at offset %d declares %d bytes", c.name(), c.data-8, c.length)
	}
	return data[c.data:c.end()], nil
}

// checkCRC verifies the CRC that follows the chunk's data.
func checkCRC(data []byte, c chunk) error {
	end := c.end()
	if end+4 > int64(len(data)) {
		return formatErr("broken PNG file: incomplete checksum in %s chunk", c.name())
	}
	want := binary.BigEndian.Uint32(data[end:])
	if crc32.ChecksumIEEE(data[c.data-4:end]) != want {
		return formatErr("broken PNG file: bad checksum in %s chunk at offset %d", c.name(), c.data-8)
	}
	return nil
}
