// Package gif decodes the first frame of a GIF file exactly as Pillow's
// GifImagePlugin (the 9.x/10.0 line the reference corpus was built with)
// opens it, followed by convert("RGB").
//
// Mode: Pillow drops a colour table that is exactly the identity grey ramp
// (entry i is i,i,i for every entry the table holds, its length set by the
// header's size bits). The first frame's local table, if it has one, decides
// alone: a ramp gives "L", anything else "P". Without a local table the
// global table decides the same way, and no table at all gives "L". So a
// 256-entry ramp opens as L while a grey table with a gap (or ending in
// black padding) opens as P. One twist: a ramp local table over a coloured
// global table opens as L, yet Pillow attaches the global table to the
// image, so convert("RGB") maps the values through it (and Palette is that
// table, what convert("P") returns).
//
// Size and canvas: the size is the logical screen, grown to hold the first
// frame's rectangle when it sticks out. The canvas is filled with the
// transparency index when the frame's graphic control extension sets one,
// else with 0, and the frame is decoded into its rectangle (a rectangle
// starting at x 0 with width 0 means the whole canvas, as Pillow's setimage
// has it). Pixels take their colour from the frame's palette; indices past
// its end get the grey ramp Pillow 9.x initialises palettes with. For an L
// image the index is the grey value and Palette is the 0..255 grey ramp,
// what Pillow's convert("P") gives (except that Pillow 9.4 scrambles that
// palette when the L image has a transparency index; the ramp is kept).
//
// Image data: the LZW decoder follows Pillow's GifDecode.c: minimum code
// sizes 0..12, code size growth and table-full behaviour as there, a code
// past the next free entry is an error. Decoding stops as soon as the frame
// is full, so nothing after the first frame is ever read (a file with
// thousands of frames costs what its first frame costs, and a missing
// trailer is fine). An end-of-information code before the frame is full is
// not the end for Pillow: it goes on reading codes, sub-block headers and
// whatever follows them, so the decoder does the same and reports an error
// only where Pillow would (the file ends first, or a code is invalid),
// including Pillow's habit of reading the file in 64 KiB pieces.
//
// Memory: the header's size is checked against codec.Limits before any
// pixel buffer exists; the decoder's tables are fixed-size.
package gif
