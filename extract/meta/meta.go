// Package meta finds the metadata a steganalysis detector reads besides the
// pixels: the EXIF block as Pillow reports it in info["exif"], and the bytes
// after the end of the image, both by the reference extractor's rules.
package meta

import (
	"bytes"
	"encoding/binary"

	"github.com/starlight/dataserver/codec"
)

// MaxTail is the most tail bytes the reference keeps.
const MaxTail = 2048

// minTailFile is the file size under which the reference reports no tail.
const minTailFile = 1000

// minWebPTail is how many bytes must follow a WebP's RIFF payload to count as a tail.
const minWebPTail = 100

// Tail returns the bytes after the end of the image as the reference computes
// them, capped at MaxTail: JPEG after the last FF D9; PNG from 12 bytes after
// the last "IEND" (skipping the first 4 appended bytes, a reference quirk);
// GIF after the last ';' anywhere in the file; WebP after 8 + the RIFF size
// when more than 100 bytes follow. Nothing for files under 1000 bytes and for
// other formats. The result aliases data.
func Tail(data []byte, f codec.Format) []byte {
	if len(data) < minTailFile {
		return nil
	}
	start := len(data)
	switch f {
	case codec.FormatJPEG:
		if i := bytes.LastIndex(data, []byte{0xFF, 0xD9}); i >= 0 {
			start = i + 2
		}
	case codec.FormatPNG:
		if i := bytes.LastIndex(data, []byte("IEND")); i >= 0 {
			start = i + 12
		}
	case codec.FormatGIF:
		if i := bytes.LastIndexByte(data, ';'); i >= 0 {
			start = i + 1
		}
	case codec.FormatWEBP:
		if len(data) >= 8 {
			end := 8 + int64(binary.LittleEndian.Uint32(data[4:8]))
			if int64(len(data))-end > minWebPTail {
				start = int(end)
			}
		}
	}
	if start >= len(data) {
		return nil
	}
	tail := data[start:]
	if len(tail) > MaxTail {
		tail = tail[:MaxTail]
	}
	return tail
}

// EXIF returns the EXIF block as Pillow reports it in info["exif"]: for JPEG
// the first APP1 segment before the scan data that starts "Exif\0", from that
// header on; for PNG "Exif\0\0" followed by the first eXIf chunk; for WebP
// the EXIF chunk of an extended (VP8X) file as stored. Nil when there is none.
// The result may alias data.
func EXIF(data []byte, f codec.Format) []byte {
	switch f {
	case codec.FormatJPEG:
		return jpegEXIF(data)
	case codec.FormatPNG:
		return pngEXIF(data)
	case codec.FormatWEBP:
		return webpEXIF(data)
	}
	return nil
}

// jpegEXIF walks the marker segments up to the first SOS.
func jpegEXIF(data []byte) []byte {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return nil
	}
	p := 2
	for p+4 <= len(data) {
		if data[p] != 0xFF {
			return nil
		}
		marker := data[p+1]
		switch {
		case marker == 0xFF: // fill byte
			p++
			continue
		case marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7):
			p += 2
			continue
		case marker == 0xDA || marker == 0xD9:
			return nil
		}
		n := int(binary.BigEndian.Uint16(data[p+2:]))
		if n < 2 || p+2+n > len(data) {
			return nil
		}
		seg := data[p+4 : p+2+n]
		if marker == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00")) {
			return seg
		}
		p += 2 + n
	}
	return nil
}

// pngEXIF walks the chunks for the first eXIf.
func pngEXIF(data []byte) []byte {
	p := 8
	for p+12 <= len(data) {
		n := int64(binary.BigEndian.Uint32(data[p:]))
		typ := string(data[p+4 : p+8])
		end := int64(p) + 12 + n
		if n > 1<<31 || end > int64(len(data)) {
			return nil
		}
		switch typ {
		case "eXIf":
			out := make([]byte, 0, 6+n)
			out = append(out, "Exif\x00\x00"...)
			return append(out, data[p+8:p+8+int(n)]...)
		case "IEND":
			return nil
		}
		p = int(end)
	}
	return nil
}

// webpEXIF walks the RIFF chunks of an extended WebP for EXIF.
func webpEXIF(data []byte) []byte {
	if len(data) < 30 || string(data[12:16]) != "VP8X" {
		return nil
	}
	limit := int64(len(data))
	if riff := 8 + int64(binary.LittleEndian.Uint32(data[4:8])); riff < limit {
		limit = riff
	}
	p := int64(12)
	for p+8 <= limit {
		n := int64(binary.LittleEndian.Uint32(data[p+4:]))
		if p+8+n > limit {
			return nil
		}
		if string(data[p:p+4]) == "EXIF" {
			return data[p+8 : p+8+n]
		}
		p += 8 + n + n&1
	}
	return nil
}
