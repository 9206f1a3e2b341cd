package jpeg

// output upsamples the decoded planes and converts them row by row into
// Pillow's interleaved RGB.
func (d *decoder) output() ([]byte, error) {
	w, h := d.width, d.height
	out := make([]byte, w*h*3)
	if d.colorSpace == csYCbCr && d.up[0].method == upFull &&
		d.up[1].method == upH2V2 && d.up[2].method == upH2V2 {
		yc, cb, cr := &d.comp[0], &d.comp[1], &d.comp[2]
		for y := 0; y < h; y++ {
			bn, bf, _ := cb.vertical(y)
			rn, rf, _ := cr.vertical(y)
			yccH2V2Row(out[y*w*3:(y+1)*w*3], yc.plane[y*yc.stride:y*yc.stride+w], bn, bf, rn, rf)
		}
		return out, nil
	}
	var bufs [4][]byte
	for i := 0; i < d.ncomp; i++ {
		if d.up[i].method != upFull {
			bufs[i] = make([]byte, max(2*d.comp[i].dw, w))
		}
	}
	var rows [4][]byte
	for y := 0; y < h; y++ {
		for i := 0; i < d.ncomp; i++ {
			rows[i] = d.row(i, y, bufs[i])
		}
		o := out[y*w*3 : (y+1)*w*3]
		switch d.colorSpace {
		case csGray:
			grayRow(o, rows[0])
		case csYCbCr:
			yccRow(o, rows[0], rows[1], rows[2])
		case csRGB:
			rgbRow(o, rows[0], rows[1], rows[2])
		default:
			cmykRow(o, rows[0], rows[1], rows[2], rows[3], d.colorSpace == csYCCK)
		}
	}
	return out, nil
}
