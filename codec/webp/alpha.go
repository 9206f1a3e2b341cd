package webp

import (
	"github.com/starlight/dataserver/codec"
)

// ALPH header fields (libwebp src/dec/alpha_dec.c ALPHInit).
const (
	alphaNoCompression   = 0
	alphaLossless        = 1
	alphaPreprocessedMax = 1

	filterNone       = 0
	filterHorizontal = 1
	filterVertical   = 2
	filterGradient   = 3
)

// decodeAlpha decodes an ALPH payload for a w x h frame into plane (w*h
// bytes, row-major), as libwebp does with default options (no alpha
// dithering, so the pre-processing field only has to be valid).
func decodeAlpha(alph []byte, w, h int, plane []byte) error {
	if len(alph) <= 1 {
		return codec.Errorf("webp: ALPH chunk empty")
	}
	hdr := alph[0]
	method, filter, pre, rsrv := hdr&3, (hdr>>2)&3, (hdr>>4)&3, hdr>>6
	if method > alphaLossless || pre > alphaPreprocessedMax || rsrv != 0 {
		return codec.Errorf("webp: ALPH header 0x%02x invalid", hdr)
	}
	data := alph[1:]
	n := w * h
	plane = plane[:n]
	switch method {
	case alphaNoCompression:
		if len(data) < n {
			return codec.Errorf("webp: ALPH holds %d bytes, %dx%d needs %d", len(data), w, h, n)
		}
		copy(plane, data[:n])
	case alphaLossless:
		pix, err := decodeAlphaLossless(data, w, h)
		if err != nil {
			return err
		}
		for i, p := range pix[:w*h] {
			plane[i] = byte(p >> 8)
		}
		releasePixels(pix)
	}
	unfilterAlpha(plane, w, h, int(filter))
	return nil
}

// decodeAlphaLossless decodes a VP8L image stream without its 5-byte header
// (the ALPH lossless form); the alpha values are the green channel.
func decodeAlphaLossless(data []byte, w, h int) ([]uint32, error) {
	if w > 1<<14 || h > 1<<14 {
		return nil, codec.Errorf("webp: ALPH frame %dx%d too large for lossless alpha", w, h)
	}
	pix, err := decodeLossless(data, w, h)
	if err != nil {
		return nil, codec.Errorf("webp: ALPH lossless stream: %v", err)
	}
	return pix, nil
}

// unfilterAlpha undoes the ALPH prediction filter in place, row by row as
// libwebp's WebPUnfilters do: the first row is always predicted from the
// left (its first pixel from 0), the first pixel of other rows from above.
func unfilterAlpha(p []byte, w, h, filter int) {
	if filter == filterNone {
		return
	}
	for x := 1; x < w; x++ {
		p[x] += p[x-1]
	}
	for y := 1; y < h; y++ {
		prev := p[(y-1)*w : y*w]
		cur := p[y*w : y*w+w]
		switch filter {
		case filterHorizontal:
			left := prev[0]
			for x := range cur {
				left += cur[x]
				cur[x] = left
			}
		case filterVertical:
			for x := range cur {
				cur[x] += prev[x]
			}
		case filterGradient:
			top, topLeft, left := int(prev[0]), int(prev[0]), int(prev[0])
			for x := range cur {
				top = int(prev[x])
				g := left + top - topLeft
				if g < 0 {
					g = 0
				} else if g > 255 {
					g = 255
				}
				left = int(byte(int(cur[x]) + g))
				cur[x] = byte(left)
				topLeft = top
			}
		}
	}
}
