package corpustest

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/extract/crop"
)

// PixelDigest returns the sha256 of the pixel stream of an interleaved RGB
// image: the 256x256 centre crop, channel-major, as SPEC.md defines it.
func PixelDigest(rgb []uint8, w, h int) string {
	buf := make([]uint8, 3*crop.Size*crop.Size)
	crop.Planar(buf, rgb, w, h, 3)
	return sha(buf)
}

// StreamDigests returns the hex sha256 of each stream SPEC.md derives from
// a decoded image's pixels, keyed as expected.jsonl names them: pixel (the
// RGB centre crop, channel-major), lsb (that crop & 1), alpha (the crop of
// alpha & 1 when the mode is exactly RGBA, zeros otherwise), palette (the
// palette's bytes zero padded to 768) and palette_lsb (the crop of the LSB
// of Pillow's P->L luma when the image has a palette, zeros otherwise).
func StreamDigests(img *codec.Image) map[string]string {
	w, h := img.Width, img.Height
	plane := func(src []byte) string {
		dst := make([]byte, crop.Size*crop.Size)
		if src != nil {
			crop.Planar(dst, src, w, h, 1)
		}
		return sha(dst)
	}
	out := map[string]string{"pixel": PixelDigest(img.RGB, w, h)}
	lsb := make([]byte, 3*crop.Size*crop.Size)
	crop.Planar(lsb, img.RGB, w, h, 3)
	for i := range lsb {
		lsb[i] &= 1
	}
	out["lsb"] = sha(lsb)
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
	out["palette"] = sha(pal)
	out["palette_lsb"] = plane(luma)
	return out
}

// sha returns the hex sha256 of b.
func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
