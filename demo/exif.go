package demo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// EXIF tags and types used here.
const (
	tagExifIFD     = 0x8769
	tagUserComment = 0x9286
	typeLong       = 4
	typeUndefined  = 7
)

// exifBlock returns a big-endian TIFF structure: IFD0 with one entry pointing
// to the Exif IFD, whose one entry is a UserComment of type UNDEFINED holding
// "ASCII\0\0\0" + text.
func exifBlock(text string) []byte {
	comment := append([]byte("ASCII\x00\x00\x00"), text...)
	be := binary.BigEndian
	const ifd0 = 8
	const exifIFD = ifd0 + 2 + 12 + 4
	const data = exifIFD + 2 + 12 + 4
	b := make([]byte, 0, data+len(comment))
	b = append(b, 'M', 'M', 0, 42)
	b = be.AppendUint32(b, ifd0)
	// IFD0: one entry, then no next IFD.
	b = be.AppendUint16(b, 1)
	b = be.AppendUint16(b, tagExifIFD)
	b = be.AppendUint16(b, typeLong)
	b = be.AppendUint32(b, 1)
	b = be.AppendUint32(b, exifIFD)
	b = be.AppendUint32(b, 0)
	// Exif IFD: the UserComment, its value stored after the IFD.
	b = be.AppendUint16(b, 1)
	b = be.AppendUint16(b, tagUserComment)
	b = be.AppendUint16(b, typeUndefined)
	b = be.AppendUint32(b, uint32(len(comment)))
	b = be.AppendUint32(b, data)
	b = be.AppendUint32(b, 0)
	return append(b, comment...)
}

// withJPEGExif inserts an APP1 "Exif\0\0" segment holding tiff right after
// the JPEG's start-of-image marker.
func withJPEGExif(jpg, tiff []byte) ([]byte, error) {
	if len(jpg) < 4 || jpg[0] != 0xff || jpg[1] != 0xd8 {
		return nil, errors.New("demo: not a JPEG stream (no SOI)")
	}
	seg := 2 + 6 + len(tiff)
	if seg > 0xffff {
		return nil, fmt.Errorf("demo: EXIF block of %d bytes does not fit one APP1 segment", len(tiff))
	}
	out := make([]byte, 0, len(jpg)+2+seg)
	out = append(out, jpg[:2]...)
	out = append(out, 0xff, 0xe1)
	out = binary.BigEndian.AppendUint16(out, uint16(seg))
	out = append(out, "Exif\x00\x00"...)
	out = append(out, tiff...)
	return append(out, jpg[2:]...), nil
}

// pngSignature starts every PNG file.
var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// withPNGExif inserts an eXIf chunk holding tiff right after the IHDR chunk.
func withPNGExif(png, tiff []byte) ([]byte, error) {
	const ihdrEnd = 8 + 4 + 4 + 13 + 4
	if len(png) < ihdrEnd || !bytes.HasPrefix(png, pngSignature) || string(png[12:16]) != "IHDR" {
		return nil, errors.New("demo: not a PNG stream starting with IHDR")
	}
	out := make([]byte, 0, len(png)+12+len(tiff))
	out = append(out, png[:ihdrEnd]...)
	out = appendChunk(out, "eXIf", tiff)
	return append(out, png[ihdrEnd:]...), nil
}

// appendChunk appends a PNG chunk: length, type, data, CRC of type and data.
func appendChunk(b []byte, typ string, data []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	start := len(b)
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[start:]))
}
