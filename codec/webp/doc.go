// Package webp decodes WebP files exactly as Pillow's Image.open followed by
// convert("RGB") sees them, i.e. as libwebp's WebPAnimDecoder (MODE_RGBA,
// default options) delivers the first frame.
//
// The container is parsed here with the demuxer's rules; the VP8 (lossy)
// bitstream is decoded to 4:2:0 planes by golang.org/x/image/vp8 and turned
// into RGB with libwebp's default "fancy" upsampler and fixed-point YUV
// conversion; VP8L (lossless) and lossless-compressed alpha use
// golang.org/x/image/vp8l. The mode is RGBA when libwebp's WebPGetFeatures
// reports has_alpha, as Pillow decides it, else RGB.
package webp
