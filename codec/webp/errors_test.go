package webp_test

import (
	"encoding/binary"
	"errors"
	"runtime"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/codec/webp"
)

// riffFile wraps chunks in a RIFF/WEBP header with a correct size.
func riffFile(chunks ...[]byte) []byte {
	var body []byte
	for _, c := range chunks {
		body = append(body, c...)
	}
	out := []byte("RIFF\x00\x00\x00\x00WEBP")
	binary.LittleEndian.PutUint32(out[4:], uint32(4+len(body)))
	return append(out, body...)
}

// rawChunk builds a chunk whose declared size is size, holding payload.
func rawChunk(tag string, size uint32, payload []byte) []byte {
	out := append([]byte(tag), 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(out[4:], size)
	out = append(out, payload...)
	if len(payload)&1 == 1 {
		out = append(out, 0)
	}
	return out
}

func vp8xChunk(flags byte, w, h int) []byte {
	p := []byte{flags, 0, 0, 0, byte(w - 1), byte((w - 1) >> 8), byte((w - 1) >> 16), byte(h - 1), byte((h - 1) >> 8), byte((h - 1) >> 16)}
	return rawChunk("VP8X", 10, p)
}

// vp8lHeader is a VP8L header for w x h with the given alpha bit.
func vp8lHeader(w, h int, alpha bool) []byte {
	v := uint32(w-1) | uint32(h-1)<<14
	if alpha {
		v |= 1 << 28
	}
	b := []byte{0x2f, 0, 0, 0, 0}
	binary.LittleEndian.PutUint32(b[1:], v)
	return b
}

func TestLimitsCheckedFromHeader(t *testing.T) {
	huge := riffFile(vp8xChunk(0, 16384, 16384), rawChunk("VP8L", 5, vp8lHeader(16384, 16384, false)))
	cfg, err := webp.DecodeConfig(huge)
	if err != nil || cfg.Width != 16384 || cfg.Height != 16384 || cfg.Mode != codec.ModeRGB {
		t.Fatalf("DecodeConfig = %+v, %v; want RGB 16384x16384", cfg, err)
	}
	lim := codec.Limits{MaxPixels: 1 << 20, MaxDimension: 1 << 14}
	// Refusal must come from the header, before any pixel memory: a few
	// small allocations for the error at most, never the 1 GiB canvas. (Bytes,
	// not a count: the count varies with the race detector and the runtime.)
	const runs = 5
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		if _, err := webp.Decode(huge, lim); !errors.Is(err, codec.ErrTooLarge) {
			t.Fatalf("Decode error %v, want ErrTooLarge", err)
		}
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / runs; per > 64<<10 {
		t.Errorf("rejecting an oversized header allocated %d bytes", per)
	}
	simple := riffFile(rawChunk("VP8L", 5, vp8lHeader(4000, 300, true)))
	if _, err := webp.Decode(simple, codec.Limits{MaxDimension: 2048}); !errors.Is(err, codec.ErrTooLarge) {
		t.Fatalf("plain VP8L 4000x300 under a 2048 side limit: %v, want ErrTooLarge", err)
	}
}

// tinyVP8L is a valid 4x4 lossless bitstream (cwebp -lossless of a green
// square with one red pixel at (1,1)).
var tinyVP8L = []byte{
	0x2f, 0x03, 0xc0, 0x00, 0x00, 0x0f, 0x30, 0xc8, 0x5f, 0xf8, 0x1f, 0x8f,
	0xf9, 0x0f, 0x2d, 0xbc, 0xe1, 0x21, 0xa2, 0xff, 0xd1,
}

// hostileCases are containers libwebp's demuxer rejects, around a valid image.
func hostileCases() map[string][]byte {
	img := rawChunk("VP8L", uint32(len(tinyVP8L)), tinyVP8L)
	return map[string][]byte{
		"short":              []byte("RIFF\x04\x00\x00\x00WEBP"),
		"not webp":           []byte("RIFF\x0c\x00\x00\x00WAVEfmt \x00\x00\x00\x00"),
		"unknown first":      riffFile(rawChunk("ABCD", 0, nil), img),
		"riff past end":      append([]byte("RIFF\xff\xff\xff\x7fWEBP"), img...),
		"chunk past end":     riffFile(vp8xChunk(0, 4, 4), rawChunk("EXIF", 0xfffffff0, []byte("xx")), img),
		"vp8l past end":      riffFile(rawChunk("VP8L", 1<<30, tinyVP8L)),
		"second vp8x":        riffFile(vp8xChunk(0, 4, 4), vp8xChunk(0, 4, 4), img),
		"vp8x 12 bytes":      riffFile(rawChunk("VP8X", 12, []byte{0, 0, 0, 0, 3, 0, 0, 3, 0, 0, 0, 0}), img),
		"canvas mismatch":    riffFile(vp8xChunk(0, 5, 4), img),
		"no image":           riffFile(vp8xChunk(0, 4, 4), rawChunk("EXIF", 2, []byte("ab"))),
		"bad flags":          riffFile(vp8xChunk(0x01, 4, 4), img),
		"alph before vp8l":   riffFile(vp8xChunk(0x10, 4, 4), rawChunk("ALPH", 2, []byte{0, 0}), img),
		"anmf without anim":  riffFile(vp8xChunk(0x02, 4, 4), rawChunk("ANMF", 16, make([]byte, 16))),
		"image in animation": riffFile(vp8xChunk(0x02, 4, 4), rawChunk("ANIM", 6, make([]byte, 6)), img),
		"vp8 not key frame":  riffFile(rawChunk("VP8 ", 10, []byte{1, 0, 0, 0x9d, 1, 0x2a, 4, 0, 4, 0})),
		"vp8 zero width":     riffFile(rawChunk("VP8 ", 10, []byte{0x10, 0, 0, 0x9d, 1, 0x2a, 0, 0, 4, 0})),
		"vp8l bad signature": riffFile(rawChunk("VP8L", 5, []byte{0x2e, 0, 0, 0, 0})),
		"stray bytes":        riffFile(img, []byte{1, 2, 3}),
	}
}

func TestHostileContainers(t *testing.T) {
	img := rawChunk("VP8L", uint32(len(tinyVP8L)), tinyVP8L)
	for name, data := range map[string][]byte{
		"simple":         riffFile(img),
		"extended":       riffFile(vp8xChunk(0, 4, 4), img),
		"trailing chunk": riffFile(img, rawChunk("ABCD", 3, []byte("xyz"))),
		"appended bytes": append(riffFile(img), 1, 2, 3),
	} {
		m, err := webp.Decode(data, codec.DefaultLimits)
		if err != nil {
			t.Fatalf("control %s: %v", name, err)
		}
		if m.Mode != codec.ModeRGB || m.Width != 4 || m.Height != 4 ||
			string(m.RGB[:6]) != "\x0a\xc8\x1e\x0a\xc8\x1e" || string(m.RGB[15:18]) != "\xff\x00\x00" {
			t.Fatalf("control %s: decoded %s %dx%d %v", name, m.Mode, m.Width, m.Height, m.RGB)
		}
	}
	for name, data := range hostileCases() {
		if _, err := webp.Decode(data, codec.DefaultLimits); err == nil {
			t.Errorf("%s: decoded without error", name)
		} else if !errors.Is(err, codec.ErrFormat) {
			t.Errorf("%s: error %v does not wrap ErrFormat", name, err)
		}
	}
}
