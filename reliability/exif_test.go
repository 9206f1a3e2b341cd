package reliability

import "encoding/binary"

// TIFF tags used by the hostile EXIF blocks.
const (
	tagExifIFD     = 0x8769
	tagUserComment = 0x9286
)

// ifdEntry is one 12-byte IFD entry.
type ifdEntry struct {
	tag, typ uint16
	count    uint32
	value    uint32
}

// tiffIFD appends an IFD at the end of b (little endian): its entry count,
// the entries and the offset of the next IFD.
func tiffIFD(b []byte, count uint16, entries []ifdEntry, next uint32) []byte {
	b = binary.LittleEndian.AppendUint16(b, count)
	for _, e := range entries {
		b = binary.LittleEndian.AppendUint16(b, e.tag)
		b = binary.LittleEndian.AppendUint16(b, e.typ)
		b = binary.LittleEndian.AppendUint32(b, e.count)
		b = binary.LittleEndian.AppendUint32(b, e.value)
	}
	return binary.LittleEndian.AppendUint32(b, next)
}

// exifBlock is "Exif\0\0" followed by a little-endian TIFF header whose
// IFD0 sits at offset 8, and body (the IFDs, starting at offset 8).
func exifBlock(body []byte) []byte {
	b := []byte("Exif\x00\x00II*\x00\x08\x00\x00\x00")
	return append(b, body...)
}

// hostileEXIF returns EXIF blocks that try to hang or exhaust an EXIF
// walker, by name.
func hostileEXIF() map[string][]byte {
	out := map[string][]byte{}
	// IFD0 whose Exif pointer and next-IFD offset both point to itself.
	out["selfloop"] = exifBlock(tiffIFD(nil, 1, []ifdEntry{{tagExifIFD, 4, 1, 8}}, 8))
	// Two IFDs pointing at each other, the second holding a UserComment
	// entry whose count is 4 GiB.
	two := tiffIFD(nil, 1, []ifdEntry{{tagExifIFD, 4, 1, 26}}, 26)
	two = tiffIFD(two, 2, []ifdEntry{{tagExifIFD, 4, 1, 8}, {tagUserComment, 7, 0xFFFFFFFF, 0xFFFFFFF0}}, 8)
	out["pingpong-hugecount"] = exifBlock(two)
	// IFD0 claiming 65535 entries in a block of 30 bytes.
	out["hugeentries"] = exifBlock(tiffIFD(nil, 0xFFFF, []ifdEntry{{tagUserComment, 7, 16, 8}}, 0))
	// A chain of 3000 IFDs, each one's Exif pointer naming the next (54 KB:
	// it fits one JPEG segment).
	var chain []byte
	for i := 0; i < 3000; i++ {
		chain = tiffIFD(chain, 1, []ifdEntry{{tagExifIFD, 4, 1, uint32(8 + 18*(i+1))}}, uint32(8+18*(i+1)))
	}
	out["chain3000"] = exifBlock(chain)
	// Exif pointer and next offset outside the block; UserComment at an
	// offset that wraps 32 bits with its count.
	out["wild-offsets"] = exifBlock(tiffIFD(nil, 2, []ifdEntry{{tagExifIFD, 4, 1, 0xFFFFFFFF}, {tagUserComment, 7, 64, 0xFFFFFFC0}}, 0xFFFFFFF0))
	return out
}
