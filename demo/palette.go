package demo

import (
	"image"
	"image/color"
)

// Palette levels per channel: 4 x 8 x 4 = 128 base colours, each followed by a
// near twin, so that flipping an index LSB moves a pixel to a colour a few
// steps away, as palette steganography tools arrange it.
const (
	levelsR, levelsG, levelsB = 4, 8, 4
	twinStep                  = 6
)

// twinPalette returns the 256-colour palette: entry 2i is base colour i and
// entry 2i+1 its twin.
func twinPalette() color.Palette {
	pal := make(color.Palette, 0, 256)
	for ri := range levelsR {
		for gi := range levelsG {
			for bi := range levelsB {
				base := [3]int{ri * 255 / (levelsR - 1), gi * 255 / (levelsG - 1), bi * 255 / (levelsB - 1)}
				pal = append(pal, color.RGBA{uint8(base[0]), uint8(base[1]), uint8(base[2]), 0xff})
				var twin [3]uint8
				for c, v := range base {
					if v+twinStep > 255 {
						twin[c] = uint8(v - twinStep)
					} else {
						twin[c] = uint8(v + twinStep)
					}
				}
				pal = append(pal, color.RGBA{twin[0], twin[1], twin[2], 0xff})
			}
		}
	}
	return pal
}

// bayer4 is the 4x4 ordered-dither matrix, scaled to 0..15.
var bayer4 = [4][4]int{{0, 8, 2, 10}, {12, 4, 14, 6}, {3, 11, 1, 9}, {15, 7, 13, 5}}

// quantize maps an opaque picture onto the twin palette with ordered
// dithering; of each base colour and its twin it takes the nearer one.
func quantize(img *image.NRGBA) *image.Paletted {
	b := img.Bounds()
	pal := twinPalette()
	out := image.NewPaletted(b, pal)
	levels := [3]int{levelsR, levelsG, levelsB}
	for y := range b.Dy() {
		for x := range b.Dx() {
			c := opaqueColor(img, x, y)
			v := [3]int{int(c.R), int(c.G), int(c.B)}
			var li [3]int
			for ch := range 3 {
				step := 255 / (levels[ch] - 1)
				d := v[ch] + (bayer4[y&3][x&3]-8)*step/16
				li[ch] = max(0, min(levels[ch]-1, (d*(levels[ch]-1)+127)/255))
			}
			base := ((li[0]*levelsG+li[1])*levelsB + li[2]) * 2
			if dist(pal[base+1], v) < dist(pal[base], v) {
				base++
			}
			out.Pix[out.PixOffset(x, y)] = uint8(base)
		}
	}
	return out
}

func dist(c color.Color, v [3]int) int {
	p := c.(color.RGBA)
	d := 0
	for ch, w := range [3]uint8{p.R, p.G, p.B} {
		e := int(w) - v[ch]
		d += e * e
	}
	return d
}
