package png

import (
	"github.com/starlight/dataserver/codec"
)

// scanner holds what Pillow's PngStream learns from the chunks, and walks
// them the way PngImageFile._open (before the pixels) and load_end (after)
// do.
type scanner struct {
	data []byte
	// inflate enables the decompressed-size checks on compressed text and
	// ICC chunks (DecodeConfig skips them to stay header-only).
	inflate bool

	width, height uint32
	mode          codec.Mode
	depth, ctype  byte
	haveRaw       bool // a valid IHDR set the raw mode
	interlaced    bool
	palette       []byte
	hasPalette    bool

	textMem      int64
	inflated     int64 // bytes inflated from ancillary chunks so far
	seq          int64 // last APNG sequence number; -1 when none
	bbox         [4]int64
	hasBBox      bool
	nFrames      int64 // acTL frame count; 0 when none
	defaultImage bool

	// first is the first pixel-data chunk; skip is 4 for an fdAT whose
	// sequence number precedes the data.
	first chunk
	skip  int64
}

// scanHeader walks the chunks up to the first IDAT (or fdAT) as Pillow's
// _open does: every chunk before it is parsed and CRC-checked.
func scanHeader(data []byte, inflate bool) (*scanner, error) {
	if len(data) < len(signature) || string(data[:len(signature)]) != signature {
		return nil, formatErr("not a PNG file")
	}
	s := &scanner{data: data, inflate: inflate, seq: -1}
	pos := int64(len(signature))
	for {
		c, err := readChunk(data, pos)
		if err != nil {
			return nil, err
		}
		switch {
		case c.typ == typeIDAT && s.haveRaw:
			s.first = c
			if !s.hasBBox && s.nFrames != 0 {
				s.defaultImage = true
			}
			return s, s.validate()
		case c.typ == typeFDAT:
			if err := s.fdatSequence(c); err != nil {
				return nil, err
			}
			if !s.haveRaw {
				return nil, formatErr("broken PNG file: fdAT chunk before a valid IHDR")
			}
			s.first, s.skip = c, 4
			return s, s.validate()
		case c.typ == typeIEND:
			return nil, formatErr("no image data before IEND")
		}
		b, err := body(data, c)
		if err != nil {
			return nil, err
		}
		if c.typ != typeIDAT {
			if err := s.handle(c, b); err != nil {
				return nil, err
			}
		}
		if err := checkCRC(data, c); err != nil {
			return nil, err
		}
		pos = c.end() + 4
	}
}

// validate refuses what Pillow's ImageFile refuses after _open: no mode or
// an empty size.
func (s *scanner) validate() error {
	if s.mode == "" {
		return formatErr("unsupported bit depth %d / colour type %d, or no IHDR", s.depth, s.ctype)
	}
	if s.width == 0 || s.height == 0 {
		return formatErr("empty image size %dx%d", s.width, s.height)
	}
	return nil
}

// config returns the header's mode and size.
func (s *scanner) config() codec.Config {
	return codec.Config{Format: codec.FormatPNG, Mode: s.mode, Width: int(s.width), Height: int(s.height)}
}

// animated reports whether Pillow counts more than one frame, which makes
// load_end stop at the next fcTL.
func (s *scanner) animated() bool {
	n := s.nFrames
	if n == 0 {
		n = 1
	}
	if s.defaultImage {
		n++
	}
	return n > 1
}

// modeFor returns Pillow's mode for a bit depth and colour type.
func modeFor(depth, ctype byte) (codec.Mode, bool) {
	switch ctype {
	case 0:
		switch depth {
		case 1:
			return codec.Mode1, true
		case 2, 4, 8:
			return codec.ModeL, true
		case 16:
			return codec.ModeI, true
		}
	case 2:
		if depth == 8 || depth == 16 {
			return codec.ModeRGB, true
		}
	case 3:
		if depth == 1 || depth == 2 || depth == 4 || depth == 8 {
			return codec.ModeP, true
		}
	case 4:
		switch depth {
		case 8:
			return codec.ModeLA, true
		case 16:
			return codec.ModeRGBA, true
		}
	case 6:
		if depth == 8 || depth == 16 {
			return codec.ModeRGBA, true
		}
	}
	return "", false
}

// channels returns the samples per pixel of a colour type.
func channels(ctype byte) int {
	switch ctype {
	case 2:
		return 3
	case 4:
		return 2
	case 6:
		return 4
	}
	return 1
}

// bitsPerPixel returns the bits one pixel of the raw data takes.
func (s *scanner) bitsPerPixel() int { return int(s.depth) * channels(s.ctype) }
