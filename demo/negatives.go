package demo

import (
	"fmt"
	"image"
)

// negative draws and encodes a negative: an image with no payload in any of
// the five places a payload could hide.
func negative(seed uint64, sub string, n negativePlan) ([]byte, form, error) {
	r := newRNG(seed, sub+"/negatives/"+n.folder+"/"+n.file)
	switch n.kind {
	case negNoise:
		return encoded(formRGBPNG, scene(r, n.w, n.h, 40), nil)
	case negNoiseGIF:
		return encoded(formGIF, nil, quantize(scene(r, n.w, n.h, 40)))
	case negPlain:
		return encoded(formRGBPNG, scene(r, n.w, n.h, 10), nil)
	case negUniformAlpha:
		img := scene(r, n.w, n.h, 10)
		for i := 3; i < len(img.Pix); i += 4 {
			img.Pix[i] = uint8(n.param)
		}
		return encoded(formRGBAPNG, img, nil)
	case negPattern:
		return encoded(formRGBPNG, tiles(r, n.w, n.h, uint8(n.param&1)), nil)
	}
	return nil, 0, fmt.Errorf("demo: unknown negative kind %d for %s", n.kind, n.file)
}

func encoded(f form, rgb *image.NRGBA, pal *image.Paletted) ([]byte, form, error) {
	b, err := f.encode(rgb, pal)
	return b, f, err
}

// tiles draws a repeating motif of a few colours whose channel values all
// have the given LSB, so the LSB planes are constant and spell nothing.
func tiles(r *rng, w, h int, lsb uint8) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	cols := make([][3]uint8, r.rangeInt(2, 4))
	for i := range cols {
		cols[i] = randColor(r)
		for c := range 3 {
			cols[i][c] = cols[i][c]&^1 | lsb
		}
	}
	size := r.rangeInt(6, 24)
	motif := r.intn(3)
	for y := range h {
		for x := range w {
			tx, ty := x%size, y%size
			var k int
			switch motif {
			case 0: // checker
				k = (x/size + y/size) % len(cols)
			case 1: // diagonal stripes
				k = ((x + y) / (size / 2)) % len(cols)
			default: // nested squares inside each tile
				d := max(abs(2*tx-size+1), abs(2*ty-size+1)) / 2
				k = (d / 3) % len(cols)
			}
			o := img.PixOffset(x, y)
			img.Pix[o], img.Pix[o+1], img.Pix[o+2], img.Pix[o+3] = cols[k][0], cols[k][1], cols[k][2], 0xff
		}
	}
	return img
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
