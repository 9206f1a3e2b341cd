package reliability

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
)

// pngChunk appends one chunk with its length and CRC.
func pngChunk(b []byte, typ string, data []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	start := len(b)
	b = append(append(b, typ...), data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[start:]))
}

func ihdr(w, h uint32, depth, colorType byte) []byte {
	d := binary.BigEndian.AppendUint32(nil, w)
	d = binary.BigEndian.AppendUint32(d, h)
	return append(d, depth, colorType, 0, 0, 0)
}

// bombPNG is a complete, tiny RGB PNG whose IHDR declares w x h.
func bombPNG(w, h uint32) []byte {
	b := []byte("\x89PNG\r\n\x1a\n")
	b = pngChunk(b, "IHDR", ihdr(w, h, 8, 2))
	b = pngChunk(b, "IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	return pngChunk(b, "IEND", nil)
}

// deflatePNG is a valid black RGB PNG of w x h: a decompression bomb whose
// size on disk is about a thousandth of its pixels.
func deflatePNG(w, h int) []byte {
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	row := make([]byte, 1+3*w)
	for y := 0; y < h; y++ {
		zw.Write(row)
	}
	zw.Close()
	b := []byte("\x89PNG\r\n\x1a\n")
	b = pngChunk(b, "IHDR", ihdr(uint32(w), uint32(h), 8, 2))
	for d := z.Bytes(); len(d) > 0; {
		n := min(len(d), 1<<20)
		b = pngChunk(b, "IDAT", d[:n])
		d = d[n:]
	}
	return pngChunk(b, "IEND", nil)
}

// withEXIfPNG inserts an eXIf chunk (the TIFF part of exif) after IHDR.
func withEXIfPNG(png, exif []byte) []byte {
	const afterIHDR = 8 + 25
	out := append([]byte{}, png[:afterIHDR]...)
	out = pngChunk(out, "eXIf", bytes.TrimPrefix(exif, []byte("Exif\x00\x00")))
	return append(out, png[afterIHDR:]...)
}

// gifScreenBomb is a GIF whose logical screen is w x h (Pillow's size)
// holding a single 1x1 frame.
func gifScreenBomb(w, h uint16) []byte {
	b := []byte("GIF89a")
	b = binary.LittleEndian.AppendUint16(b, w)
	b = binary.LittleEndian.AppendUint16(b, h)
	b = append(b, 0x80, 0, 0, 0, 0, 0, 255, 255, 255) // 2-colour global table
	b = append(b, 0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0)
	b = append(b, 2, 2, 0x44, 0x01, 0)
	return append(b, 0x3B)
}

// gifFrameBomb is a 1x1 GIF whose one frame declares w x h.
func gifFrameBomb(w, h uint16) []byte {
	b := []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff")
	b = append(b, 0x2C, 0, 0, 0, 0)
	b = binary.LittleEndian.AppendUint16(b, w)
	b = binary.LittleEndian.AppendUint16(b, h)
	b = append(b, 0, 2, 2, 0x44, 0x01, 0)
	return append(b, 0x3B)
}

// manyFrameGIF is a valid animated 256x256 GIF of n frames, each a small
// patch at its own place.
func manyFrameGIF(n int) []byte {
	pal := color.Palette{color.Black, color.White, color.RGBA{200, 30, 30, 255}, color.RGBA{30, 30, 200, 255}}
	g := &gif.GIF{Config: image.Config{ColorModel: pal, Width: 256, Height: 256}}
	for i := 0; i < n; i++ {
		x, y := (i*37)%248, (i*91)%248
		m := image.NewPaletted(image.Rect(x, y, x+8, y+8), pal)
		for j := range m.Pix {
			m.Pix[j] = uint8((i + j) % len(pal))
		}
		g.Image = append(g.Image, m)
		g.Delay = append(g.Delay, 1)
		g.Disposal = append(g.Disposal, gif.DisposalNone)
	}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, g); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// riff wraps WebP chunks in a RIFF header with a correct size.
func riff(chunks ...[]byte) []byte {
	body := []byte("WEBP")
	for _, c := range chunks {
		body = append(body, c...)
	}
	b := []byte("RIFF")
	b = binary.LittleEndian.AppendUint32(b, uint32(len(body)))
	return append(b, body...)
}

// webpChunk is one RIFF chunk, padded to an even size.
func webpChunk(fourcc string, data []byte) []byte {
	b := []byte(fourcc)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(data)))
	b = append(b, data...)
	if len(data)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

// put24 appends v as 24 bits little endian.
func put24(b []byte, v uint32) []byte { return append(b, byte(v), byte(v>>8), byte(v>>16)) }

// webpVP8XBomb is an extended WebP whose canvas is 2^24 x 2^24 over a 1x1
// lossless image.
func webpVP8XBomb() []byte {
	x := []byte{0, 0, 0, 0}
	x = put24(x, 1<<24-1)
	x = put24(x, 1<<24-1)
	return riff(webpChunk("VP8X", x), webpChunk("VP8L", vp8lHeader(1, 1)))
}

// vp8lHeader is a VP8L bitstream header declaring w x h followed by a few
// zero bytes (not a decodable image).
func vp8lHeader(w, h uint32) []byte {
	v := uint32(w-1) | uint32(h-1)<<14
	b := []byte{0x2F}
	b = binary.LittleEndian.AppendUint32(b, v)
	return append(b, make([]byte, 8)...)
}

// webpVP8Bomb is a lossy WebP whose key-frame header declares w x h (14 bits each).
func webpVP8Bomb(w, h uint16) []byte {
	d := []byte{0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A} // key frame, first partition 16 bytes
	d = binary.LittleEndian.AppendUint16(d, w&0x3FFF)
	d = binary.LittleEndian.AppendUint16(d, h&0x3FFF)
	d = append(d, make([]byte, 24)...)
	return riff(webpChunk("VP8 ", d))
}

// webpVP8LBomb is a lossless WebP declaring w x h.
func webpVP8LBomb(w, h uint32) []byte {
	return riff(webpChunk("VP8L", vp8lHeader(w, h)))
}

// withEXIFWebP adds an EXIF chunk to an extended (VP8X) WebP and sets its
// EXIF flag; nil when webp is not extended.
func withEXIFWebP(webp, exif []byte) []byte {
	if len(webp) < 30 || string(webp[12:16]) != "VP8X" {
		return nil
	}
	out := append([]byte{}, webp...)
	out[20] |= 0x08
	out = append(out, webpChunk("EXIF", bytes.TrimPrefix(exif, []byte("Exif\x00\x00")))...)
	binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
	return out
}

// bmpBomb is a BMP with a BITMAPINFOHEADER declaring w x h at bpp bits and
// a few bytes of pixels.
func bmpBomb(w, h int32, bpp uint16) []byte {
	b := []byte("BM")
	b = binary.LittleEndian.AppendUint32(b, 14+40+16)
	b = append(b, 0, 0, 0, 0)
	b = binary.LittleEndian.AppendUint32(b, 14+40)
	b = binary.LittleEndian.AppendUint32(b, 40)
	b = binary.LittleEndian.AppendUint32(b, uint32(w))
	b = binary.LittleEndian.AppendUint32(b, uint32(h))
	b = binary.LittleEndian.AppendUint16(b, 1)
	b = binary.LittleEndian.AppendUint16(b, bpp)
	b = append(b, make([]byte, 24)...)
	return append(b, make([]byte, 16)...)
}
