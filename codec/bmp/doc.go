// Package bmp decodes Windows BMP files exactly as Pillow's BmpImagePlugin
// (the 9.x/10.0 line the reference corpus was built with) opens them,
// followed by convert("RGB").
//
// Headers: OS/2 (12 bytes) and Windows 40/64/108/124-byte info headers;
// others are refused as Pillow refuses them. Rows are bottom-up unless the
// height's top byte is 0xFF (a negative height), then top-down.
//
// Modes: 1/4/8-bit images are paletted. When the palette is the grey ramp
// (entries 0..n-1 for n colours, or black and white for 2 colours) Pillow
// drops it and opens the file as "L" (or "1" for 2 colours) with an 8-bit
// (or 1-bit) raw mode whatever the file's depth, and this package does the
// same, odd results and "stride too small" errors included. Otherwise the
// mode is "P" with the palette's entries (BGRX, or BGR for OS/2); indices
// past its end take Pillow 9.x's grey ramp, and more than 256 entries are
// refused. 16-bit is RGB 5-5-5, 24-bit BGR, 32-bit BGRX (alpha ignored).
//
// Compression: BI_RGB; BI_BITFIELDS with the masks Pillow knows (16-bit
// 5-6-5 and 5-5-5, 24-bit, and the 32-bit layouts, those with an alpha mask
// giving "RGBA"); BI_RLE8 and BI_RLE4 with Pillow's own decoder, whose
// quirks (a delta escape reads two more bytes than it uses, an odd RLE4
// absolute run drops its last pixel) are reproduced so the pixels match.
// Other header sizes, depths, compressions and bitfield layouts are
// refused, as Pillow refuses them, with an error wrapping
// codec.ErrUnsupported.
//
// Truncated pixel data is an error, as in Pillow. The header's size is
// checked against codec.Limits before any pixel buffer exists.
package bmp
