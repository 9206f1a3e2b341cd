// Package png decodes PNG files exactly as Pillow's PngImagePlugin (the
// 9.x/10.0 line the reference corpus was built with) opens them, followed
// by convert("RGB").
//
// Modes follow Pillow's table: grey 1-bit is "1", grey 2/4/8-bit is "L"
// (2- and 4-bit samples scaled by 0x55 and 0x11), grey 16-bit is "I"
// (convert("RGB") clips it to 0..255), RGB 8/16 is "RGB" (16-bit keeps the
// high byte), palette 1/2/4/8 is "P", grey+alpha 8 is "LA" and 16 is
// "RGBA", RGBA 8/16 is "RGBA". tRNS never changes the mode.
//
// What Pillow checks, this package checks too, so that a file is refused
// exactly when Pillow refuses it:
//   - chunk types must be four word characters; the CRC of every chunk
//     before the first IDAT is verified (a mismatch is an error), IDAT CRCs
//     are not (Pillow never reads them);
//   - ancillary chunks are parsed only as far as Pillow parses them (short
//     gAMA/sRGB/pHYs/tRNS/acTL/fcTL, a cHRM not a multiple of 4, an unknown
//     zTXt/iCCP compression method, APNG sequence errors, compressed text
//     over 1 MiB, text over 64 MiB in total are errors);
//   - the zlib stream may end early only at a row boundary after at least
//     one row (the remaining rows stay zero, as in Pillow); a stream that
//     ends mid-row, a truncated file, a bad filter type or corrupt deflate
//     data is an error; data after the last row is ignored, except a bad
//     Adler-32 checksum right after it, which Pillow's zlib reports
//     (corrupt deflate codes right after the last row are ignored, while
//     zlib reports some of them: about 1 in 1000 randomly damaged IDATs
//     decodes here and fails in Pillow);
//   - after the pixels, chunks up to IEND are walked as Pillow's load_end
//     does (no CRC checks; a chunk cut short by the end of the file is an
//     error; bytes after IEND are never looked at).
//
// Palette entries past the end of PLTE (and every entry when PLTE is
// missing) are the grey ramp Pillow 9.x initialises its palettes with; a
// PLTE of more than 256 entries is refused as Pillow refuses it.
//
// Memory: the header's size is checked against codec.Limits before any
// pixel buffer exists, and exactly the bytes the image needs are inflated,
// so a zlib bomb costs no more than an honest file of the same size.
package png
