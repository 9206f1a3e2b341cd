package feed

import "encoding/binary"

const lowBits = 0x0101010101010101

// lsbInto writes src[i] & 1 to dst[i]; len(dst) == len(src), a multiple of 8.
func lsbInto(dst, src []byte) {
	for i := 0; i+8 <= len(src); i += 8 {
		binary.LittleEndian.PutUint64(dst[i:], binary.LittleEndian.Uint64(src[i:])&lowBits)
	}
}

// packLSBInto packs the LSBs of src, 8 per byte, most significant bit first
// (numpy.packbits order), into dst; len(src) == 8*len(dst).
func packLSBInto(dst, src []byte) {
	for i := range dst {
		w := binary.LittleEndian.Uint64(src[8*i:]) & lowBits
		// Byte j of w (a 0/1 value) lands on bit 7-j of the top byte.
		dst[i] = byte((w * 0x8040201008040201) >> 56)
	}
}
