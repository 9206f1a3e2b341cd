package demo

// Small independent readers for the tests: they recover payloads the way an
// extractor would, from files decoded by the standard library (and x/image/bmp).

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"

	_ "golang.org/x/image/bmp"
)

func decodeImage(data []byte) (image.Image, string, error) {
	return image.Decode(bytes.NewReader(data))
}

// pack turns bits into bytes, first bit in the MSB or in the LSB of each byte.
func pack(bits []uint8, order string) []byte {
	out := make([]byte, len(bits)/8)
	for i := range 8 * len(out) {
		if order == msbFirst {
			out[i/8] |= bits[i] << (7 - uint(i%8))
		} else {
			out[i/8] |= bits[i] << uint(i%8)
		}
	}
	return out
}

// alphaBits returns the alpha LSBs row-major, or nil when the image has no alpha channel.
func alphaBits(img image.Image) []uint8 {
	n, ok := img.(*image.NRGBA)
	if !ok {
		return nil
	}
	b := n.Bounds()
	var bits []uint8
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			bits = append(bits, n.NRGBAAt(x, y).A&1)
		}
	}
	return bits
}

// toNRGBA returns the image's non-premultiplied pixels, converting each
// pixel only when the decoder's type has no direct path.
func toNRGBA(img image.Image) *image.NRGBA {
	switch m := img.(type) {
	case *image.NRGBA:
		return m
	case *image.RGBA:
		opaque := true
		for i := 3; i < len(m.Pix); i += 4 {
			opaque = opaque && m.Pix[i] == 0xff
		}
		if opaque {
			return &image.NRGBA{Pix: m.Pix, Stride: m.Stride, Rect: m.Rect}
		}
	}
	b := img.Bounds()
	out := image.NewNRGBA(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			out.SetNRGBA(x, y, color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA))
		}
	}
	return out
}

// rgbBits returns the LSBs of R, G, B of each pixel, row-major.
func rgbBits(img image.Image) []uint8 {
	n := toNRGBA(img)
	b := n.Bounds()
	bits := make([]uint8, 0, 3*b.Dx()*b.Dy())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row := n.Pix[n.PixOffset(b.Min.X, y):n.PixOffset(b.Max.X, y)]
		for i := 0; i < len(row); i += 4 {
			bits = append(bits, row[i]&1, row[i+1]&1, row[i+2]&1)
		}
	}
	return bits
}

// indexBits returns the palette index LSBs row-major, or nil for a direct-colour image.
func indexBits(img image.Image) []uint8 {
	p, ok := img.(*image.Paletted)
	if !ok {
		return nil
	}
	b := p.Bounds()
	var bits []uint8
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			bits = append(bits, p.ColorIndexAt(x, y)&1)
		}
	}
	return bits
}

// exifPayload finds the EXIF block of a JPEG (APP1 "Exif\0\0") or PNG (eXIf),
// returns the UserComment of its Exif IFD, and the file with the block removed.
func exifPayload(data []byte) (comment, rest []byte, err error) {
	var tiff []byte
	switch {
	case bytes.HasPrefix(data, []byte{0xff, 0xd8}):
		for p := 2; p+4 <= len(data) && data[p] == 0xff; {
			marker := data[p+1]
			n := int(binary.BigEndian.Uint16(data[p+2:]))
			if marker == 0xda || p+2+n > len(data) {
				break
			}
			seg := data[p+4 : p+2+n]
			if marker == 0xe1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
				tiff = seg[6:]
				rest = append(append([]byte(nil), data[:p]...), data[p+2+n:]...)
				break
			}
			p += 2 + n
		}
	case bytes.HasPrefix(data, pngSignature):
		for p := 8; p+12 <= len(data); {
			n := int(binary.BigEndian.Uint32(data[p:]))
			if p+12+n > len(data) {
				break
			}
			if string(data[p+4:p+8]) == "eXIf" {
				tiff = data[p+8 : p+8+n]
				rest = append(append([]byte(nil), data[:p]...), data[p+12+n:]...)
				break
			}
			p += 12 + n
		}
	}
	if tiff == nil {
		return nil, nil, errors.New("no EXIF block")
	}
	comment, err = userComment(tiff)
	return comment, rest, err
}

// userComment follows IFD0's ExifIFD pointer to the UserComment value.
func userComment(tiff []byte) ([]byte, error) {
	if len(tiff) < 8 {
		return nil, errors.New("short TIFF header")
	}
	var bo binary.ByteOrder
	switch string(tiff[:2]) {
	case "MM":
		bo = binary.BigEndian
	case "II":
		bo = binary.LittleEndian
	default:
		return nil, fmt.Errorf("bad byte order %q", tiff[:2])
	}
	entry := func(ifd uint32, tag uint16) (typ uint16, count, value uint32, err error) {
		if int(ifd)+2 > len(tiff) {
			return 0, 0, 0, fmt.Errorf("IFD at %d outside the block", ifd)
		}
		n := int(bo.Uint16(tiff[ifd:]))
		for i := range n {
			e := int(ifd) + 2 + 12*i
			if e+12 > len(tiff) {
				break
			}
			if bo.Uint16(tiff[e:]) == tag {
				return bo.Uint16(tiff[e+2:]), bo.Uint32(tiff[e+4:]), bo.Uint32(tiff[e+8:]), nil
			}
		}
		return 0, 0, 0, fmt.Errorf("tag %#x not in IFD at %d", tag, ifd)
	}
	_, _, exifIFD, err := entry(bo.Uint32(tiff[4:]), tagExifIFD)
	if err != nil {
		return nil, err
	}
	typ, count, off, err := entry(exifIFD, tagUserComment)
	if err != nil {
		return nil, err
	}
	if typ != typeUndefined || int(off)+int(count) > len(tiff) || count <= 4 {
		return nil, fmt.Errorf("UserComment type %d count %d offset %d", typ, count, off)
	}
	return tiff[off : off+count], nil
}

// imageEnd returns the length of the image proper: up to JPEG's FF D9, PNG's
// IEND chunk, GIF's trailer, or the size a BMP header declares.
func imageEnd(data []byte) (int, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xff, 0xd8}):
		return jpegEnd(data)
	case bytes.HasPrefix(data, pngSignature):
		if i := bytes.Index(data, []byte("IEND")); i >= 4 {
			return i + 8, nil
		}
	case bytes.HasPrefix(data, []byte("GIF8")):
		return gifEnd(data)
	case bytes.HasPrefix(data, []byte("BM")) && len(data) >= 6:
		return int(binary.LittleEndian.Uint32(data[2:])), nil
	}
	return 0, errors.New("no end of image found")
}

// gifEnd walks the GIF blocks to the trailer.
func gifEnd(d []byte) (int, error) {
	if len(d) < 13 {
		return 0, errors.New("short GIF")
	}
	p := 13
	if d[10]&0x80 != 0 {
		p += 3 << (d[10]&7 + 1)
	}
	skipSub := func() error {
		for p < len(d) && d[p] != 0 {
			p += int(d[p]) + 1
		}
		p++
		if p > len(d) {
			return errors.New("GIF sub-blocks run past the end")
		}
		return nil
	}
	for p < len(d) {
		switch d[p] {
		case 0x3b:
			return p + 1, nil
		case 0x21:
			p += 2
			if err := skipSub(); err != nil {
				return 0, err
			}
		case 0x2c:
			if p+10 > len(d) {
				return 0, errors.New("short image descriptor")
			}
			flags := d[p+9]
			p += 10
			if flags&0x80 != 0 {
				p += 3 << (flags&7 + 1)
			}
			p++ // LZW minimum code size
			if err := skipSub(); err != nil {
				return 0, err
			}
		default:
			return 0, fmt.Errorf("unknown GIF block %#x at %d", d[p], p)
		}
	}
	return 0, errors.New("no GIF trailer")
}

// jpegEnd walks the marker segments, then the entropy-coded data (where 0xFF
// is always followed by 0x00 or a restart marker) to the EOI marker.
func jpegEnd(d []byte) (int, error) {
	p := 2
	for p+4 <= len(d) {
		if d[p] != 0xff {
			return 0, fmt.Errorf("no marker at %d", p)
		}
		marker := d[p+1]
		if marker == 0xd9 {
			return p + 2, nil
		}
		p += 2 + int(binary.BigEndian.Uint16(d[p+2:]))
		if marker != 0xda {
			continue
		}
		for p+1 < len(d) && !(d[p] == 0xff && d[p+1] != 0 && (d[p+1] < 0xd0 || d[p+1] > 0xd7)) {
			p++
		}
	}
	return 0, errors.New("no EOI marker")
}
