package webp

import "github.com/starlight/dataserver/codec"

// frame is one image-bearing group of chunks: an optional ALPH chunk and a
// VP8 or VP8L chunk, placed at (x, y) on the canvas.
type frame struct {
	x, y     int
	info     bitstreamInfo
	lossless bool
	// bits is the VP8/VP8L payload as stored, padding byte included.
	bits []byte
	// alph is the ALPH payload, nil when absent or dropped by the demuxer.
	alph              []byte
	alphOff, imgOff   int
	hasAlph, hasImage bool
}

// container is what the demuxer (WebPDemux) and WebPGetFeatures make of a file.
type container struct {
	width, height int
	// hasAlpha is WebPGetFeatures' has_alpha: Pillow's mode is RGBA when set.
	hasAlpha bool
	// frame is the first frame, the one Pillow's Image.open shows.
	frame frame
}

// parse validates the container as libwebp's demuxer does (Pillow builds a
// WebPAnimDecoder, which demuxes the whole file) and returns the first frame.
// Nothing proportional to the image size is allocated.
func parse(data []byte) (c container, err error) {
	if len(data) < 20 {
		return container{}, codec.Errorf("webp: file too short (%d bytes)", len(data))
	}
	if string(data[:4]) != "RIFF" || string(data[8:12]) != "WEBP" {
		return container{}, codec.Errorf("webp: no RIFF/WEBP signature")
	}
	first := le32(data[12:])
	if first != fccVP8 && first != fccVP8L && first != fccVP8X {
		// Pillow's _accept only recognises these three first chunks.
		return container{}, codec.Errorf("webp: first chunk %q is not VP8, VP8L or VP8X", data[12:16])
	}
	riff := le32(data[4:])
	if riff < chunkHeaderSize || riff > maxChunkPayload {
		return container{}, codec.Errorf("webp: RIFF size %d invalid", riff)
	}
	end := uint64(riff) + chunkHeaderSize
	if uint64(len(data)) < end {
		return container{}, codec.Errorf("webp: file truncated: RIFF declares %d bytes, file has %d", end, len(data))
	}
	d := data[:end]
	if first == fccVP8X {
		err = parseExtended(d, &c)
	} else {
		err = parseSimple(d, &c)
	}
	if err != nil {
		return container{}, err
	}
	// WebPAnimDecoderNew validates the whole file with WebPGetFeatures
	// before demuxing, and Pillow takes its mode from the same call.
	alpha, ok := featuresAlpha(data)
	if !ok {
		return container{}, codec.Errorf("webp: headers rejected by the bitstream check (e.g. VP8X chunk not 10 bytes)")
	}
	c.hasAlpha = alpha
	return c, nil
}

// parseSimple handles a file whose first chunk is VP8 or VP8L.
func parseSimple(d []byte, c *container) error {
	var f frame
	if _, err := storeFrame(d, 12, 0, &f); err != nil {
		return err
	}
	// Without a VP8X alpha flag the demuxer drops any ALPH chunk.
	f.alph, f.hasAlph = nil, false
	c.width, c.height = f.info.width, f.info.height
	c.frame = f
	return nil
}

// parseExtended handles a file whose first chunk is VP8X: a still image
// with metadata, or an animation of which only the first frame is kept.
func parseExtended(d []byte, c *container) error {
	_, size, padded, err := chunkAt(d, 12)
	if err != nil {
		return err
	}
	if size < vp8xChunkSize {
		return codec.Errorf("webp: VP8X chunk too short (%d bytes)", size)
	}
	flags := d[20]
	c.width = 1 + le24(d[24:])
	c.height = 1 + le24(d[27:])
	if uint64(c.width)*uint64(c.height) >= maxImageArea {
		return codec.Errorf("webp: canvas %dx%d too large", c.width, c.height)
	}
	pos := 20 + padded
	if len(d)-pos < chunkHeaderSize {
		return codec.Errorf("webp: no chunk after VP8X")
	}
	isAnim := flags&flagAnimation != 0
	animChunks, frames := 0, 0
	for {
		fcc, _, padded, err := chunkAt(d, pos)
		if err != nil {
			return err
		}
		switch fcc {
		case fccVP8X:
			return codec.Errorf("webp: second VP8X chunk at offset %d", pos)
		case fccALPH, fccVP8, fccVP8L:
			if animChunks > 0 || isAnim {
				return codec.Errorf("webp: image chunk outside ANMF in an animation")
			}
			if frames > 0 {
				return codec.Errorf("webp: second image at offset %d", pos)
			}
			var f frame
			if pos, err = storeFrame(d, pos, 0, &f); err != nil {
				return err
			}
			if flags&flagAlpha == 0 {
				f.alph, f.hasAlph = nil, false
			}
			if err := checkFrame(&f, false, c.width, c.height); err != nil {
				return err
			}
			c.frame = f
			frames = 1
		case fccANIM:
			if padded < animChunkSize {
				return codec.Errorf("webp: ANIM chunk too short (%d bytes)", padded)
			}
			animChunks++
			pos += chunkHeaderSize + padded
		case fccANMF:
			if animChunks == 0 {
				return codec.Errorf("webp: ANMF before ANIM")
			}
			var f frame
			added := false
			if pos, added, err = parseANMF(d, pos, padded, isAnim, &f); err != nil {
				return err
			}
			if added {
				if err := checkFrame(&f, true, c.width, c.height); err != nil {
					return err
				}
				if frames == 0 {
					c.frame = f
				}
				frames++
			}
		default:
			pos += chunkHeaderSize + padded
		}
		if pos == len(d) {
			break
		}
		if len(d)-pos < chunkHeaderSize {
			return codec.Errorf("webp: %d stray bytes at offset %d", len(d)-pos, pos)
		}
	}
	if frames == 0 {
		return codec.Errorf("webp: no image in the file")
	}
	if flags&^validFlags != 0 {
		return codec.Errorf("webp: VP8X flags 0x%02x invalid", flags)
	}
	return nil
}

// parseANMF reads an ANMF chunk at pos and the image chunks that follow its
// 16-byte header. It returns where parsing goes on and whether a frame was
// stored (only in an animation, and only when some image chunk was found).
func parseANMF(d []byte, pos, padded int, isAnim bool, f *frame) (int, bool, error) {
	body := pos + chunkHeaderSize
	if len(d)-body < anmfChunkSize || padded < anmfChunkSize {
		return 0, false, codec.Errorf("webp: ANMF chunk at offset %d too short", pos)
	}
	f.x = 2 * le24(d[body:])
	f.y = 2 * le24(d[body+3:])
	w, h := 1+le24(d[body+6:]), 1+le24(d[body+9:])
	if uint64(w)*uint64(h) >= maxImageArea {
		return 0, false, codec.Errorf("webp: ANMF frame %dx%d too large", w, h)
	}
	start := body + anmfChunkSize
	next, err := storeFrame(d, start, padded-anmfChunkSize, f)
	if err != nil {
		return 0, false, err
	}
	if next-start > padded-anmfChunkSize {
		return 0, false, codec.Errorf("webp: ANMF chunk at offset %d overrun by its sub-chunks", pos)
	}
	return next, isAnim && (f.hasAlph || f.hasImage), nil
}

// checkFrame applies the demuxer's frame validation: a complete frame, alpha
// before the image, and bounds (exact for a still image, inside the canvas
// for an animation frame).
func checkFrame(f *frame, anim bool, cw, ch int) error {
	if !f.hasImage {
		return codec.Errorf("webp: frame without a VP8/VP8L chunk")
	}
	if f.hasAlph && f.alphOff > f.imgOff {
		return codec.Errorf("webp: ALPH chunk after the image chunk")
	}
	w, h := f.info.width, f.info.height
	if !anim {
		if w != cw || h != ch {
			return codec.Errorf("webp: image %dx%d does not match canvas %dx%d", w, h, cw, ch)
		}
		return nil
	}
	if f.x+w > cw || f.y+h > ch {
		return codec.Errorf("webp: frame %dx%d at (%d,%d) outside canvas %dx%d", w, h, f.x, f.y, cw, ch)
	}
	return nil
}

// storeFrame collects the image-bearing chunks starting at pos as libwebp's
// StoreFrame does: at most one ALPH and one VP8/VP8L, stopping at the first
// other chunk. minSize is the least number of bytes that must remain.
func storeFrame(d []byte, pos, minSize int, f *frame) (int, error) {
	if len(d)-pos < chunkHeaderSize || len(d)-pos < minSize {
		return 0, codec.Errorf("webp: image data at offset %d truncated", pos)
	}
	for {
		fcc, size, padded, err := chunkAt(d, pos)
		if err != nil {
			return 0, err
		}
		payload := d[pos+chunkHeaderSize : pos+chunkHeaderSize+padded]
		switch {
		case fcc == fccALPH && !f.hasAlph:
			f.hasAlph, f.alphOff, f.alph = true, pos, payload[:size]
		case (fcc == fccVP8 || fcc == fccVP8L) && !f.hasImage:
			if fcc == fccVP8L && f.hasAlph {
				return 0, codec.Errorf("webp: ALPH chunk before a VP8L image")
			}
			var info bitstreamInfo
			if fcc == fccVP8 {
				info, err = vp8Info(payload, size)
			} else {
				info, err = vp8lInfo(payload)
			}
			if err != nil {
				return 0, err
			}
			// The decoders see the stored payload, padding byte included,
			// as libwebp's do (the declared size only bounds partition 0).
			f.hasImage, f.imgOff, f.info, f.lossless, f.bits = true, pos, info, fcc == fccVP8L, payload
		default:
			return pos, nil
		}
		pos += chunkHeaderSize + padded
		if pos == len(d) {
			return pos, nil
		}
		if len(d)-pos < chunkHeaderSize {
			return 0, codec.Errorf("webp: %d stray bytes at offset %d", len(d)-pos, pos)
		}
	}
}
