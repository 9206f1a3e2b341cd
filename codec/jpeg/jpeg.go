// Package jpeg is a pure-Go JPEG decoder whose output is bit-identical to
// libjpeg-turbo's default decoding as Pillow uses it: Image.open(f) followed
// by convert("RGB"). That means the accurate integer IDCT (JDCT_ISLOW),
// "fancy" triangle-filter chroma upsampling with libjpeg's edge handling,
// libjpeg's YCbCr->RGB tables, block smoothing for incomplete progressive
// files, and Pillow's CMYK handling (inverted "CMYK;I" raw mode, then its
// cmyk2rgb conversion).
//
// Baseline, extended sequential and progressive Huffman-coded files with
// 8-bit samples and 1, 3 or 4 components are supported, with restart
// intervals. Arithmetic coding, lossless and hierarchical JPEG are reported
// as codec.ErrUnsupported. Truncated or corrupt entropy-coded data is an
// error (libjpeg would pad it with zeros).
//
// The reference is Pillow 9.x with the libjpeg-turbo 2.1.x it bundles; the
// releases differ only in block smoothing near the image edges, where
// libjpeg-turbo 3.0.1 changed the choice of neighbouring blocks, and the
// decoder follows 2.1.x there (see smoothRules).
// Out-of-range IDCT results on corrupt data follow the C code's range-limit
// table; libjpeg-turbo's SIMD paths saturate instead, so such pixels of
// broken files may differ.
package jpeg

import (
	"fmt"

	"github.com/starlight/dataserver/codec"
)

// maxScans bounds the number of scans (SOS markers) one file may hold; real
// progressive files use about a dozen.
const maxScans = 300

// DecodeConfig reads the header up to the frame (SOF) marker and reports the
// size and the Pillow mode, without decoding or allocating pixels.
func DecodeConfig(data []byte) (cfg codec.Config, err error) {
	var d decoder
	d.data = data
	if err := d.readHeader(true); err != nil {
		return codec.Config{}, err
	}
	return d.config(), nil
}

// Decode decodes a whole JPEG file into interleaved RGB exactly as Pillow's
// Image.open(f).convert("RGB") does. The frame size is checked against lim
// (codec.DefaultLimits when lim is the zero value) before anything large is
// allocated.
func Decode(data []byte, lim codec.Limits) (*codec.Image, error) {
	return decode(data, lim, smoothTurbo21)
}

// decode is Decode with the block smoothing rules of the given
// libjpeg-turbo release.
func decode(data []byte, lim codec.Limits, rules smoothRules) (img *codec.Image, err error) {
	d := getDecoder(data, lim)
	defer putDecoder(d)
	d.smooth = rules
	if err := d.decode(); err != nil {
		return nil, err
	}
	rgb, err := d.output()
	if err != nil {
		return nil, err
	}
	return &codec.Image{Config: d.config(), RGB: rgb}, nil
}

// config reports the header facts in Pillow's terms.
func (d *decoder) config() codec.Config {
	mode := codec.ModeRGB
	switch d.ncomp {
	case 1:
		mode = codec.ModeL
	case 4:
		mode = codec.ModeCMYK
	}
	return codec.Config{Format: codec.FormatJPEG, Mode: mode, Width: d.width, Height: d.height}
}

// errFormat returns an error wrapping codec.ErrFormat with a jpeg: prefix.
func errFormat(format string, args ...any) error {
	return fmt.Errorf("%w: jpeg: %s", codec.ErrFormat, fmt.Sprintf(format, args...))
}

// errUnsupported returns an error wrapping codec.ErrUnsupported.
func errUnsupported(format string, args ...any) error {
	return fmt.Errorf("%w: jpeg: %s", codec.ErrUnsupported, fmt.Sprintf(format, args...))
}

// errTruncated reports entropy-coded data that ends before the image does.
func errTruncated(what string) error {
	return fmt.Errorf("%w: jpeg: truncated or corrupt data in %s", codec.ErrFormat, what)
}
