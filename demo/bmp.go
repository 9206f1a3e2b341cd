package demo

import (
	"encoding/binary"
	"image"
	"image/color"
)

// BMP layout sizes: file header and BITMAPINFOHEADER.
const (
	bmpFileHeader = 14
	bmpInfoHeader = 40
)

// encodeBMP24 writes an opaque picture as an uncompressed bottom-up 24-bit BMP.
func encodeBMP24(img *image.NRGBA) []byte {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	stride := (3*w + 3) &^ 3
	out := bmpHeader(w, h, 24, 0, stride*h)
	for y := h - 1; y >= 0; y-- {
		row := make([]byte, stride)
		for x := range w {
			c := opaqueColor(img, x, y)
			row[3*x], row[3*x+1], row[3*x+2] = c.B, c.G, c.R
		}
		out = append(out, row...)
	}
	return out
}

// encodeBMP8 writes a paletted picture as an uncompressed bottom-up 8-bit BMP
// with its palette.
func encodeBMP8(img *image.Paletted) []byte {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	stride := (w + 3) &^ 3
	out := bmpHeader(w, h, 8, len(img.Palette), stride*h)
	for _, c := range img.Palette {
		p := color.RGBAModel.Convert(c).(color.RGBA)
		out = append(out, p.B, p.G, p.R, 0)
	}
	for y := h - 1; y >= 0; y-- {
		row := make([]byte, stride)
		copy(row, img.Pix[img.PixOffset(0, y):img.PixOffset(0, y)+w])
		out = append(out, row...)
	}
	return out
}

// bmpHeader returns the file and info headers of a BI_RGB bitmap.
func bmpHeader(w, h, bpp, colors, imageSize int) []byte {
	le := binary.LittleEndian
	offset := bmpFileHeader + bmpInfoHeader + 4*colors
	out := make([]byte, 0, offset+imageSize)
	out = append(out, 'B', 'M')
	out = le.AppendUint32(out, uint32(offset+imageSize))
	out = le.AppendUint32(out, 0)
	out = le.AppendUint32(out, uint32(offset))
	out = le.AppendUint32(out, bmpInfoHeader)
	out = le.AppendUint32(out, uint32(w))
	out = le.AppendUint32(out, uint32(h))
	out = le.AppendUint16(out, 1)
	out = le.AppendUint16(out, uint16(bpp))
	out = le.AppendUint32(out, 0) // BI_RGB
	out = le.AppendUint32(out, uint32(imageSize))
	out = le.AppendUint32(out, 2835) // 72 dpi
	out = le.AppendUint32(out, 2835)
	out = le.AppendUint32(out, uint32(colors))
	out = le.AppendUint32(out, 0)
	return out
}
