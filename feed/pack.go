package feed

import "encoding/binary"

const lowBits = 0x0101010101010101

// spread gathers the low bits of the 8 bytes of w into one byte, byte 0 on
// the most significant bit (numpy.packbits order).
const spread = 0x8040201008040201

// lsbInto writes src[i] & 1 to dst[i]; len(dst) >= len(src). The loop does
// 32 bytes a turn on re-sliced blocks so the compiler drops the bounds checks.
func lsbInto(dst, src []byte) {
	dst = dst[:len(src)]
	for len(src) >= 32 {
		s, d := src[:32:32], dst[:32:32]
		binary.LittleEndian.PutUint64(d[0:], binary.LittleEndian.Uint64(s[0:])&lowBits)
		binary.LittleEndian.PutUint64(d[8:], binary.LittleEndian.Uint64(s[8:])&lowBits)
		binary.LittleEndian.PutUint64(d[16:], binary.LittleEndian.Uint64(s[16:])&lowBits)
		binary.LittleEndian.PutUint64(d[24:], binary.LittleEndian.Uint64(s[24:])&lowBits)
		src, dst = src[32:], dst[32:]
	}
	for i, v := range src {
		dst[i] = v & 1
	}
}

// packLSBInto packs the LSBs of src, 8 per byte, most significant bit first
// (numpy.packbits order), into dst; len(src) >= 8*len(dst).
func packLSBInto(dst, src []byte) {
	src = src[:8*len(dst)]
	for len(dst) >= 4 {
		s, d := src[:32:32], dst[:4:4]
		d[0] = byte(((binary.LittleEndian.Uint64(s[0:]) & lowBits) * spread) >> 56)
		d[1] = byte(((binary.LittleEndian.Uint64(s[8:]) & lowBits) * spread) >> 56)
		d[2] = byte(((binary.LittleEndian.Uint64(s[16:]) & lowBits) * spread) >> 56)
		d[3] = byte(((binary.LittleEndian.Uint64(s[24:]) & lowBits) * spread) >> 56)
		src, dst = src[32:], dst[4:]
	}
	for i := range dst {
		dst[i] = byte(((binary.LittleEndian.Uint64(src[8*i:]) & lowBits) * spread) >> 56)
	}
}
