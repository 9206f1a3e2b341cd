package gif_test

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/codec/gif"
	"github.com/starlight/dataserver/internal/codectest"
)

// literalStream encodes indices (all below 1<<litWidth) as literal codes,
// with a clear code before the code size would grow, split into sub-blocks.
func literalStream(indices []byte, litWidth int) []byte {
	clear := 1 << litWidth
	size := uint(litWidth + 1)
	per := max(1, clear-2)
	var out []byte
	var acc uint32
	var n uint
	put := func(c int) {
		acc |= uint32(c) << n
		for n += size; n >= 8; n -= 8 {
			out = append(out, byte(acc))
			acc >>= 8
		}
	}
	for i := 0; i < len(indices); i += per {
		put(clear)
		for _, v := range indices[i:min(i+per, len(indices))] {
			put(int(v))
		}
	}
	put(clear + 1)
	if n > 0 {
		out = append(out, byte(acc))
	}
	var blocks []byte
	for len(out) > 0 {
		k := min(255, len(out))
		blocks = append(blocks, byte(k))
		blocks = append(blocks, out[:k]...)
		out = out[k:]
	}
	return append(blocks, 0)
}

// mkGIF builds a GIF with a 4-colour global table and one frame per entry
// of frames, each covering the whole screen.
func mkGIF(w, h int, frames ...[]byte) []byte {
	out := []byte("GIF89a")
	out = binary.LittleEndian.AppendUint16(out, uint16(w))
	out = binary.LittleEndian.AppendUint16(out, uint16(h))
	out = append(out, 0x81, 0, 0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120)
	for _, f := range frames {
		out = append(out, ',', 0, 0, 0, 0)
		out = binary.LittleEndian.AppendUint16(out, uint16(w))
		out = binary.LittleEndian.AppendUint16(out, uint16(h))
		out = append(out, 0, 2)
		out = append(out, literalStream(f, 2)...)
	}
	return append(out, ';')
}

// pattern returns n indices below 4.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7/3) & 3
	}
	return b
}

// TestHugeScreenRefused checks that a 65535x65535 screen is refused with
// ErrTooLarge before anything large is allocated.
func TestHugeScreenRefused(t *testing.T) {
	gifCodec.RefusesHuge(t, hugeHeader())
}

// TestFirstFrameOnly checks that frames after the first are never parsed:
// thousands of them, or garbage in their place, change neither the result
// nor what decoding allocates.
func TestFirstFrameOnly(t *testing.T) {
	first := pattern(32 * 32)
	single := mkGIF(32, 32, first)
	frames := [][]byte{first}
	for i := 0; i < 3000; i++ {
		frames = append(frames, pattern(32*32))
	}
	many := mkGIF(32, 32, frames...)
	garbage := append(bytes.Clone(single[:len(single)-1]), bytes.Repeat([]byte{',', 0xff, 0x07}, 5000)...)
	want, err := gif.Decode(single, codec.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"3001 frames": many, "garbage after frame 1": garbage} {
		got, err := gif.Decode(data, codec.DefaultLimits)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(got.Index, want.Index) || !bytes.Equal(got.RGB, want.RGB) {
			t.Fatalf("%s: first frame differs", name)
		}
	}
	a, b := codectest.Allocated(20, func() { gif.Decode(single, codec.DefaultLimits) }), codectest.Allocated(20, func() { gif.Decode(many, codec.DefaultLimits) })
	if b > a+1024 {
		t.Fatalf("3001 frames allocated %d bytes, one frame %d", b, a)
	}
}

// TestTruncatedNeverPanics cuts a file at every length: no panic, every
// error wraps ErrFormat, and a cut inside the frame's data is an error.
func TestTruncatedNeverPanics(t *testing.T) {
	data := mkGIF(19, 13, pattern(19*13))
	dataEnd := len(data) - 3 // the last data bytes, block terminator, trailer
	gifCodec.Truncations(t, data, func(n int) bool { return n < dataEnd })
}
