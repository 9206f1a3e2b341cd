package webp

import (
	"bytes"
	"image"

	"golang.org/x/image/vp8l"

	"github.com/starlight/dataserver/codec"
)

// decodeVP8L decodes a lossless frame with x/image/vp8l; its ARGB output is
// what libwebp hands out in MODE_RGBA. RGB goes to rgb (row stride rgbStride
// bytes), alpha to alpha (row stride alphaStride) unless alpha is nil.
func decodeVP8L(f *frame, rgb []byte, rgbStride int, alpha []byte, alphaStride int) error {
	m, err := vp8l.Decode(bytes.NewReader(f.bits))
	if err != nil {
		return codec.Errorf("webp: VP8L: %v", err)
	}
	img, ok := m.(*image.NRGBA)
	w, h := f.info.width, f.info.height
	if !ok || img.Rect.Dx() != w || img.Rect.Dy() != h {
		return codec.Errorf("webp: VP8L decoded to an unexpected image")
	}
	for y := 0; y < h; y++ {
		src := img.Pix[y*img.Stride : y*img.Stride+4*w]
		d := rgb[y*rgbStride : y*rgbStride+3*w]
		for x, j := 0, 0; x < 4*w; x, j = x+4, j+3 {
			d[j], d[j+1], d[j+2] = src[x], src[x+1], src[x+2]
		}
		if alpha != nil {
			a := alpha[y*alphaStride : y*alphaStride+w]
			for x := range a {
				a[x] = src[4*x+3]
			}
		}
	}
	return nil
}
