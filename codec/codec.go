// Package codec holds the types shared by the image decoders: the decoded
// image in Pillow's terms, the header-only configuration, and the limits a
// decoder checks before any large allocation.
package codec

import (
	"errors"
	"fmt"
)

// Format is an image container format, named as Pillow names it.
type Format string

// The formats the server reads.
const (
	FormatPNG  Format = "PNG"
	FormatJPEG Format = "JPEG"
	FormatGIF  Format = "GIF"
	FormatWEBP Format = "WEBP"
	FormatBMP  Format = "BMP"
)

// Mode is a Pillow image mode ("1", "L", "LA", "I", "P", "RGB", "RGBA", "CMYK").
type Mode string

// The Pillow modes a decoder may report.
const (
	Mode1    Mode = "1"
	ModeL    Mode = "L"
	ModeLA   Mode = "LA"
	ModeI    Mode = "I"
	ModeP    Mode = "P"
	ModeRGB  Mode = "RGB"
	ModeRGBA Mode = "RGBA"
	ModeCMYK Mode = "CMYK"
)

// Config is what a header tells without decoding pixels.
type Config struct {
	Format Format
	Mode   Mode
	Width  int
	Height int
}

// Image is one decoded image as Pillow's open followed by convert("RGB") sees it.
type Image struct {
	Config
	// RGB holds Width*Height*3 bytes, row-major, interleaved R,G,B: exactly
	// what Pillow's convert("RGB") produces for this file.
	RGB []uint8
	// Alpha holds Width*Height full alpha values when Mode is RGBA (or LA),
	// nil otherwise.
	Alpha []uint8
	// Index holds Width*Height raw palette indices when Mode is P, and the
	// raw grey values of a GIF that Pillow opens as L; nil otherwise.
	Index []uint8
	// Palette holds the RGB triplets Pillow's getpalette() returns for a P
	// image (3 bytes per entry, as many entries as the file declares), the
	// grey ramp 0..255 for a GIF opened as L; nil otherwise.
	Palette []uint8
}

// Limits bound what a decoder may allocate; checked from the header first.
type Limits struct {
	// MaxPixels is the largest Width*Height accepted.
	MaxPixels int64
	// MaxDimension is the largest single side accepted.
	MaxDimension int
}

// DefaultLimits are the limits used when none are given: 64 Mpixel, 32768 a side.
var DefaultLimits = Limits{MaxPixels: 64 << 20, MaxDimension: 1 << 15}

// ErrTooLarge reports an image whose header declares more than the limits allow.
var ErrTooLarge = errors.New("image too large")

// ErrFormat reports data that is not a valid image of the expected format.
var ErrFormat = errors.New("invalid image data")

// ErrUnsupported reports a valid image using a feature the decoder does not implement.
var ErrUnsupported = errors.New("unsupported image feature")

// Check returns an error wrapping ErrTooLarge when w x h is outside the limits,
// or ErrFormat when a side is not positive.
func (l Limits) Check(w, h int) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("%w: non-positive size %dx%d", ErrFormat, w, h)
	}
	if l.MaxDimension > 0 && (w > l.MaxDimension || h > l.MaxDimension) {
		return fmt.Errorf("%w: %dx%d exceeds %d pixels a side", ErrTooLarge, w, h, l.MaxDimension)
	}
	if l.MaxPixels > 0 && int64(w)*int64(h) > l.MaxPixels {
		return fmt.Errorf("%w: %dx%d exceeds %d pixels", ErrTooLarge, w, h, l.MaxPixels)
	}
	return nil
}

// Errorf returns an error wrapping ErrFormat with a formatted reason.
func Errorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrFormat, fmt.Sprintf(format, args...))
}
