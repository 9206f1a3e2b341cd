package bmp

// decodeRLE expands RLE8 or RLE4 data starting at offset into one byte per
// pixel, following Pillow 9.x's BmpRleDecoder step for step (its quirks
// included: a delta escape reads two bytes and then takes its offsets from
// the two after them; an RLE4 absolute run of n pixels reads n/2 bytes;
// padding to a 16-bit boundary uses the absolute file position). It
// returns the pixels (w*h bytes, zero where nothing was written); Pillow's
// decoder producing fewer is its "not enough image data" error.
func decodeRLE(data []byte, offset int64, w, h int, rle4 bool) ([]byte, error) {
	buf, n, err := expandRLE(data, offset, w, h, rle4)
	if err != nil {
		return nil, err
	}
	if n < w*h {
		return nil, formatErr("not enough image data: RLE data gives %d of %d pixels", n, w*h)
	}
	return buf, nil
}

// expandRLE runs the RLE loop and returns the output and its length as
// Pillow counts it (possibly past w*h; bytes past w*h are dropped).
func expandRLE(data []byte, offset int64, w, h int, rle4 bool) ([]byte, int, error) {
	total := w * h
	buf := make([]byte, total)
	n := 0 // length of Pillow's output so far; only the first total bytes are kept
	put := func(v byte) {
		if n < total {
			buf[n] = v
		}
		n++
	}
	pos := offset
	end := int64(len(data))
	if pos > end {
		pos = end
	}
	x := 0
	for n < total {
		if pos+2 > end {
			break
		}
		count, b := int(data[pos]), data[pos+1]
		pos += 2
		if count > 0 {
			if x+count > w {
				count = max(0, w-x)
			}
			for i := 0; i < count; i++ {
				switch {
				case !rle4:
					put(b)
				case i%2 == 0:
					put(b >> 4)
				default:
					put(b & 15)
				}
			}
			x += count
			continue
		}
		switch b {
		case 0: // end of line: zeros (already there) up to the row's end
			if r := n % w; r != 0 {
				n += w - r
			}
			x = 0
		case 1: // end of bitmap
			return buf, n, nil
		case 2: // delta
			if pos+2 > end {
				return buf, n, nil
			}
			pos += 2
			if pos+2 > end {
				return nil, 0, formatErr("truncated RLE delta escape")
			}
			n += int(data[pos]) + int(data[pos+1])*w
			pos += 2
			x = n % w
		default: // absolute run
			want := int(b)
			if rle4 {
				want = int(b) / 2
			}
			got := int(min(int64(want), end-pos))
			for _, v := range data[pos : pos+int64(got)] {
				if rle4 {
					put(v >> 4)
					put(v & 15)
				} else {
					put(v)
				}
			}
			pos += int64(got)
			if got < want {
				return buf, n, nil
			}
			x += int(b)
			if pos%2 != 0 {
				pos++
			}
		}
	}
	return buf, n, nil
}
