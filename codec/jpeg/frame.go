package jpeg

import (
	"fmt"

	"github.com/starlight/dataserver/codec"
)

// maxDimension is libjpeg's JPEG_MAX_DIMENSION.
const maxDimension = 65500

// setupFrame runs at the first SOS marker: it checks the limits, derives
// the block geometry of every component and decides the colour space and
// the upsampling methods.
func (d *decoder) setupFrame() error {
	lim := d.lim
	if lim == (codec.Limits{}) {
		lim = codec.DefaultLimits
	}
	if err := lim.Check(d.width, d.height); err != nil {
		return fmt.Errorf("jpeg: %w", err)
	}
	if d.width > maxDimension || d.height > maxDimension {
		return fmt.Errorf("%w: jpeg: %dx%d exceeds libjpeg's %d pixels a side",
			codec.ErrTooLarge, d.width, d.height, maxDimension)
	}
	d.started = true
	d.hmax, d.vmax = 1, 1
	for i := 0; i < d.ncomp; i++ {
		d.hmax = max(d.hmax, d.comp[i].h)
		d.vmax = max(d.vmax, d.comp[i].v)
	}
	d.mcusX = ceilDiv(d.width, 8*d.hmax)
	d.mcusY = ceilDiv(d.height, 8*d.vmax)
	for i := 0; i < d.ncomp; i++ {
		c := &d.comp[i]
		c.dw = ceilDiv(d.width*c.h, d.hmax)
		c.dh = ceilDiv(d.height*c.v, d.vmax)
		c.bw = ceilDiv(c.dw, 8)
		c.bh = ceilDiv(c.dh, 8)
		c.pbw = d.mcusX * c.h
		c.pbh = d.mcusY * c.v
		c.stride = c.pbw * 8
	}
	d.colorSpace = d.chooseColorSpace()
	if err := d.planUpsampling(); err != nil {
		return err
	}
	return nil
}

// allocate checks, at the first scan, that a single-scan file holds enough
// entropy-coded data for its frame (every block takes at least two bits),
// so that a tiny file cannot make the decoder allocate for a huge frame,
// and then allocates the sample planes and, for a multi-scan file, the
// coefficient arrays.
func (d *decoder) allocate() error {
	blocks := d.comp[0].bw * d.comp[0].bh // a one-component scan codes real blocks
	if d.ncomp > 1 {
		blocks = 0 // an interleaved scan codes whole MCUs
		for i := 0; i < d.ncomp; i++ {
			blocks += d.comp[i].pbw * d.comp[i].pbh
		}
	}
	if !d.multiScan && 8*(len(d.data)-d.pos) < 2*blocks {
		return errTruncated(fmt.Sprintf("scan (%d bytes cannot code %d blocks)", len(d.data)-d.pos, blocks))
	}
	total := 0
	for i := 0; i < d.ncomp; i++ {
		total += d.comp[i].stride * d.comp[i].pbh * 8
	}
	buf := d.samples(total)
	for i := 0; i < d.ncomp; i++ {
		c := &d.comp[i]
		n := c.stride * c.pbh * 8
		c.plane, buf = buf[:n:n], buf[n:]
	}
	if d.multiScan {
		d.allocCoefficients()
	}
	return nil
}

// chooseColorSpace decides the coded colour space from the markers seen
// before the first scan, as libjpeg's default_decompress_parms does.
func (d *decoder) chooseColorSpace() int {
	switch d.ncomp {
	case 1:
		return csGray
	case 3:
		switch {
		case d.sawJFIF:
			return csYCbCr
		case d.sawAdobe:
			if d.adobeTransform == 0 {
				return csRGB
			}
			return csYCbCr
		}
		if d.comp[0].id == 'R' && d.comp[1].id == 'G' && d.comp[2].id == 'B' {
			return csRGB
		}
		return csYCbCr
	default:
		if d.sawAdobe && d.adobeTransform != 0 {
			return csYCCK
		}
		return csCMYK
	}
}

// allocCoefficients allocates the whole-image coefficient arrays of a
// multi-scan file.
func (d *decoder) allocCoefficients() {
	total := 0
	for i := 0; i < d.ncomp; i++ {
		total += d.comp[i].pbw * d.comp[i].pbh * 64
	}
	buf := d.coefficients(total)
	for i := 0; i < d.ncomp; i++ {
		c := &d.comp[i]
		n := c.pbw * c.pbh * 64
		c.coef, buf = buf[:n:n], buf[n:]
		for k := range c.coefBits {
			c.coefBits[k] = -1
		}
	}
}

// ceilDiv returns a/b rounded up for positive a and b.
func ceilDiv(a, b int) int {
	return (a + b - 1) / b
}
