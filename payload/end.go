package payload

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/starlight/dataserver/codec"
)

// ErrTruncated reports a file that ends before its image data does.
var ErrTruncated = errors.New("image truncated")

// End returns the offset just past the end of the image in data, found by
// walking the format's structure (PNG chunks to IEND, JPEG segments and
// entropy-coded data to EOI, GIF blocks to the trailer, the RIFF size of a
// WebP, the declared size of a BMP). Bytes from End on were appended after
// the image. It returns an error wrapping ErrTruncated when the data stops
// early and one wrapping codec.ErrFormat when the structure is invalid. It
// never panics and reads nothing beyond data.
func End(data []byte) (end int, err error) {
	switch f := codec.Sniff(data); f {
	case codec.FormatPNG:
		return pngEnd(data)
	case codec.FormatJPEG:
		return jpegEnd(data)
	case codec.FormatGIF:
		return gifEnd(data)
	case codec.FormatWEBP:
		return webpEnd(data)
	case codec.FormatBMP:
		return bmpEnd(data)
	}
	return 0, fmt.Errorf("%w: not a PNG, JPEG, GIF, WebP or BMP file", codec.ErrFormat)
}

func truncated(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrTruncated, fmt.Sprintf(format, args...))
}

// pngEnd walks the chunks up to the end of IEND's CRC.
func pngEnd(data []byte) (int, error) {
	p := 8
	for {
		if len(data)-p < 12 {
			return 0, truncated("PNG ends at %d inside a chunk header, before IEND", len(data))
		}
		n := int64(binary.BigEndian.Uint32(data[p:]))
		if n > 1<<31-1 {
			return 0, codec.Errorf("PNG chunk at %d declares length %d", p, n)
		}
		end := int64(p) + 12 + n
		if end > int64(len(data)) {
			return 0, truncated("PNG chunk %q at %d needs %d bytes, file has %d", data[p+4:p+8], p, end, len(data))
		}
		if string(data[p+4:p+8]) == "IEND" {
			return int(end), nil
		}
		p = int(end)
	}
}

// jpegEnd walks marker segments and entropy-coded data up to EOI.
func jpegEnd(data []byte) (int, error) {
	p := 2
	for {
		if p >= len(data) {
			return 0, truncated("JPEG ends at %d before EOI", len(data))
		}
		if data[p] != 0xFF {
			return 0, codec.Errorf("JPEG: no marker at %d", p)
		}
		for p < len(data) && data[p] == 0xFF {
			p++
		}
		if p >= len(data) {
			return 0, truncated("JPEG ends at %d before EOI", len(data))
		}
		m := data[p]
		p++
		switch {
		case m == 0xD9:
			return p, nil
		case m == 0x01 || m == 0xD8 || (m >= 0xD0 && m <= 0xD7):
			continue
		case m == 0x00:
			return 0, codec.Errorf("JPEG: stuffed byte outside scan data at %d", p-1)
		}
		if len(data)-p < 2 {
			return 0, truncated("JPEG segment length at %d cut off", p)
		}
		n := int(binary.BigEndian.Uint16(data[p:]))
		if n < 2 {
			return 0, codec.Errorf("JPEG: segment FF%02X at %d has length %d", m, p-2, n)
		}
		if p+n > len(data) {
			return 0, truncated("JPEG segment FF%02X at %d needs %d bytes, file has %d", m, p-2, p+n, len(data))
		}
		p += n
		if m == 0xDA {
			p = skipScan(data, p)
		}
	}
}

// skipScan returns the offset of the first marker after entropy-coded data
// starting at p (stuffed 00 bytes and restart markers belong to the scan),
// or len(data) when none follows.
func skipScan(data []byte, p int) int {
	for p < len(data) {
		if data[p] != 0xFF {
			p++
			continue
		}
		q := p + 1
		for q < len(data) && data[q] == 0xFF {
			q++
		}
		if q >= len(data) {
			return len(data)
		}
		if m := data[q]; m == 0x00 || (m >= 0xD0 && m <= 0xD7) {
			p = q + 1
			continue
		}
		return p
	}
	return p
}

// gifEnd walks the blocks up to the trailer byte.
func gifEnd(data []byte) (int, error) {
	if len(data) < 13 {
		return 0, truncated("GIF of %d bytes has no screen descriptor", len(data))
	}
	p := 13
	if flags := data[10]; flags&0x80 != 0 {
		p += 3 << (flags&7 + 1)
	}
	for {
		if p >= len(data) {
			return 0, truncated("GIF ends at %d before the trailer", len(data))
		}
		switch data[p] {
		case 0x3B:
			return p + 1, nil
		case 0x21:
			var err error
			if p, err = gifSubBlocks(data, p+2); err != nil {
				return 0, err
			}
		case 0x2C:
			if len(data)-p < 10 {
				return 0, truncated("GIF image descriptor at %d cut off", p)
			}
			flags := data[p+9]
			p += 10
			if flags&0x80 != 0 {
				p += 3 << (flags&7 + 1)
			}
			p++ // LZW minimum code size
			var err error
			if p, err = gifSubBlocks(data, p); err != nil {
				return 0, err
			}
		default:
			return 0, codec.Errorf("GIF: unknown block 0x%02X at %d", data[p], p)
		}
	}
}

// gifSubBlocks skips a chain of data sub-blocks starting at p and returns
// the offset after its zero terminator.
func gifSubBlocks(data []byte, p int) (int, error) {
	for {
		if p >= len(data) {
			return 0, truncated("GIF ends at %d inside a block", len(data))
		}
		n := int(data[p])
		p++
		if n == 0 {
			return p, nil
		}
		p += n
	}
}

// webpEnd is 8 + the RIFF size, checked against the file.
func webpEnd(data []byte) (int, error) {
	end := 8 + int64(binary.LittleEndian.Uint32(data[4:8]))
	if end > int64(len(data)) {
		return 0, truncated("WebP RIFF declares %d bytes, file has %d", end, len(data))
	}
	if end < 12 {
		return 0, codec.Errorf("WebP RIFF size %d too small", end-8)
	}
	return int(end), nil
}

// bmpEnd is the declared file size when it covers the pixel data, else the
// end of the pixel data.
func bmpEnd(data []byte) (int, error) {
	if len(data) < 26 {
		return 0, truncated("BMP of %d bytes has no complete header", len(data))
	}
	declared := int64(binary.LittleEndian.Uint32(data[2:]))
	off := int64(binary.LittleEndian.Uint32(data[10:]))
	hdr := binary.LittleEndian.Uint32(data[14:])
	var pix int64
	switch {
	case hdr == 12:
		w, h := int64(binary.LittleEndian.Uint16(data[18:])), int64(binary.LittleEndian.Uint16(data[20:]))
		bpp := int64(binary.LittleEndian.Uint16(data[24:]))
		pix = off + (bpp*w+31)/32*4*h
	case hdr >= 40 && len(data) >= 38:
		w := int64(int32(binary.LittleEndian.Uint32(data[18:])))
		h := int64(int32(binary.LittleEndian.Uint32(data[22:])))
		bpp := int64(binary.LittleEndian.Uint16(data[28:]))
		comp := binary.LittleEndian.Uint32(data[30:])
		size := int64(binary.LittleEndian.Uint32(data[34:]))
		if w < 0 {
			w = -w
		}
		if h < 0 {
			h = -h
		}
		if w > 1<<20 || h > 1<<20 || bpp > 64 {
			return 0, codec.Errorf("BMP header declares %dx%d at %d bits", w, h, bpp)
		}
		switch comp {
		case 0, 3, 6: // BI_RGB, BI_BITFIELDS, BI_ALPHABITFIELDS
			pix = off + (bpp*w+31)/32*4*h
		default:
			pix = off + size
		}
	case len(data) < 38:
		return 0, truncated("BMP of %d bytes has no complete info header", len(data))
	default:
		return 0, codec.Errorf("BMP info header of %d bytes", hdr)
	}
	if pix > int64(len(data)) {
		return 0, truncated("BMP pixel data ends at %d, file has %d bytes", pix, len(data))
	}
	if declared >= pix && declared <= int64(len(data)) {
		return int(declared), nil
	}
	return int(pix), nil
}
