package bmp

// output holds the decoded planes: RGB always, alpha for RGBA, indices for
// P (whose RGB is filled from them at the end).
type output struct {
	w     int
	rgb   []byte
	alpha []byte
	index []byte
}

// rawBits returns the bits per pixel a Pillow raw mode unpacks.
func rawBits(rawmode string) int {
	switch rawmode {
	case "P;1", "1":
		return 1
	case "P;4":
		return 4
	case "P", "L":
		return 8
	case "BGR;15", "BGR;16":
		return 16
	case "BGR":
		return 24
	}
	return 32
}

// decodeRaw unpacks h rows from src as Pillow's raw decoder does: each row
// is the first (w*bits+7)/8 bytes of a stride-long line (lines follow each
// other directly when stride is 0), bottom-up unless topDown. The last line
// needs no padding.
func (o *output) decodeRaw(src []byte, rawmode string, stride, h int, topDown bool) error {
	rowBytes := (o.w*rawBits(rawmode) + 7) / 8
	if stride == 0 {
		stride = rowBytes
	}
	if stride < rowBytes {
		return formatErr("codec configuration error: stride %d is shorter than a %d-byte %s row", stride, rowBytes, rawmode)
	}
	if need := int64(h-1)*int64(stride) + int64(rowBytes); int64(len(src)) < need {
		return formatErr("image file is truncated: pixel data needs %d bytes, %d present", need, len(src))
	}
	unpack := unpacker(rawmode)
	for r := 0; r < h; r++ {
		y := h - 1 - r
		if topDown {
			y = r
		}
		unpack(o, src[r*stride:r*stride+rowBytes], y)
	}
	return nil
}

// unpacker returns the function storing one row of a raw mode.
func unpacker(rawmode string) func(o *output, row []byte, y int) {
	switch rawmode {
	case "P;1":
		return indexBits(1)
	case "P;4":
		return indexBits(4)
	case "P":
		return func(o *output, row []byte, y int) { copy(o.index[y*o.w:(y+1)*o.w], row) }
	case "1":
		return func(o *output, row []byte, y int) {
			for x := 0; x < o.w; x++ {
				g := byte(0)
				if row[x>>3]&(0x80>>(x&7)) != 0 {
					g = 255
				}
				o.grey(y*o.w+x, g)
			}
		}
	case "L":
		return func(o *output, row []byte, y int) {
			for x, g := range row[:o.w] {
				o.grey(y*o.w+x, g)
			}
		}
	case "BGR;15", "BGR;16":
		gbits := 5
		if rawmode == "BGR;16" {
			gbits = 6
		}
		return func(o *output, row []byte, y int) {
			for x := 0; x < o.w; x++ {
				v := int(row[2*x]) | int(row[2*x+1])<<8
				gmax := 1<<gbits - 1
				b := (v & 31) * 255 / 31
				g := (v >> 5 & gmax) * 255 / gmax
				r := (v >> (5 + gbits) & 31) * 255 / 31
				o.set(y*o.w+x, byte(r), byte(g), byte(b))
			}
		}
	case "BGR":
		return func(o *output, row []byte, y int) {
			for x := 0; x < o.w; x++ {
				s := row[3*x : 3*x+3 : 3*x+3]
				o.set(y*o.w+x, s[2], s[1], s[0])
			}
		}
	}
	pos := layouts32[rawmode]
	return func(o *output, row []byte, y int) {
		for x := 0; x < o.w; x++ {
			s := row[4*x : 4*x+4 : 4*x+4]
			p := y*o.w + x
			o.set(p, s[pos[0]], s[pos[1]], s[pos[2]])
			if pos[3] >= 0 && o.alpha != nil {
				o.alpha[p] = s[pos[3]]
			}
		}
	}
}

// layouts32 gives, for each 32-bit raw mode, the byte positions of R, G, B
// and A (-1: no alpha).
var layouts32 = map[string][4]int{
	"BGRX": {2, 1, 0, -1}, "XBGR": {3, 2, 1, -1},
	"ABGR": {3, 2, 1, 0}, "RGBA": {0, 1, 2, 3}, "BGRA": {2, 1, 0, 3},
}

// indexBits unpacks 1- or 4-bit indices, most significant bits first.
func indexBits(depth int) func(o *output, row []byte, y int) {
	mask := byte(1<<depth - 1)
	return func(o *output, row []byte, y int) {
		dst := o.index[y*o.w : (y+1)*o.w]
		for x := range dst {
			bit := x * depth
			dst[x] = row[bit>>3] >> (8 - depth - bit&7) & mask
		}
	}
}

// set stores one RGB pixel.
func (o *output) set(p int, r, g, b byte) {
	d := o.rgb[3*p : 3*p+3 : 3*p+3]
	d[0], d[1], d[2] = r, g, b
}

// grey stores one grey pixel.
func (o *output) grey(p int, g byte) { o.set(p, g, g, g) }
