package feed

import (
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

// augmented returns c with transform t applied to the planes the streams
// need, in new buffers of its own (the cache entry is never written).
func augmented(c cached, t uint8, streams []Stream) cached {
	if t == 0 || t >= sampling.NumTransforms {
		return c
	}
	var pixel, alpha, palette bool
	for _, st := range streams {
		switch st {
		case Pixel, LSB, Content:
			pixel = true
		case Alpha, AlphaFull:
			alpha = true
		case PaletteLSB:
			palette = true
		}
	}
	s := *c.s
	if pixel {
		s.Pixel = TransformPlanes(nil, c.s.Pixel, t)
		s.Content[0], s.Content[1], s.Content[2] = extract.PixelContent(s.Pixel)
	}
	if alpha && !c.alphaZero {
		s.AlphaFull = TransformPlanes(nil, c.s.AlphaFull, t)
	}
	if palette && !c.paletteLSBZero {
		s.PaletteLSB = TransformPlanes(nil, c.s.PaletteLSB, t)
	}
	if t&1 == 1 {
		s.FormatVec[4], s.FormatVec[5] = s.FormatVec[5], s.FormatVec[4]
	}
	return cached{s: &s, alphaZero: c.alphaZero, paletteLSBZero: c.paletteLSBZero, packed: &packedPlanes{}}
}

// augmentBytes bounds the memory the augmented planes of n samples take
// beyond the batch's tensors: the transformed planes and their packed bits.
func augmentBytes(streams []Stream, n int) int64 {
	var pixel, alpha, palette bool
	for _, st := range streams {
		switch st {
		case Pixel, LSB, Content:
			pixel = true
		case Alpha, AlphaFull:
			alpha = true
		case PaletteLSB:
			palette = true
		}
	}
	per := 0
	if pixel {
		per += extract.PixelLen + extract.PixelLen/8
	}
	if alpha {
		per += extract.AlphaLen + extract.AlphaLen/8
	}
	if palette {
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

// transformPlane writes the image of the side x side plane src under t into
// dst: output row i reads src from start(i) in steps of step.
func transformPlane(dst, src []byte, t uint8) {
	const n = side
	var start func(i int) int
	var step int
	switch t {
	case 1: // out[i][j] = in[j][n-1-i]
		start, step = func(i int) int { return n - 1 - i }, n
	case 2: // out[i][j] = in[n-1-i][n-1-j]
		start, step = func(i int) int { return (n-1-i)*n + n - 1 }, -1
	case 3: // out[i][j] = in[n-1-j][i]
		start, step = func(i int) int { return (n-1)*n + i }, -n
	case 4: // out[i][j] = in[i][n-1-j]
		start, step = func(i int) int { return i*n + n - 1 }, -1
	case 5: // out[i][j] = in[j][i]
		start, step = func(i int) int { return i }, n
	case 6: // out[i][j] = in[n-1-i][j]
		start, step = func(i int) int { return (n - 1 - i) * n }, 1
	case 7: // out[i][j] = in[n-1-j][n-1-i]
		start, step = func(i int) int { return (n-1)*n + n - 1 - i }, -n
	default:
		copy(dst, src)
		return
	}
	for i := range n {
		row := dst[i*n : (i+1)*n : (i+1)*n]
		k := start(i)
		for j := range row {
			row[j] = src[k]
			k += step
		}
	}
}
