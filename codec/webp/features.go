package webp

// featuresAlpha mirrors libwebp's WebPGetFeatures(data) on the whole file:
// Pillow takes its mode from has_alpha, and WebPAnimDecoderNew refuses the
// file when the call fails (ok=false).
//
// has_alpha starts from the VP8X alpha flag, is replaced by the VP8L header's
// alpha_is_used bit for a lossless image, and is set by any ALPH chunk seen
// before the image chunk. An animation reports the VP8X flag alone.
func featuresAlpha(data []byte) (alpha, ok bool) {
	if len(data) < 12 || string(data[:4]) != "RIFF" || string(data[8:12]) != "WEBP" {
		return false, false
	}
	riff := le32(data[4:])
	if riff < 12 || riff > maxChunkPayload {
		return false, false
	}
	p := data[12:]
	if len(p) < chunkHeaderSize {
		return false, false
	}
	var canvasW, canvasH int
	var flag, alph bool // the VP8X alpha flag; an ALPH chunk was seen
	vp8x := le32(p) == fccVP8X
	if vp8x {
		if le32(p[4:]) != vp8xChunkSize || len(p) < chunkHeaderSize+vp8xChunkSize {
			return false, false
		}
		flags := p[8]
		canvasW, canvasH = 1+le24(p[12:]), 1+le24(p[15:])
		if uint64(canvasW)*uint64(canvasH) >= maxImageArea {
			return false, false
		}
		flag = flags&flagAlpha != 0
		if flags&flagAnimation != 0 {
			return flag, true
		}
		p = p[chunkHeaderSize+vp8xChunkSize:]
	}
	// Running short of data after a VP8X header still succeeds with what is
	// known; without VP8X it fails.
	short := func() (bool, bool) { return flag || alph, vp8x }
	if len(p) < 4 {
		return short()
	}
	if vp8x {
		// ParseOptionalChunks: skip to the VP8/VP8L chunk, noting ALPH.
		total := uint32(4 + chunkHeaderSize + vp8xChunkSize)
		for {
			if len(p) < chunkHeaderSize {
				return short()
			}
			size := le32(p[4:])
			if size > maxChunkPayload {
				return false, false
			}
			disk := (chunkHeaderSize + size + 1) &^ 1
			total += disk
			if total > riff {
				return false, false
			}
			fcc := le32(p)
			if fcc == fccVP8 || fcc == fccVP8L {
				break
			}
			if uint64(len(p)) < uint64(disk) {
				return short()
			}
			if fcc == fccALPH {
				alph = true
			}
			p = p[disk:]
		}
	}
	if len(p) < chunkHeaderSize {
		return short()
	}
	fcc := le32(p)
	if fcc != fccVP8 && fcc != fccVP8L {
		// A raw bitstream without a chunk header: never a file Pillow accepts.
		return false, false
	}
	size := le32(p[4:])
	if riff >= 12 && size > riff-12 {
		return false, false
	}
	p = p[chunkHeaderSize:]
	var info bitstreamInfo
	var err error
	if fcc == fccVP8 {
		if len(p) < 10 {
			return short()
		}
		info, err = vp8Info(p, int(size))
	} else {
		if len(p) < 5 {
			return short()
		}
		info, err = vp8lInfo(p)
		// VP8LGetInfo overwrites has_alpha with the header bit.
		flag = info.alpha
	}
	if err != nil {
		return false, false
	}
	if vp8x && (info.width != canvasW || info.height != canvasH) {
		return false, false
	}
	return flag || alph, true
}
