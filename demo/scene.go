package demo

import (
	"image"
	"image/color"
	"math"
)

// scene paints a natural-looking opaque picture: a two-colour gradient at a
// random angle, a few soft-edged discs and boxes, a vignette, and sensor-like
// noise of the given amplitude, so that the pixel LSBs look random.
func scene(r *rng, w, h, noise int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	c0, c1 := randColor(r), randColor(r)
	angle := r.float() * 2 * math.Pi
	dx, dy := math.Cos(angle), math.Sin(angle)
	span := math.Abs(dx)*float64(w) + math.Abs(dy)*float64(h)
	origin := math.Min(0, dx*float64(w)) + math.Min(0, dy*float64(h))
	shapes := make([]shape, r.rangeInt(3, 6))
	for i := range shapes {
		shapes[i] = randShape(r, w, h)
	}
	cx, cy := float64(w)/2, float64(h)/2
	diag2 := cx*cx + cy*cy
	var px [3]float64
	for y := range h {
		for x := range w {
			fx, fy := float64(x)+0.5, float64(y)+0.5
			t := (fx*dx + fy*dy - origin) / span
			for c := range 3 {
				px[c] = float64(c0[c]) + t*(float64(c1[c])-float64(c0[c]))
			}
			for i := range shapes {
				shapes[i].paint(fx, fy, &px)
			}
			v := 1 - 0.25*((fx-cx)*(fx-cx)+(fy-cy)*(fy-cy))/diag2
			n := r.next()
			o := img.PixOffset(x, y)
			for c := range 3 {
				// A triangular noise of +-noise from two uniform draws.
				a := int(n>>(16*c)) & 0xff
				b := int(n>>(16*c+8)) & 0xff
				jitter := ((a + b) - 255) * noise / 255
				img.Pix[o+c] = clamp8(int(px[c]*v+0.5) + jitter)
			}
			img.Pix[o+3] = 0xff
		}
	}
	return img
}

// shape is a soft disc or box of one colour.
type shape struct {
	box            bool
	cx, cy, rx, ry float64
	col            [3]float64
	opacity        float64
}

func randShape(r *rng, w, h int) shape {
	c := randColor(r)
	return shape{
		box:     r.intn(3) == 0,
		cx:      r.float() * float64(w),
		cy:      r.float() * float64(h),
		rx:      (0.05 + 0.25*r.float()) * float64(w),
		ry:      (0.05 + 0.25*r.float()) * float64(h),
		col:     [3]float64{float64(c[0]), float64(c[1]), float64(c[2])},
		opacity: 0.3 + 0.5*r.float(),
	}
}

// paint blends the shape over px at (x, y) with a soft edge of about two pixels.
func (s *shape) paint(x, y float64, px *[3]float64) {
	var inside float64
	if math.Abs(x-s.cx) > s.rx+2 || math.Abs(y-s.cy) > s.ry+2 {
		return
	}
	if s.box {
		inside = math.Min(s.rx-math.Abs(x-s.cx), s.ry-math.Abs(y-s.cy))
	} else {
		d := math.Hypot((x-s.cx)/s.rx, (y-s.cy)/s.ry)
		inside = (1 - d) * math.Min(s.rx, s.ry)
	}
	cover := math.Max(0, math.Min(1, inside/2+0.5)) * s.opacity
	if cover == 0 {
		return
	}
	for c := range 3 {
		px[c] += (s.col[c] - px[c]) * cover
	}
}

// softAlpha gives an opaque picture an alpha channel that fades from opaque in
// the middle to about a quarter towards the corners, with a little noise.
func softAlpha(r *rng, img *image.NRGBA) {
	b := img.Bounds()
	cx, cy := float64(b.Dx())/2, float64(b.Dy())/2
	for y := range b.Dy() {
		for x := range b.Dx() {
			d := math.Hypot((float64(x)+0.5-cx)/cx, (float64(y)+0.5-cy)/cy)
			a := 255 - math.Max(0, d-0.55)*260 + float64(r.intn(5)-2)
			img.Pix[img.PixOffset(x, y)+3] = clamp8(int(a))
		}
	}
}

func randColor(r *rng) [3]uint8 {
	return [3]uint8{uint8(r.rangeInt(20, 235)), uint8(r.rangeInt(20, 235)), uint8(r.rangeInt(20, 235))}
}

func clamp8(v int) uint8 {
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return uint8(v)
}

// opaqueColor returns the colour of an opaque NRGBA pixel.
func opaqueColor(img *image.NRGBA, x, y int) color.NRGBA {
	o := img.PixOffset(x, y)
	return color.NRGBA{img.Pix[o], img.Pix[o+1], img.Pix[o+2], 0xff}
}
