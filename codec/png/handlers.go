package png

import (
	"bytes"
	"encoding/binary"
	"unicode/utf8"
)

// Pillow's limits on text chunks: 1 MiB decompressed per chunk
// (ImageFile.SAFEBLOCK) and 64 MiB of text in total.
const (
	maxTextChunk  = 1 << 20
	maxTextMemory = 64 * maxTextChunk
	// maxInflated bounds the work spent inflating compressed ancillary
	// chunks in one file. Pillow has no such bound (chunks with an empty
	// key escape its text limit), so a file over it is the one place this
	// decoder refuses what Pillow would open.
	maxInflated = 2 * maxTextMemory
)

// handle parses one ancillary or critical chunk as far as Pillow's chunk_*
// handler does, recording what matters and failing where Pillow fails.
// Unknown chunk types are accepted as they are.
func (s *scanner) handle(c chunk, b []byte) error {
	switch c.typ {
	case typeIHDR:
		return s.ihdr(b)
	case typePLTE:
		if s.mode == "P" {
			s.palette, s.hasPalette = b, true
		}
	case typeTRNS:
		switch s.mode {
		case "1", "L", "I":
			return needLen(c, b, 2)
		case "RGB":
			return needLen(c, b, 6)
		}
	case typeGAMA:
		return needLen(c, b, 4)
	case typeCHRM:
		if len(b)%4 != 0 {
			return formatErr("cHRM chunk of %d bytes is not a multiple of 4", len(b))
		}
	case typeSRGB:
		return needLen(c, b, 1)
	case typePHYS:
		return needLen(c, b, 9)
	case typeTEXT:
		if k, v, _ := bytes.Cut(b, []byte{0}); len(k) > 0 {
			return s.addText(len(v))
		}
	case typeZTXT:
		return s.ztxt(b)
	case typeITXT:
		return s.itxt(b)
	case typeICCP:
		return s.iccp(b)
	case typeACTL:
		return s.actl(c, b)
	case typeFCTL:
		return s.fctl(c, b)
	}
	return nil
}

// needLen fails when a chunk is shorter than its fields.
func needLen(c chunk, b []byte, n int) error {
	if len(b) < n {
		return formatErr("truncated %s chunk: %d bytes, need %d", c.name(), len(b), n)
	}
	return nil
}

// ihdr records the image header. An unknown depth/colour combination leaves
// the mode unset, as Pillow's table lookup does.
func (s *scanner) ihdr(b []byte) error {
	if len(b) < 13 {
		return formatErr("truncated IHDR chunk: %d bytes", len(b))
	}
	s.width = binary.BigEndian.Uint32(b[0:])
	s.height = binary.BigEndian.Uint32(b[4:])
	if m, ok := modeFor(b[8], b[9]); ok {
		s.mode, s.depth, s.ctype, s.haveRaw = m, b[8], b[9], true
	} else if !s.haveRaw {
		s.depth, s.ctype = b[8], b[9]
	}
	if b[12] != 0 {
		s.interlaced = true
	}
	if b[11] != 0 {
		return formatErr("unknown filter method %d in IHDR", b[11])
	}
	return nil
}

// addText counts decoded text against Pillow's total limit.
func (s *scanner) addText(n int) error {
	s.textMem += int64(n)
	if s.textMem > maxTextMemory {
		return formatErr("too much memory used in text chunks: %d bytes", s.textMem)
	}
	return nil
}

// ztxt checks a compressed text chunk.
func (s *scanner) ztxt(b []byte) error {
	k, v, _ := bytes.Cut(b, []byte{0})
	if len(v) > 0 && v[0] != 0 {
		return formatErr("unknown compression method %d in zTXt chunk", v[0])
	}
	if len(v) > 0 {
		v = v[1:]
	}
	if !s.inflate {
		return nil
	}
	n, _, over, err := s.inflateText(v, false)
	if err != nil {
		return err
	}
	if over {
		return formatErr("zTXt chunk decompresses to more than %d bytes", maxTextChunk)
	}
	if len(k) > 0 {
		return s.addText(n)
	}
	return nil
}

// itxt checks an international text chunk; whatever Pillow ignores (bad
// layout, bad UTF-8, an unknown compression method) is ignored.
func (s *scanner) itxt(b []byte) error {
	_, r, ok := bytes.Cut(b, []byte{0})
	if !ok || len(r) < 2 {
		return nil
	}
	cf, cm := r[0], r[1]
	lang, r, ok1 := bytes.Cut(r[2:], []byte{0})
	tk, v, ok2 := bytes.Cut(r, []byte{0})
	if !ok1 || !ok2 || !s.inflate {
		return nil
	}
	if cf != 0 {
		if cm != 0 {
			return nil
		}
		_, text, over, err := s.inflateText(v, true)
		if err != nil {
			return err
		}
		if over {
			return formatErr("iTXt chunk decompresses to more than %d bytes", maxTextChunk)
		}
		if text == nil {
			return nil
		}
		v = text
	}
	if !utf8.Valid(lang) || !utf8.Valid(tk) || !utf8.Valid(v) {
		return nil
	}
	return s.addText(utf8.RuneCount(v))
}

// iccp checks an ICC profile chunk. Pillow reads the compression method at
// the separator's own index (so it is 0 whenever a NUL exists) or, without
// one, at the last byte.
func (s *scanner) iccp(b []byte) error {
	if len(b) == 0 {
		return formatErr("empty iCCP chunk")
	}
	i := bytes.IndexByte(b, 0)
	if i < 0 {
		i = len(b) - 1
	}
	if b[i] != 0 {
		return formatErr("unknown compression method %d in iCCP chunk", b[i])
	}
	if !s.inflate || i+2 > len(b) {
		return nil
	}
	_, _, over, err := s.inflateText(b[i+2:], false)
	if err != nil {
		return err
	}
	if over {
		return formatErr("iCCP chunk decompresses to more than %d bytes", maxTextChunk)
	}
	return nil
}

// actl records the APNG frame count.
func (s *scanner) actl(c chunk, b []byte) error {
	if err := needLen(c, b, 8); err != nil {
		return err
	}
	if s.nFrames != 0 {
		s.nFrames = 0
		return nil
	}
	n := int64(binary.BigEndian.Uint32(b))
	if n == 0 || n > 0x80000000 {
		return nil
	}
	s.nFrames = n
	return nil
}

// fctl checks an APNG frame control chunk and records its region.
func (s *scanner) fctl(c chunk, b []byte) error {
	if err := needLen(c, b, 26); err != nil {
		return err
	}
	seq := int64(binary.BigEndian.Uint32(b))
	if (s.seq < 0 && seq != 0) || (s.seq >= 0 && s.seq != seq-1) {
		return formatErr("APNG contains frame sequence errors")
	}
	s.seq = seq
	w := int64(binary.BigEndian.Uint32(b[4:]))
	h := int64(binary.BigEndian.Uint32(b[8:]))
	px := int64(binary.BigEndian.Uint32(b[12:]))
	py := int64(binary.BigEndian.Uint32(b[16:]))
	if px+w > int64(s.width) || py+h > int64(s.height) {
		return formatErr("APNG contains invalid frames")
	}
	s.bbox, s.hasBBox = [4]int64{px, py, px + w, py + h}, true
	return nil
}

// fdatSequence checks an fdAT chunk's length and sequence number.
func (s *scanner) fdatSequence(c chunk) error {
	seq, err := s.nextSequence(c, s.seq)
	if err != nil {
		return err
	}
	s.seq = seq
	return nil
}

// nextSequence checks the sequence number of fdAT chunk c against the last
// one seen and returns it; it changes nothing.
func (s *scanner) nextSequence(c chunk, last int64) (int64, error) {
	if c.length < 4 {
		return 0, formatErr("APNG contains truncated fdAT chunk")
	}
	if int64(c.data)+4 > int64(len(s.data)) {
		return 0, formatErr("truncated file: fdAT chunk cut short")
	}
	seq := int64(binary.BigEndian.Uint32(s.data[c.data:]))
	if last < 0 || last != seq-1 {
		return 0, formatErr("APNG contains frame sequence errors")
	}
	return seq, nil
}
