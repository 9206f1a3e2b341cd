package png

// rowFunc stores n pixels of one unfiltered row into the output at row y,
// columns x, x+dx, x+2dx, ..., as Pillow's unpacker for the raw mode and
// then convert("RGB") would leave them.
type rowFunc func(o *output, row []byte, y, x, dx, n int)

// rowFuncFor returns the row function for a bit depth and colour type.
func rowFuncFor(depth, ctype byte) rowFunc {
	switch ctype {
	case 0:
		switch depth {
		case 1:
			return greySub(1, 255)
		case 2:
			return greySub(2, 0x55)
		case 4:
			return greySub(4, 0x11)
		case 8:
			return grey8
		default:
			return grey16
		}
	case 2:
		return rgb(int(depth) / 8)
	case 3:
		if depth == 8 {
			return index8
		}
		return indexSub(int(depth))
	case 4:
		return greyAlpha(int(depth) / 8)
	default:
		return rgba(int(depth) / 8)
	}
}

// sample returns the i-th depth-bit sample of a packed row, MSB first.
func sample(row []byte, i, depth int) byte {
	bit := i * depth
	return row[bit>>3] >> (8 - depth - bit&7) & (1<<depth - 1)
}

// greySub unpacks 1/2/4-bit grey ("1", "L;2", "L;4"), scaling by mul.
func greySub(depth int, mul byte) rowFunc {
	return func(o *output, row []byte, y, x, dx, n int) {
		p := y*o.w + x
		for i := 0; i < n; i++ {
			g := sample(row, i, depth) * mul
			d := o.rgb[3*p : 3*p+3 : 3*p+3]
			d[0], d[1], d[2] = g, g, g
			p += dx
		}
	}
}

// indexSub unpacks 1/2/4-bit palette indices.
func indexSub(depth int) rowFunc {
	return func(o *output, row []byte, y, x, dx, n int) {
		p := y*o.w + x
		for i := 0; i < n; i++ {
			o.index[p] = sample(row, i, depth)
			p += dx
		}
	}
}

// grey8 unpacks 8-bit grey.
func grey8(o *output, row []byte, y, x, dx, n int) {
	p := y*o.w + x
	for _, g := range row[:n] {
		d := o.rgb[3*p : 3*p+3 : 3*p+3]
		d[0], d[1], d[2] = g, g, g
		p += dx
	}
}

// grey16 unpacks 16-bit grey into mode I, which convert("RGB") clips to 255.
func grey16(o *output, row []byte, y, x, dx, n int) {
	p := y*o.w + x
	for i := 0; i < n; i++ {
		g := row[2*i+1]
		if row[2*i] != 0 {
			g = 255
		}
		d := o.rgb[3*p : 3*p+3 : 3*p+3]
		d[0], d[1], d[2] = g, g, g
		p += dx
	}
}

// rgb unpacks 8-bit RGB (bytes 1) and 16-bit RGB keeping the high bytes
// ("RGB;16B", bytes 2).
func rgb(bytes int) rowFunc {
	return func(o *output, row []byte, y, x, dx, n int) {
		p := y*o.w + x
		if bytes == 1 && dx == 1 {
			copy(o.rgb[3*p:3*(p+n)], row[:3*n])
			return
		}
		step := 3 * bytes
		for i := 0; i < n; i++ {
			s := row[step*i : step*i+step : step*i+step]
			d := o.rgb[3*p : 3*p+3 : 3*p+3]
			d[0], d[1], d[2] = s[0], s[bytes], s[2*bytes]
			p += dx
		}
	}
}

// index8 unpacks 8-bit palette indices.
func index8(o *output, row []byte, y, x, dx, n int) {
	p := y*o.w + x
	if dx == 1 {
		copy(o.index[p:p+n], row[:n])
		return
	}
	for _, v := range row[:n] {
		o.index[p] = v
		p += dx
	}
}

// greyAlpha unpacks grey+alpha: 8-bit (mode LA, bytes 1) and 16-bit into
// mode RGBA keeping the high bytes ("LA;16B", bytes 2).
func greyAlpha(bytes int) rowFunc {
	return func(o *output, row []byte, y, x, dx, n int) {
		p := y*o.w + x
		step := 2 * bytes
		for i := 0; i < n; i++ {
			s := row[step*i : step*i+step : step*i+step]
			d := o.rgb[3*p : 3*p+3 : 3*p+3]
			d[0], d[1], d[2] = s[0], s[0], s[0]
			o.alpha[p] = s[bytes]
			p += dx
		}
	}
}

// rgba unpacks 8-bit RGBA (bytes 1) and 16-bit RGBA keeping the high bytes
// ("RGBA;16B", bytes 2).
func rgba(bytes int) rowFunc {
	return func(o *output, row []byte, y, x, dx, n int) {
		p := y*o.w + x
		step := 4 * bytes
		for i := 0; i < n; i++ {
			s := row[step*i : step*i+step : step*i+step]
			d := o.rgb[3*p : 3*p+3 : 3*p+3]
			d[0], d[1], d[2] = s[0], s[bytes], s[2*bytes]
			o.alpha[p] = s[3*bytes]
			p += dx
		}
	}
}
