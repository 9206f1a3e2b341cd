package webp

import "github.com/starlight/dataserver/codec"

// bitstreamInfo is what the first bytes of a VP8 or VP8L payload tell.
type bitstreamInfo struct {
	width, height int
	// alpha is the VP8L header's alpha_is_used bit; always false for VP8.
	alpha bool
}

// vp8Info reads a lossy key-frame header the way libwebp's VP8GetInfo checks
// it. payload holds the chunk payload as stored (padding included), size is
// the chunk's declared size.
func vp8Info(payload []byte, size int) (bitstreamInfo, error) {
	if len(payload) < 10 {
		return bitstreamInfo{}, codec.Errorf("webp: VP8 frame header truncated (%d bytes)", len(payload))
	}
	if payload[3] != 0x9d || payload[4] != 0x01 || payload[5] != 0x2a {
		return bitstreamInfo{}, codec.Errorf("webp: VP8 start code missing")
	}
	bits := uint32(payload[0]) | uint32(payload[1])<<8 | uint32(payload[2])<<16
	if bits&1 != 0 {
		return bitstreamInfo{}, codec.Errorf("webp: VP8 frame is not a key frame")
	}
	if (bits>>1)&7 > 3 {
		return bitstreamInfo{}, codec.Errorf("webp: VP8 profile %d unknown", (bits>>1)&7)
	}
	if (bits>>4)&1 == 0 {
		return bitstreamInfo{}, codec.Errorf("webp: VP8 frame is not shown")
	}
	if int(bits>>5) >= size {
		return bitstreamInfo{}, codec.Errorf("webp: VP8 first partition (%d bytes) exceeds the chunk (%d bytes)", bits>>5, size)
	}
	w := int(payload[6]) | int(payload[7]&0x3f)<<8
	h := int(payload[8]) | int(payload[9]&0x3f)<<8
	if w == 0 || h == 0 {
		return bitstreamInfo{}, codec.Errorf("webp: VP8 frame has zero size %dx%d", w, h)
	}
	return bitstreamInfo{width: w, height: h}, nil
}

// vp8lInfo reads a lossless header the way libwebp's VP8LGetInfo checks it.
func vp8lInfo(payload []byte) (bitstreamInfo, error) {
	if len(payload) < 5 {
		return bitstreamInfo{}, codec.Errorf("webp: VP8L header truncated (%d bytes)", len(payload))
	}
	if payload[0] != 0x2f {
		return bitstreamInfo{}, codec.Errorf("webp: VP8L signature 0x%02x is not 0x2f", payload[0])
	}
	v := uint32(payload[1]) | uint32(payload[2])<<8 | uint32(payload[3])<<16 | uint32(payload[4])<<24
	if v>>29 != 0 {
		return bitstreamInfo{}, codec.Errorf("webp: VP8L version %d unknown", v>>29)
	}
	return bitstreamInfo{
		width:  int(v&0x3fff) + 1,
		height: int((v>>14)&0x3fff) + 1,
		alpha:  (v>>28)&1 == 1,
	}, nil
}
