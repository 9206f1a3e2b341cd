package bmp

import (
	"encoding/binary"
	"strings"

	"github.com/starlight/dataserver/codec"
)

// Compression values of the info header.
const (
	compRGB       = 0
	compRLE8      = 1
	compRLE4      = 2
	compBitfields = 3
)

// header is what Pillow's _bitmap learns: the mode, the raw mode the rows
// are unpacked with, and where and how the rows are stored.
type header struct {
	mode          codec.Mode
	rawmode       string
	width, height int
	bits          int // bits per pixel in the file
	rle, rle4     bool
	topDown       bool
	offset        int64
	palette       []byte // the file's palette bytes, for a P image
	padding       int    // bytes per palette entry: 4, or 3 for OS/2
}

// u16 reads a little-endian uint16.
func u16(b []byte) int { return int(binary.LittleEndian.Uint16(b)) }

// u32 reads a little-endian uint32.
func u32(b []byte) int64 { return int64(binary.LittleEndian.Uint32(b)) }

// masks32 lists the 32-bit bitfield layouts (R, G, B, A masks) Pillow
// supports, with their raw modes.
var masks32 = map[[4]int64]string{
	{0xFF0000, 0xFF00, 0xFF, 0}:          "BGRX",
	{0xFF000000, 0xFF0000, 0xFF00, 0}:    "XBGR",
	{0xFF000000, 0xFF0000, 0xFF00, 0xFF}: "ABGR",
	{0xFF, 0xFF00, 0xFF0000, 0xFF000000}: "RGBA",
	{0xFF0000, 0xFF00, 0xFF, 0xFF000000}: "BGRA",
	{0, 0, 0, 0}:                         "BGRA",
}

// masks16and24 lists the 16- and 24-bit layouts, keyed by bits and masks.
var masks16and24 = map[[4]int64]string{
	{24, 0xFF0000, 0xFF00, 0xFF}: "BGR",
	{16, 0xF800, 0x7E0, 0x1F}:    "BGR;16",
	{16, 0x7C00, 0x3E0, 0x1F}:    "BGR;15",
}

// parseHeader reads the file and info headers, the bitfield masks and the
// palette, settling the mode as Pillow does.
func parseHeader(data []byte) (*header, error) {
	if len(data) < 18 || data[0] != 'B' || data[1] != 'M' {
		return nil, formatErr("not a BMP file, or shorter than its file header")
	}
	h := &header{offset: u32(data[10:]), padding: 4}
	size := u32(data[14:])
	if size < 4 || 14+size > int64(len(data)) {
		if size == 12 || size == 40 || size == 64 || size == 108 || size == 124 {
			return nil, formatErr("truncated info header (%d bytes declared)", size)
		}
		return nil, unsupportedErr("BMP header type (%d)", size)
	}
	hd := data[18 : 14+size]
	pos := 14 + size
	var colors, comp int64
	switch size {
	case 12:
		h.width, h.height, h.bits = u16(hd[0:]), u16(hd[2:]), u16(hd[6:])
		h.padding = 3
	case 40, 64, 108, 124:
		flip := hd[7] == 0xFF
		h.width = int(u32(hd[0:]))
		ht := u32(hd[4:])
		if flip {
			ht = 1<<32 - ht
		}
		h.height, h.topDown = int(ht), flip
		h.bits = u16(hd[10:])
		comp = u32(hd[12:])
		colors = u32(hd[28:])
		if comp == compBitfields {
			var err error
			if pos, err = h.bitfields(data, hd, pos); err != nil {
				return nil, err
			}
		}
	default:
		return nil, unsupportedErr("BMP header type (%d)", size)
	}
	if colors == 0 && h.bits < 63 {
		colors = 1 << h.bits
	}
	if h.offset == 14+size && h.bits <= 8 {
		h.offset += 4 * colors
	}
	if err := h.compression(comp); err != nil {
		return nil, err
	}
	if h.mode == codec.ModeP {
		if colors <= 0 || colors > 65536 {
			return nil, formatErr("unsupported BMP palette size (%d)", colors)
		}
		end := min(pos+int64(h.padding)*colors, int64(len(data)))
		h.palette = data[pos:end]
		pos = end
		h.settlePalette(int(colors))
	}
	if h.offset == 0 {
		h.offset = pos
	}
	if h.width <= 0 || h.height <= 0 {
		return nil, formatErr("empty image size %dx%d", h.width, h.height)
	}
	return h, nil
}

// bitfields reads the colour masks and picks the raw mode they describe;
// it returns the file offset after any masks read from the file.
func (h *header) bitfields(data, hd []byte, pos int64) (int64, error) {
	var m [4]int64
	if len(hd) >= 52 {
		for i := range m {
			m[i] = u32(hd[36+4*i:])
		}
	} else {
		for i := 0; i < 3; i++ {
			if pos+4 > int64(len(data)) {
				return pos, formatErr("truncated bitfield masks")
			}
			m[i] = u32(data[pos:])
			pos += 4
		}
	}
	if raw, ok := masks32[m]; ok && h.bits == 32 {
		h.rawmode = raw
		return pos, nil
	}
	if raw, ok := masks16and24[[4]int64{int64(h.bits), m[0], m[1], m[2]}]; ok {
		h.rawmode = raw
		return pos, nil
	}
	return pos, unsupportedErr("BMP bitfields layout (%d bits, masks %#x)", h.bits, m)
}

// compression sets the mode and raw mode from the depth and compression.
func (h *header) compression(comp int64) error {
	raw := ""
	switch h.bits {
	case 1:
		h.mode, raw = codec.ModeP, "P;1"
	case 4:
		h.mode, raw = codec.ModeP, "P;4"
	case 8:
		h.mode, raw = codec.ModeP, "P"
	case 16:
		h.mode, raw = codec.ModeRGB, "BGR;15"
	case 24:
		h.mode, raw = codec.ModeRGB, "BGR"
	case 32:
		h.mode, raw = codec.ModeRGB, "BGRX"
	default:
		return unsupportedErr("BMP pixel depth (%d)", h.bits)
	}
	switch comp {
	case compBitfields:
		if h.bits == 32 && strings.Contains(h.rawmode, "A") {
			h.mode = codec.ModeRGBA
		}
		return nil // rawmode set by bitfields
	case compRGB:
	case compRLE8, compRLE4:
		h.rle, h.rle4 = true, comp == compRLE4
	default:
		return unsupportedErr("BMP compression (%d)", comp)
	}
	h.rawmode = raw
	return nil
}

// settlePalette applies Pillow's grey check: a palette that is the grey
// ramp (black and white for 2 colours) is dropped, giving "L" (or "1").
func (h *header) settlePalette(colors int) {
	for i := 0; i < colors; i++ {
		v := byte(i)
		if colors == 2 && i == 1 {
			v = 255
		}
		lo := i * h.padding
		if lo+3 > len(h.palette) {
			return
		}
		if e := h.palette[lo : lo+3]; e[0] != v || e[1] != v || e[2] != v {
			return
		}
	}
	if colors == 2 {
		h.mode, h.rawmode = codec.Mode1, "1"
	} else {
		h.mode, h.rawmode = codec.ModeL, "L"
	}
	h.palette = nil
}
