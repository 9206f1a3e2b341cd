package gif

import (
	"encoding/binary"

	"github.com/starlight/dataserver/codec"
)

// frame is what Pillow's _open and _seek(0) learn before the first frame's
// image data: the mode, the canvas size and where and how to decode.
type frame struct {
	mode          codec.Mode
	width, height int // Pillow's size: the screen grown to hold the frame
	x0, y0        int // the frame's rectangle as declared
	fw, fh        int
	interlaced    bool
	transparent   bool
	transparency  byte
	palette       []byte // the colour table in effect for a P image
	// lut is the table pixels take their colour from: the P image's
	// palette, or for an L image the global table when Pillow attached it
	// (a grey-ramp local table over a coloured global one); nil means grey.
	lut      []byte
	litWidth int // the LZW minimum code size byte
	data     int // offset of the first data sub-block
}

// le16 reads a little-endian uint16 as an int.
func le16(b []byte) int { return int(binary.LittleEndian.Uint16(b)) }

// isGreyRamp reports whether a colour table is the identity grey ramp,
// the table Pillow's _is_palette_needed lets it drop.
func isGreyRamp(p []byte) bool {
	for i := 0; i+2 < len(p); i += 3 {
		v := byte(i / 3)
		if p[i] != v || p[i+1] != v || p[i+2] != v {
			return false
		}
	}
	return true
}

// subBlock reads one data sub-block at pos as Pillow's data() does: nil for
// a zero size byte or the end of the file, else the block's bytes (fewer
// when the file ends inside it).
func subBlock(data []byte, pos int) ([]byte, int) {
	if pos >= len(data) || data[pos] == 0 {
		return nil, min(pos+1, len(data))
	}
	n := int(data[pos])
	pos++
	end := min(pos+n, len(data))
	return data[pos:end], end
}

// parseHeader reads the screen descriptor, the global colour table and the
// blocks up to the first image descriptor.
func parseHeader(data []byte) (*frame, error) {
	if len(data) < 13 {
		return nil, formatErr("file of %d bytes is shorter than a GIF header", len(data))
	}
	if sig := string(data[:6]); sig != "GIF87a" && sig != "GIF89a" {
		return nil, formatErr("not a GIF file")
	}
	f := &frame{width: le16(data[6:]), height: le16(data[8:])}
	flags := data[10]
	pos := 13
	var global []byte
	if flags&0x80 != 0 {
		n := 3 << (flags&7 + 1)
		if pos+n > len(data) {
			return nil, formatErr("truncated global colour table")
		}
		if p := data[pos : pos+n]; !isGreyRamp(p) {
			global = p
		}
		pos += n
	}
	for {
		if pos >= len(data) {
			return nil, formatErr("no image in GIF file (ends at offset %d)", pos)
		}
		b := data[pos]
		pos++
		switch b {
		case ';':
			return nil, formatErr("no image in GIF file (trailer at offset %d)", pos-1)
		case '!':
			var err error
			if pos, err = f.extension(data, pos); err != nil {
				return nil, err
			}
		case ',':
			return f, f.descriptor(data, pos, global)
		}
	}
}

// extension reads one extension block starting at its label, as Pillow's
// _seek does for frame 0, and returns the offset after it.
func (f *frame) extension(data []byte, pos int) (int, error) {
	if pos >= len(data) {
		return pos, formatErr("truncated extension block")
	}
	label := data[pos]
	block, pos := subBlock(data, pos+1)
	switch label {
	case 0xF9: // graphic control extension
		if len(block) < 3 {
			return pos, formatErr("truncated graphic control extension")
		}
		if block[0]&1 != 0 {
			if len(block) < 4 {
				return pos, formatErr("truncated graphic control extension")
			}
			f.transparent, f.transparency = true, block[3]
		}
	case 0xFE: // comment: its loop already eats the terminator
		for block != nil {
			block, pos = subBlock(data, pos)
		}
		return pos, nil
	case 0xFF: // application extension
		if block == nil {
			return pos, formatErr("empty application extension")
		}
		if len(block) >= 11 && string(block[:11]) == "NETSCAPE2.0" {
			if block, pos = subBlock(data, pos); block == nil {
				return pos, formatErr("empty NETSCAPE2.0 loop block")
			}
		}
	}
	for block != nil {
		block, pos = subBlock(data, pos)
	}
	return pos, nil
}

// descriptor reads the first image descriptor (pos just after its ','),
// its local colour table and the LZW code size, and settles the mode.
func (f *frame) descriptor(data []byte, pos int, global []byte) error {
	if pos+9 > len(data) {
		return formatErr("truncated image descriptor")
	}
	d := data[pos : pos+9]
	f.x0, f.y0, f.fw, f.fh = le16(d[0:]), le16(d[2:]), le16(d[4:]), le16(d[6:])
	f.width = max(f.width, f.x0+f.fw)
	f.height = max(f.height, f.y0+f.fh)
	flags := d[8]
	f.interlaced = flags&0x40 != 0
	pos += 9
	f.palette, f.mode = global, codec.ModeP
	if flags&0x80 != 0 {
		n := 3 << (flags&7 + 1)
		if pos+n > len(data) {
			return formatErr("truncated local colour table")
		}
		f.palette = data[pos : pos+n]
		if isGreyRamp(f.palette) {
			// Pillow opens this as L but still attaches the global table,
			// which turns its core image into P: convert("RGB") and
			// convert("P") then go through that table.
			f.palette = nil
			f.lut = global
		}
		pos += n
	}
	if f.palette == nil {
		f.mode = codec.ModeL
	} else {
		f.lut = f.palette
	}
	if pos >= len(data) {
		return formatErr("truncated image: LZW code size missing")
	}
	f.litWidth = int(data[pos])
	f.data = pos + 1
	if f.width <= 0 || f.height <= 0 {
		return formatErr("empty image size %dx%d", f.width, f.height)
	}
	return nil
}

// tile returns the rectangle decoded into, as Pillow's setimage derives it
// from the frame's extent.
func (f *frame) tile() (x, y, w, h int, err error) {
	if f.x0 == 0 && f.fw == 0 {
		return 0, 0, f.width, f.height, nil
	}
	if f.fw <= 0 || f.fh <= 0 {
		return 0, 0, 0, 0, formatErr("empty frame %dx%d at %d,%d", f.fw, f.fh, f.x0, f.y0)
	}
	return f.x0, f.y0, f.fw, f.fh, nil
}
