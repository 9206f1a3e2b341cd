package jpeg

// eachBlock walks the blocks of the current scan in coding order, handling
// restart markers between MCUs, and calls fn with the scan component index
// i, its component and the block's column and row in that component. A
// single-component scan is not interleaved: its MCU is one block, over the
// component's own block grid. what names the scan in a truncation error.
func (d *decoder) eachBlock(what string, fn func(i int, c *component, bx, by int) error) error {
	br := &d.br
	ri := d.restart
	mcu := 0
	restart := func() error {
		if ri > 0 && mcu > 0 && mcu%ri == 0 {
			if err := d.processRestart(); err != nil {
				return err
			}
		}
		mcu++
		return nil
	}
	if d.nscomp == 1 {
		c := d.scomp[0]
		for by := 0; by < c.bh; by++ {
			for bx := 0; bx < c.bw; bx++ {
				if err := restart(); err != nil {
					return err
				}
				if err := fn(0, c, bx, by); err != nil {
					return err
				}
				if br.overrun() {
					return errTruncated(what)
				}
			}
		}
		return nil
	}
	for my := 0; my < d.mcusY; my++ {
		for mx := 0; mx < d.mcusX; mx++ {
			if err := restart(); err != nil {
				return err
			}
			for i := 0; i < d.nscomp; i++ {
				c := d.scomp[i]
				for y := 0; y < c.v; y++ {
					for x := 0; x < c.h; x++ {
						if err := fn(i, c, mx*c.h+x, my*c.v+y); err != nil {
							return err
						}
					}
				}
			}
			if br.overrun() {
				return errTruncated(what)
			}
		}
	}
	return nil
}
