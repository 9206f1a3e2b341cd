package png_test

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"strings"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/codec/png"
	"github.com/starlight/dataserver/internal/codectest"
)

// mkChunk builds one chunk with a correct CRC.
func mkChunk(typ string, data []byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	out = append(out, typ...)
	out = append(out, data...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[4:]))
}

// mkPNG builds a PNG from an IHDR and a zlib payload.
func mkPNG(w, h uint32, depth, ctype byte, z []byte) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, depth, ctype, 0, 0, 0)
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, mkChunk("IHDR", ihdr)...)
	out = append(out, mkChunk("IDAT", z)...)
	return append(out, mkChunk("IEND", nil)...)
}

// deflate compresses b with zlib.
func deflate(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// TestHugeHeaderRefused checks that an IHDR declaring 100000x100000 is
// refused with ErrTooLarge before anything large is allocated.
func TestHugeHeaderRefused(t *testing.T) {
	data := hugeHeader()
	cfg, err := png.DecodeConfig(data)
	if err != nil || cfg.Width != 100000 || cfg.Height != 100000 {
		t.Fatalf("DecodeConfig = %+v, %v", cfg, err)
	}
	pngCodec.RefusesHuge(t, data)
}

// TestZlibBombBounded feeds a small image whose IDAT inflates to 16 MiB:
// only the bytes the image needs are inflated and allocation stays near
// the image's own size.
func TestZlibBombBounded(t *testing.T) {
	const w, h = 64, 64
	data := mkPNG(w, h, 8, 0, deflate(make([]byte, 16<<20)))
	img, err := png.Decode(data, codec.DefaultLimits)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if img.Width != w || img.Height != h {
		t.Fatalf("size %dx%d", img.Width, img.Height)
	}
	if n := codectest.Allocated(5, func() { png.Decode(data, codec.DefaultLimits) }); n > 256<<10 {
		t.Fatalf("decoding a zlib bomb allocated %d bytes", n)
	}
}

// TestTruncatedNeverPanics cuts a 17x17 RGBA file at every length: no
// panic, every error wraps ErrFormat, and every cut inside the image data
// is an error.
func TestTruncatedNeverPanics(t *testing.T) {
	rows := make([]byte, 0, 17*(1+17*4))
	for y := 0; y < 17; y++ {
		rows = append(rows, byte(y%5))
		for x := 0; x < 17*4; x++ {
			rows = append(rows, byte(x*y+x))
		}
	}
	z := deflate(rows)
	// The last rows need the second half of the zlib stream at least (its
	// final bytes may be only the end of block and the checksum).
	idatEnd := 8 + 25 + 8 + len(z)/2
	pngCodec.Truncations(t, mkPNG(17, 17, 8, 6, z), func(n int) bool { return n < idatEnd })
}

// TestAncillaryInflateBudget checks that compressed chunks with an empty
// key (which Pillow's 64 MiB text limit does not count) cannot make the
// decoder inflate without bound: past 128 MiB in total the file is refused.
func TestAncillaryInflateBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("inflates 130 MiB")
	}
	z := deflate(make([]byte, 1<<20))
	ztxt := mkChunk("zTXt", append([]byte{0, 0}, z...))
	img := mkPNG(1, 1, 8, 0, deflate([]byte{0, 7}))
	data := append([]byte{}, img[:33]...)
	for i := 0; i < 130; i++ {
		data = append(data, ztxt...)
	}
	data = append(data, img[33:]...)
	if _, err := png.Decode(data, codec.DefaultLimits); err == nil || !strings.Contains(err.Error(), "in total") {
		t.Fatalf("Decode error %v, want the inflation budget error", err)
	}
	few := append(append(append([]byte{}, img[:33]...), ztxt...), img[33:]...)
	if _, err := png.Decode(few, codec.DefaultLimits); err != nil {
		t.Fatalf("one 1 MiB zTXt chunk: %v", err)
	}
}
