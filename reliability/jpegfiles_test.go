package reliability

import (
	"encoding/binary"
)

// jpegSegment appends marker m with its payload and length field.
func jpegSegment(b []byte, m byte, payload []byte) []byte {
	if len(payload) > 65533 {
		panic("jpegSegment: payload over 65533 bytes")
	}
	b = append(b, 0xFF, m)
	b = binary.BigEndian.AppendUint16(b, uint16(len(payload)+2))
	return append(b, payload...)
}

// jpegTables appends a quantisation table of ones and two Huffman tables
// (DC 0 and AC 0) that hold one symbol each, 0x00, coded "0".
func jpegTables(b []byte) []byte {
	q := make([]byte, 65)
	for i := 1; i < 65; i++ {
		q[i] = 1
	}
	b = jpegSegment(b, 0xDB, q)
	var h []byte
	for _, class := range []byte{0x00, 0x10} {
		h = append(h, class)
		counts := make([]byte, 16)
		counts[0] = 1
		h = append(h, counts...)
		h = append(h, 0x00)
	}
	return jpegSegment(b, 0xC4, h)
}

// zeroBits returns n zero bits padded with one bits to a whole byte, the
// entropy data of a scan in which every block codes the one "0" symbol.
func zeroBits(n int) []byte {
	out := make([]byte, (n+7)/8)
	if r := n % 8; r != 0 {
		out[len(out)-1] = byte(1<<(8-r)) - 1
	}
	return out
}

// maxScans is the most scans a valid 8-bit greyscale progressive JPEG can
// have: the DC band and each of the 63 AC coefficients on its own, each
// first at Al=13 then refined bit by bit down to Al=0.
const maxScans = 64 * 14

// manyScanJPEG is a valid progressive greyscale JPEG of w x h whose
// coefficients are all zero, sent in the first n (at most maxScans) scans
// of that order: any prefix of it is a valid progression. Every scan costs
// the decoder a pass over all w*h/64 blocks.
func manyScanJPEG(w, h, n int) []byte {
	b := []byte{0xFF, 0xD8}
	b = jpegTables(b)
	sof := []byte{8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), 1, 1, 0x11, 0}
	b = jpegSegment(b, 0xC2, sof)
	blocks := ((w + 7) / 8) * ((h + 7) / 8)
	entropy := zeroBits(blocks)
	scans := 0
	scan := func(ss, se, ah, al byte) {
		if scans == n {
			return
		}
		b = jpegSegment(b, 0xDA, []byte{1, 1, 0x00, ss, se, ah<<4 | al})
		b = append(b, entropy...)
		scans++
	}
	for k := byte(0); k < 64; k++ {
		scan(k, k, 0, 13)
		for a := byte(13); a >= 1; a-- {
			scan(k, k, a, a-1)
		}
	}
	return append(b, 0xFF, 0xD9)
}

// sofBombJPEG is a baseline JPEG whose SOF0 declares w x h (one component)
// followed by one tiny scan: a dimension bomb in 200 bytes.
func sofBombJPEG(w, h int) []byte {
	b := []byte{0xFF, 0xD8}
	b = jpegTables(b)
	b = jpegSegment(b, 0xC0, []byte{8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), 1, 1, 0x11, 0})
	b = jpegSegment(b, 0xDA, []byte{1, 1, 0x00, 0, 63, 0})
	b = append(b, zeroBits(64)...)
	return append(b, 0xFF, 0xD9)
}

// withAPP1 inserts an APP1 segment holding exif right after the SOI of jpg.
func withAPP1(jpg, exif []byte) []byte {
	out := append([]byte{}, jpg[:2]...)
	out = jpegSegment(out, 0xE1, exif)
	return append(out, jpg[2:]...)
}
