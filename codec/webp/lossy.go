package webp

import (
	"bytes"

	"golang.org/x/image/vp8"

	"github.com/starlight/dataserver/codec"
)

// decodeVP8 decodes a lossy frame with x/image/vp8 (a fresh decoder each
// time: a reused one would carry loop-filter deltas over from the previous
// image, where libwebp starts from zero) and converts it to RGB at dst.
func decodeVP8(f *frame, dst []byte, dstStride int) error {
	d := vp8.NewDecoder()
	d.Init(bytes.NewReader(f.bits), len(f.bits))
	fh, err := d.DecodeFrameHeader()
	if err != nil {
		return codec.Errorf("webp: VP8 frame header: %v", err)
	}
	if fh.Width != f.info.width || fh.Height != f.info.height {
		return codec.Errorf("webp: VP8 frame header changed size")
	}
	m, err := d.DecodeFrame()
	if err != nil {
		return codec.Errorf("webp: VP8 frame: %v", err)
	}
	w, h := f.info.width, f.info.height
	cw, ch := (w+1)/2, (h+1)/2
	if m.YStride < w || m.CStride < cw || len(m.Y) < (h-1)*m.YStride+w ||
		len(m.Cb) < (ch-1)*m.CStride+cw || len(m.Cr) < (ch-1)*m.CStride+cw {
		return codec.Errorf("webp: VP8 decoder returned short planes")
	}
	p := yuvPlanes{y: m.Y, u: m.Cb, v: m.Cr, yStride: m.YStride, cStride: m.CStride, w: w, h: h}
	fancyRGB(&p, dst, dstStride)
	return nil
}
