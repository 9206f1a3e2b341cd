package png

// scanTrailer walks the chunks after the pixel data as Pillow's load_end
// does, starting after the data chunk at whose end the decoder stopped:
// no CRC checks, a header cut short or with an invalid type ends the walk
// quietly, IEND (or the next frame of an animation) ends it, and a chunk
// the handlers refuse or the file cuts short is an error.
func (s *scanner) scanTrailer(end int64) error {
	pos := end + 4
	animated := s.animated()
	for {
		c, err := readChunk(s.data, pos)
		if err != nil {
			return nil
		}
		switch {
		case c.typ == typeIEND:
			return nil
		case c.typ == typeFCTL && animated:
			return nil
		case c.typ == typeFDAT:
			if err := s.fdatSequence(c); err != nil {
				return err
			}
		}
		b, err := body(s.data, c)
		if err != nil {
			return err
		}
		if c.typ != typeIDAT && c.typ != typeFDAT {
			if err := s.handle(c, b); err != nil {
				return err
			}
		}
		pos = c.end() + 4
	}
}
