package webp

import (
	"github.com/starlight/dataserver/codec"
)

// decodeVP8L decodes a lossless frame; its ARGB output is what libwebp
// hands out in MODE_RGBA. RGB goes to rgb (row stride rgbStride bytes),
// alpha to alpha (row stride alphaStride) unless alpha is nil.
func decodeVP8L(f *frame, rgb []byte, rgbStride int, alpha []byte, alphaStride int) error {
	w, h := f.info.width, f.info.height
	pix, err := decodeVP8LStream(f.bits, w, h)
	if err != nil {
		return err
	}
	defer releasePixels(pix)
	for y := 0; y < h; y++ {
		src := pix[y*w : y*w+w]
		d := rgb[y*rgbStride : y*rgbStride+3*w]
		for x, p := range src {
			q := d[3*x : 3*x+3 : 3*x+3]
			q[0], q[1], q[2] = byte(p>>16), byte(p>>8), byte(p)
		}
		if alpha != nil {
			a := alpha[y*alphaStride : y*alphaStride+w]
			for x, p := range src {
				a[x] = byte(p >> 24)
			}
		}
	}
	return nil
}

// decodeVP8LStream checks a VP8L stream's header (as x/image/vp8l did: the
// signature and version, the hint of alpha ignored) and size, then decodes
// its w x h ARGB pixels.
func decodeVP8LStream(data []byte, w, h int) ([]uint32, error) {
	b := lbits{data: data}
	if b.read(8) != 0x2f {
		return nil, codec.Errorf("webp: VP8L: invalid header")
	}
	sw, sh := int(b.read(14))+1, int(b.read(14))+1
	b.read(1)
	version := b.read(3)
	switch {
	case b.overrun():
		return nil, codec.Errorf("webp: VP8L: %v", errVP8LTruncated)
	case version != 0:
		return nil, codec.Errorf("webp: VP8L: invalid version")
	case sw != w || sh != h:
		return nil, codec.Errorf("webp: VP8L decoded to an unexpected image")
	}
	pix, err := decodeLossless(data[5:], w, h)
	if err != nil {
		return nil, codec.Errorf("webp: VP8L: %v", err)
	}
	return pix, nil
}
