package demo

import (
	"bytes"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
)

// jpegQuality is the quality of every JPEG written.
const jpegQuality = 90

var pngEncoder = png.Encoder{CompressionLevel: png.BestSpeed}

func encodePNG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	err := pngEncoder.Encode(&buf, img)
	return buf.Bytes(), err
}

func encodeJPEG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: jpegQuality})
	return buf.Bytes(), err
}

// encodeGIF writes a paletted picture with its own palette, unchanged.
func encodeGIF(img *image.Paletted) ([]byte, error) {
	var buf bytes.Buffer
	err := gif.Encode(&buf, img, &gif.Options{NumColors: len(img.Palette)})
	return buf.Bytes(), err
}
