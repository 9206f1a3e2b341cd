package webp_test

import "testing"

// TestHugeHeaderRefused checks that a VP8X canvas of 16384x16384 is refused
// under the default limits with ErrTooLarge before anything large is
// allocated.
func TestHugeHeaderRefused(t *testing.T) {
	webpCodec.RefusesHuge(t, riffFile(vp8xChunk(0, 16384, 16384), rawChunk("VP8L", 5, vp8lHeader(16384, 16384, false))))
}

// TestTruncatedNeverPanics cuts a simple and an extended lossless file at
// every length: no panic, and every cut is an error wrapping ErrFormat (the
// RIFF size then runs past the data, which libwebp's demuxer refuses).
func TestTruncatedNeverPanics(t *testing.T) {
	img := rawChunk("VP8L", uint32(len(tinyVP8L)), tinyVP8L)
	for name, data := range map[string][]byte{
		"simple":   riffFile(img),
		"extended": riffFile(vp8xChunk(0, 4, 4), img),
	} {
		t.Run(name, func(t *testing.T) {
			webpCodec.Truncations(t, data, func(int) bool { return true })
		})
	}
}
