package png_test

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"runtime"
	"strings"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/codec/png"
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

// allocated returns the bytes f allocates, averaged over runs.
func allocated(runs int, f func()) uint64 {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	for i := 0; i < runs; i++ {
		f()
	}
	runtime.ReadMemStats(&b)
	return (b.TotalAlloc - a.TotalAlloc) / uint64(runs)
}

// TestHugeHeaderRefused checks that an IHDR declaring 100000x100000 is
// refused with ErrTooLarge before anything large is allocated.
func TestHugeHeaderRefused(t *testing.T) {
	data := mkPNG(100000, 100000, 8, 2, deflate(make([]byte, 64)))
	_, err := png.Decode(data, codec.DefaultLimits)
	if !errors.Is(err, codec.ErrTooLarge) {
		t.Fatalf("Decode error %v, want ErrTooLarge", err)
	}
	cfg, err := png.DecodeConfig(data)
	if err != nil || cfg.Width != 100000 || cfg.Height != 100000 {
		t.Fatalf("DecodeConfig = %+v, %v", cfg, err)
	}
	allocs := testing.AllocsPerRun(100, func() { png.Decode(data, codec.DefaultLimits) })
	bytesPerRun := allocated(100, func() { png.Decode(data, codec.DefaultLimits) })
	if allocs > 20 || bytesPerRun > 4096 {
		t.Fatalf("refusing a huge header cost %.0f allocations, %d bytes", allocs, bytesPerRun)
	}
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
	if n := allocated(5, func() { png.Decode(data, codec.DefaultLimits) }); n > 256<<10 {
		t.Fatalf("decoding a zlib bomb allocated %d bytes", n)
	}
}

// TestTruncatedNeverPanics cuts a real file at every length: no panic, and
// every cut inside the image data is an error.
func TestTruncatedNeverPanics(t *testing.T) {
	rows := make([]byte, 0, 17*(1+17*4))
	for y := 0; y < 17; y++ {
		rows = append(rows, byte(y%5))
		for x := 0; x < 17*4; x++ {
			rows = append(rows, byte(x*y+x))
		}
	}
	z := deflate(rows)
	data := mkPNG(17, 17, 8, 6, z)
	if _, err := png.Decode(data, codec.DefaultLimits); err != nil {
		t.Fatalf("full file: %v", err)
	}
	// The last rows need the second half of the zlib stream at least (its
	// final bytes may be only the end of block and the checksum).
	idatEnd := 8 + 25 + 8 + len(z)/2
	for n := 0; n < len(data); n++ {
		_, err := png.Decode(data[:n], codec.DefaultLimits)
		if err != nil && strings.Contains(err.Error(), "internal decoder failure") {
			t.Fatalf("cut at %d: %v", n, err)
		}
		if n < idatEnd && err == nil {
			t.Fatalf("cut at %d (before offset %d, inside the image data) decoded without error", n, idatEnd)
		}
		if err != nil && !errors.Is(err, codec.ErrFormat) {
			t.Fatalf("cut at %d: error %v does not wrap ErrFormat", n, err)
		}
		if _, err := png.DecodeConfig(data[:n]); err != nil && strings.Contains(err.Error(), "internal") {
			t.Fatalf("DecodeConfig cut at %d: %v", n, err)
		}
	}
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
