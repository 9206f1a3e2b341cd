package gif_test

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/extract/crop"
	"github.com/starlight/dataserver/internal/corpustest"
)

// streamDigests computes, from a decoded image, the digests of the streams
// SPEC.md derives from pixels: pixel, lsb, alpha, palette and palette_lsb.
func streamDigests(img *codec.Image) map[string]string {
	w, h := img.Width, img.Height
	sum := func(b []byte) string {
		s := sha256.Sum256(b)
		return hex.EncodeToString(s[:])
	}
	plane := func(src []byte) string {
		dst := make([]byte, crop.Size*crop.Size)
		if src != nil {
			crop.Planar(dst, src, w, h, 1)
		}
		return sum(dst)
	}
	out := map[string]string{"pixel": corpustest.PixelDigest(img.RGB, w, h)}
	lsb := make([]byte, 3*crop.Size*crop.Size)
	crop.Planar(lsb, img.RGB, w, h, 3)
	for i := range lsb {
		lsb[i] &= 1
	}
	out["lsb"] = sum(lsb)
	var alpha []byte
	if img.Mode == codec.ModeRGBA {
		alpha = make([]byte, len(img.Alpha))
		for i, a := range img.Alpha {
			alpha[i] = a & 1
		}
	}
	out["alpha"] = plane(alpha)
	pal := make([]byte, 768)
	var luma []byte
	if img.Palette != nil {
		copy(pal, img.Palette)
		luma = make([]byte, w*h)
		for i := range luma {
			r, g, b := uint32(img.RGB[3*i]), uint32(img.RGB[3*i+1]), uint32(img.RGB[3*i+2])
			luma[i] = byte((r*19595+g*38470+b*7471+0x8000)>>16) & 1
		}
	}
	out["palette"] = sum(pal)
	out["palette_lsb"] = plane(luma)
	return out
}
