package demo

import (
	"fmt"
	"image"
)

// form is how a picture is stored: container and colour type.
type form int

// The storage forms used in the tree.
const (
	formRGBPNG     form = iota // 8-bit RGB PNG
	formRGBAPNG                // 8-bit RGBA PNG
	formPalettePNG             // 8-bit paletted PNG
	formGIF                    // paletted GIF
	formJPEG                   // baseline JPEG
	formBMP24                  // 24-bit BMP
	formBMP8                   // 8-bit paletted BMP
)

// ext returns the file extension of the form, with its dot.
func (f form) ext() string {
	switch f {
	case formGIF:
		return ".gif"
	case formJPEG:
		return ".jpg"
	case formBMP24, formBMP8:
		return ".bmp"
	}
	return ".png"
}

// format returns the container's name as the summary counts it.
func (f form) format() string {
	switch f {
	case formGIF:
		return "gif"
	case formJPEG:
		return "jpeg"
	case formBMP24, formBMP8:
		return "bmp"
	}
	return "png"
}

// paletted tells whether the form stores palette indices.
func (f form) paletted() bool { return f == formPalettePNG || f == formGIF || f == formBMP8 }

// encode writes a picture in the form: rgb for direct-colour forms, pal for paletted ones.
func (f form) encode(rgb *image.NRGBA, pal *image.Paletted) ([]byte, error) {
	switch f {
	case formRGBPNG, formRGBAPNG:
		return encodePNG(rgb)
	case formPalettePNG:
		return encodePNG(pal)
	case formGIF:
		return encodeGIF(pal)
	case formJPEG:
		return encodeJPEG(rgb)
	case formBMP24:
		return encodeBMP24(rgb), nil
	case formBMP8:
		return encodeBMP8(pal), nil
	}
	return nil, fmt.Errorf("demo: unknown form %d", f)
}
