package jpeg

// Upsampling of the component planes to full size, as libjpeg-turbo's
// jdsample.c does with do_fancy_upsampling: triangle filters for 2:1
// horizontal (h2v1), 2:1 vertical (h1v2) and 2:1 both ways (h2v2), box
// replication for every other integral ratio and for components at most
// two samples wide. Rows above the first and below the last real row of a
// component are replaced by that row, as jdmainct.c's context pointers do.

// Per-component upsampling methods.
const (
	upFull = iota
	upH2V1
	upH1V2
	upH2V2
	upBox
)

// upsampler is the method chosen for one component.
type upsampler struct {
	method int
	hx, vy int // box expansion factors
}

// planUpsampling chooses each component's method exactly as jinit_upsampler
// does and rejects non-integral sampling ratios.
func (d *decoder) planUpsampling() error {
	for i := 0; i < d.ncomp; i++ {
		c := &d.comp[i]
		u := &d.up[i]
		h, v := c.h, c.v
		switch {
		case h == d.hmax && v == d.vmax:
			u.method = upFull
		case 2*h == d.hmax && v == d.vmax:
			if c.dw > 2 {
				u.method = upH2V1
			} else {
				u.method, u.hx, u.vy = upBox, 2, 1
			}
		case h == d.hmax && 2*v == d.vmax:
			u.method = upH1V2
		case 2*h == d.hmax && 2*v == d.vmax:
			if c.dw > 2 {
				u.method = upH2V2
			} else {
				u.method, u.hx, u.vy = upBox, 2, 2
			}
		case d.hmax%h == 0 && d.vmax%v == 0:
			u.method, u.hx, u.vy = upBox, d.hmax/h, d.vmax/v
		default:
			return errUnsupported("fractional sampling ratio %dx%d of %dx%d", h, v, d.hmax, d.vmax)
		}
	}
	return nil
}

// row returns component i's samples for output row y at full size, using
// buf as scratch when the component needs upsampling.
func (d *decoder) row(i, y int, buf []byte) []byte {
	c := &d.comp[i]
	u := &d.up[i]
	w := d.width
	switch u.method {
	case upFull:
		return c.plane[y*c.stride : y*c.stride+w]
	case upH2V1:
		in := c.plane[y*c.stride : y*c.stride+c.dw]
		fancyH2V1(in, buf[:2*c.dw])
		return buf[:w]
	case upH1V2:
		near, far, bias := c.vertical(y)
		for x := 0; x < c.dw; x++ {
			buf[x] = byte((3*int32(near[x]) + int32(far[x]) + bias) >> 2)
		}
		return buf[:w]
	case upH2V2:
		near, far, _ := c.vertical(y)
		fancyH2V2(near, far, buf[:2*c.dw])
		return buf[:w]
	}
	in := c.plane[(y/u.vy)*c.stride:]
	hx := u.hx
	for x := 0; x < w; x++ {
		buf[x] = in[x/hx]
	}
	return buf[:w]
}

// vertical returns, for output row y of a component upsampled 2:1
// vertically, its nearer input row, the next nearer one (the row above for
// even y, below for odd y, clamped to the component's real rows) and the
// rounding bias h1v2 uses for that row.
func (c *component) vertical(y int) (near, far []byte, bias int32) {
	r := y >> 1
	f := r + 1
	bias = 2
	if y&1 == 0 {
		f = r - 1
		bias = 1
	}
	f = min(max(f, 0), c.dh-1)
	return c.plane[r*c.stride : r*c.stride+c.dw], c.plane[f*c.stride : f*c.stride+c.dw], bias
}

// fancyH2V1 doubles one row horizontally with the triangle filter
// (h2v1_fancy_upsample); len(in) >= 3 and len(out) == 2*len(in).
func fancyH2V1(in, out []byte) {
	n := len(in)
	out = out[:2*n]
	v := int32(in[0])
	out[0] = in[0]
	out[1] = byte((v*3 + int32(in[1]) + 2) >> 2)
	for i := 1; i < n-1; i++ {
		v = int32(in[i]) * 3
		out[2*i] = byte((v + int32(in[i-1]) + 1) >> 2)
		out[2*i+1] = byte((v + int32(in[i+1]) + 2) >> 2)
	}
	v = int32(in[n-1])
	out[2*n-2] = byte((v*3 + int32(in[n-2]) + 1) >> 2)
	out[2*n-1] = in[n-1]
}

// fancyH2V2 produces one output row of h2v2_fancy_upsample from the nearer
// and the next nearer input rows; len(near) >= 3 and len(out) == 2*len(near).
func fancyH2V2(near, far, out []byte) {
	n := len(near)
	far = far[:n]
	out = out[:2*n]
	this := int32(near[0])*3 + int32(far[0])
	next := int32(near[1])*3 + int32(far[1])
	out[0] = byte((this*4 + 8) >> 4)
	out[1] = byte((this*3 + next + 7) >> 4)
	last := this
	this = next
	for i := 1; i < n-1; i++ {
		next = int32(near[i+1])*3 + int32(far[i+1])
		out[2*i] = byte((this*3 + last + 8) >> 4)
		out[2*i+1] = byte((this*3 + next + 7) >> 4)
		last = this
		this = next
	}
	out[2*n-2] = byte((this*3 + last + 8) >> 4)
	out[2*n-1] = byte((this*4 + 7) >> 4)
}
