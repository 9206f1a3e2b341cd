package meta

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Tags of the TIFF/EXIF structure that lead to the UserComment.
const (
	tagExifIFD     = 0x8769
	tagUserComment = 0x9286
)

// maxIFDEntries bounds the entries read from one IFD; real files have dozens.
const maxIFDEntries = 4096

// ErrNoUserComment reports an EXIF block without a UserComment tag.
var ErrNoUserComment = errors.New("exif: no UserComment")

// UserComment returns the raw value of the EXIF UserComment tag (0x9286),
// character-code header included, from an EXIF block as EXIF returns it
// ("Exif\0\0" then a TIFF header). It follows IFD0 and the Exif sub-IFD only,
// visits each IFD once (so IFD loops end), and checks every offset and count
// against the block, so hostile counts never allocate.
func UserComment(exif []byte) ([]byte, error) {
	tiff := exif
	if len(tiff) >= 6 && string(tiff[:4]) == "Exif" {
		tiff = tiff[6:]
	}
	if len(tiff) < 8 {
		return nil, errors.New("exif: short TIFF header")
	}
	var bo binary.ByteOrder
	switch string(tiff[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return nil, fmt.Errorf("exif: bad byte order %q", tiff[:2])
	}
	if bo.Uint16(tiff[2:]) != 42 {
		return nil, errors.New("exif: bad TIFF magic")
	}
	seen := map[uint32]bool{}
	queue := []uint32{bo.Uint32(tiff[4:])}
	for len(queue) > 0 {
		off := queue[0]
		queue = queue[1:]
		if seen[off] || len(seen) > 8 {
			continue
		}
		seen[off] = true
		if uint64(off)+2 > uint64(len(tiff)) {
			return nil, fmt.Errorf("exif: IFD offset %d outside the block", off)
		}
		n := int(bo.Uint16(tiff[off:]))
		if n > maxIFDEntries || uint64(off)+2+uint64(n)*12 > uint64(len(tiff)) {
			return nil, fmt.Errorf("exif: IFD at %d claims %d entries beyond the block", off, n)
		}
		for i := 0; i < n; i++ {
			e := tiff[int(off)+2+12*i:]
			tag, typ, count := bo.Uint16(e), bo.Uint16(e[2:]), bo.Uint32(e[4:])
			switch tag {
			case tagExifIFD:
				queue = append(queue, bo.Uint32(e[8:]))
			case tagUserComment:
				if typ != 7 && typ != 1 && typ != 2 {
					return nil, fmt.Errorf("exif: UserComment has type %d", typ)
				}
				if count <= 4 {
					return e[8 : 8+count], nil
				}
				vo := bo.Uint32(e[8:])
				if uint64(vo)+uint64(count) > uint64(len(tiff)) {
					return nil, fmt.Errorf("exif: UserComment of %d bytes at %d outside the block", count, vo)
				}
				return tiff[vo : vo+count], nil
			}
		}
	}
	return nil, ErrNoUserComment
}
