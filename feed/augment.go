package feed

import (
	"encoding/binary"
	"math/bits"

	"github.com/starlight/dataserver/extract"
	"github.com/starlight/dataserver/extract/crop"
	"github.com/starlight/dataserver/sampling"
)

// Augmentation applies one of the eight D4 transforms of the square to a
// sample's spatial planes (pixel, alpha_full and palette_lsb; lsb and alpha
// are derived from them, and bit planes are packed after the transform). The
// transforms only move values, so every payload bit survives, and transform 0
// leaves the cached sample as it is. The content vector's crop statistics
// are recomputed from the transformed pixel plane (extract.PixelContent);
// its alpha statistics describe the whole uncropped alpha plane, which the
// cache does not hold, and are kept as extracted. The format vector swaps
// width and height on a quarter turn; meta and palette are unchanged.
//
// Numbering (the wire's): t&3 quarter turns counterclockwise (numpy.rot90),
// after a horizontal mirror (numpy.fliplr) when t >= 4.

// side is the side of a plane.
const side = crop.Size

// augmentedPlanes says which planes a batch's streams take from the
// transformed crop: the pixels (pixel, lsb, content), the full alpha
// (alpha, alpha_full) and the palette's LSB plane.
type augmentedPlanes struct{ pixel, alpha, palette bool }

// planesOf returns the planes the streams need transformed.
func planesOf(streams []Stream) augmentedPlanes {
	var p augmentedPlanes
	for _, st := range streams {
		switch st {
		case Pixel, LSB, Content:
			p.pixel = true
		case Alpha, AlphaFull:
			p.alpha = true
		case PaletteLSB:
			p.palette = true
		}
	}
	return p
}

// augmented returns c with transform t applied to the planes p, in buffers
// of its own taken from the pool and appended to bufs (the cache entry is
// never written).
func (f *Feed) augmented(c cached, t uint8, p augmentedPlanes, bufs *[][]byte) cached {
	if t == 0 || t >= sampling.NumTransforms {
		return c
	}
	get := func(n int) []byte {
		b := f.bufs.get(n)
		*bufs = append(*bufs, b)
		return b
	}
	s := *c.s
	planes := &packedPlanes{}
	if p.pixel {
		s.Pixel = TransformPlanes(get(len(c.s.Pixel)), c.s.Pixel, t)
		// the content's statistics and the packed lsb tensor (PixelLen is a multiple of 8)
		planes.lsb = get(len(s.Pixel) / 8)
		packLSBInto(planes.lsb, s.Pixel)
		s.Content[0], s.Content[1], s.Content[2] = extract.PackedStats(planes.lsb)
	}
	if p.alpha && !c.alphaZero {
		s.AlphaFull = TransformPlanes(get(len(c.s.AlphaFull)), c.s.AlphaFull, t)
	}
	if p.palette && !c.paletteLSBZero {
		s.PaletteLSB = TransformPlanes(get(len(c.s.PaletteLSB)), c.s.PaletteLSB, t)
	}
	if t&1 == 1 {
		s.FormatVec[4], s.FormatVec[5] = s.FormatVec[5], s.FormatVec[4]
	}
	return cached{s: &s, alphaZero: c.alphaZero, paletteLSBZero: c.paletteLSBZero, packed: planes}
}

// augmentBytes bounds the memory the augmented planes of n samples take
// beyond the batch's tensors: the transformed planes and their packed bits.
func augmentBytes(streams []Stream, n int) int64 {
	p := planesOf(streams)
	per := 0
	if p.pixel {
		per += extract.PixelLen + extract.PixelLen/8
	}
	if p.alpha {
		per += extract.AlphaLen + extract.AlphaLen/8
	}
	if p.palette {
		per += extract.PaletteLSBLen + extract.PaletteLSBLen/8
	}
	return int64(per) * int64(n)
}

// TransformPlanes applies D4 transform t to src, a whole number of
// channel-first 256x256 planes in C order, writing into dst (allocated when
// nil or too short) and returning it. Transform numbers outside 0..7 copy.
func TransformPlanes(dst, src []byte, t uint8) []byte {
	if len(dst) < len(src) {
		dst = make([]byte, len(src))
	}
	dst = dst[:len(src)]
	const plane = side * side
	for off := 0; off+plane <= len(src); off += plane {
		transformPlane(dst[off:off+plane], src[off:off+plane], t)
	}
	if rest := len(src) % plane; rest != 0 { // never for a stream plane
		copy(dst[len(src)-rest:], src[len(src)-rest:])
	}
	return dst
}

// InverseTransform returns the transform that undoes t: the opposite turn,
// or t itself for the mirrored ones (each is its own inverse).
func InverseTransform(t uint8) uint8 {
	if t >= 4 {
		return t
	}
	return (4 - t) % 4
}

// transformPlane writes the image of the side x side plane src under t
// into dst, 8 bytes at a time: mirrored rows through byte reversal, and the
// transposing transforms (odd t) as 8x8 blocks transposed in registers.
func transformPlane(dst, src []byte, t uint8) {
	const n = side
	switch t {
	case 2: // out[i][j] = in[n-1-i][n-1-j]
		for i := range n {
			reverseRow(dst[i*n:(i+1)*n], src[(n-1-i)*n:(n-i)*n])
		}
	case 4: // out[i][j] = in[i][n-1-j]
		for i := range n {
			reverseRow(dst[i*n:(i+1)*n], src[i*n:(i+1)*n])
		}
	case 6: // out[i][j] = in[n-1-i][j]
		for i := range n {
			copy(dst[i*n:(i+1)*n], src[(n-1-i)*n:(n-i)*n])
		}
	case 1, 3, 5, 7:
		transposed(dst, src, t)
	default:
		copy(dst, src)
	}
}

// reverseRow writes src reversed into dst (equal lengths, a multiple of 8).
func reverseRow(dst, src []byte) {
	m := len(src)
	for k := 0; k+8 <= m; k += 8 {
		w := binary.LittleEndian.Uint64(src[m-8-k:])
		binary.LittleEndian.PutUint64(dst[k:], bits.ReverseBytes64(w))
	}
}

// transposed writes the odd transforms, each a transpose of the plane
// turned or mirrored: output block (I, J) of 8x8 reads the source block at
// rows ys and columns xs, transposes it, then reverses the order of its rows
// (flipRows) and/or the bytes of each row (flipCols):
//
//	5: out[i][j] = in[j][i]          ys = J,       xs = I
//	1: out[i][j] = in[j][n-1-i]      ys = J,       xs = n-8-I, rows reversed
//	3: out[i][j] = in[n-1-j][i]      ys = n-8-J,   xs = I,     bytes reversed
//	7: out[i][j] = in[n-1-j][n-1-i]  ys = n-8-J,   xs = n-8-I, both
func transposed(dst, src []byte, t uint8) {
	const n = side
	flipRows, flipCols := t == 1 || t == 7, t == 3 || t == 7
	var w [8]uint64
	for I := 0; I < n; I += 8 {
		xs := I
		if flipRows {
			xs = n - 8 - I
		}
		for J := 0; J < n; J += 8 {
			ys := J
			if flipCols {
				ys = n - 8 - J
			}
			for c := range 8 {
				w[c] = binary.LittleEndian.Uint64(src[(ys+c)*n+xs:])
			}
			transpose8(&w)
			for r := range 8 {
				v := w[r]
				if flipRows {
					v = w[7-r]
				}
				if flipCols {
					v = bits.ReverseBytes64(v)
				}
				binary.LittleEndian.PutUint64(dst[(I+r)*n+J:], v)
			}
		}
	}
}

// transpose8 transposes the 8x8 byte matrix whose row c is w[c] (byte r
// of a word is its bits 8r..8r+7): afterwards byte c of w[r] is what byte r
// of w[c] was. Three rounds swap 4x4, 2x2 and 1x1 blocks across the diagonal.
func transpose8(w *[8]uint64) {
	for c := range 4 {
		a, b := w[c], w[c+4]
		x := ((a >> 32) ^ b) & 0x00000000ffffffff
		w[c], w[c+4] = a^(x<<32), b^x
	}
	for _, c := range [4]int{0, 1, 4, 5} {
		a, b := w[c], w[c+2]
		x := ((a >> 16) ^ b) & 0x0000ffff0000ffff
		w[c], w[c+2] = a^(x<<16), b^x
	}
	for c := 0; c < 8; c += 2 {
		a, b := w[c], w[c+1]
		x := ((a >> 8) ^ b) & 0x00ff00ff00ff00ff
		w[c], w[c+1] = a^(x<<8), b^x
	}
}
