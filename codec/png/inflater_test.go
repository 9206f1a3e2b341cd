package png

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/internal/testbin"
)

// diffStdlib decodes data's pixels with the inflater and with the
// compress/zlib decoder it replaced (stdlib_oracle_test.go) and describes
// any difference: in success, error, pixels, the chunk the decoder stopped
// in or the APNG sequence number. Inputs whose header does not scan, or
// larger than 1 Mpixel, are passed over.
func diffStdlib(data []byte) string {
	s1, err := scanHeader(data, true)
	if err != nil {
		return ""
	}
	cfg := s1.config()
	if cfg.Width*cfg.Height > 1<<20 {
		return ""
	}
	s2, _ := scanHeader(data, true)
	o1, o2 := newOutput(cfg), newOutput(cfg)
	end1, err1 := decodePixelsStd(s1, o1)
	end2, err2 := decodePixels(s2, o2)
	switch {
	case (err1 == nil) != (err2 == nil):
		return fmt.Sprintf("error %v, compress/zlib's %v", err2, err1)
	case err1 != nil:
		// The offset compress/flate names in a corrupt-input error is its
		// own bookkeeping; the kind of error must agree.
		if m1, m2 := errKind(err1), errKind(err2); m1 != m2 {
			return fmt.Sprintf("error %q, compress/zlib's %q", err2, err1)
		}
		return ""
	case end1 != end2:
		return fmt.Sprintf("stopped in the chunk ending at %d, compress/zlib at %d", end2, end1)
	case s1.seq != s2.seq:
		return fmt.Sprintf("sequence %d, compress/zlib %d", s2.seq, s1.seq)
	case !bytes.Equal(o1.rgb, o2.rgb) || !bytes.Equal(o1.alpha, o2.alpha) || !bytes.Equal(o1.index, o2.index):
		return "pixels differ"
	}
	return ""
}

func errKind(err error) string {
	m := err.Error()
	if i := strings.Index(m, "corrupt input before offset"); i >= 0 {
		return m[:i]
	}
	return m
}

// sharedPNGs returns the PNG files of ../shared/corpus and every fourth
// of ../shared/trainset, those that exist (none when both are absent).
func sharedPNGs(tb testing.TB) [][]byte {
	mod, err := testbin.ModuleRoot()
	if err != nil {
		tb.Fatal(err)
	}
	var out [][]byte
	for _, d := range []string{"corpus", "trainset"} {
		root := filepath.Join(mod, "..", "shared", d, "datasets")
		seen := 0
		filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
			if err == nil && !e.IsDir() && strings.HasSuffix(p, ".png") {
				if seen++; d == "trainset" && seen%4 != 0 {
					return nil
				}
				if b, err := os.ReadFile(p); err == nil {
					out = append(out, b)
				}
			}
			return nil
		})
	}
	return out
}

// vectorPNGs returns the Pillow edge cases of testdata.
func vectorPNGs(tb testing.TB) [][]byte {
	paths, _ := filepath.Glob(filepath.Join("testdata", "pillow", "case-*.png"))
	if len(paths) == 0 {
		tb.Fatal("no Pillow vectors in testdata/pillow")
	}
	var out [][]byte
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// TestInflaterMatchesStdlib compares the two decoders on the Pillow
// vectors, the shared corpus and trainset PNGs, and on damaged copies of
// the vectors: cut at every length, and with bytes changed at random.
func TestInflaterMatchesStdlib(t *testing.T) {
	files := append(vectorPNGs(t), sharedPNGs(t)...)
	for i, b := range files {
		if d := diffStdlib(b); d != "" {
			t.Errorf("file %d: %s", i, d)
		}
	}
	r := rand.New(rand.NewPCG(16, 2))
	damaged := 0
	for i, b := range vectorPNGs(t) {
		for n := 8; n < len(b); n++ {
			if d := diffStdlib(b[:n]); d != "" {
				t.Errorf("vector %d cut at %d: %s", i, n, d)
			}
		}
		for k := 0; k < 120; k++ {
			m := bytes.Clone(b)
			for j := 0; j <= k%3; j++ {
				m[33+r.IntN(len(m)-33)] ^= byte(1 << r.IntN(8))
			}
			damaged++
			if d := diffStdlib(m); d != "" {
				t.Errorf("vector %d damaged (%d): %s", i, k, d)
			}
		}
	}
	t.Logf("%d files, %d damaged copies", len(files), damaged)
}

// TestInflateMatchesFlate compares the inflater with compress/flate on
// whole deflate streams, large ones included: every compression level,
// stored and Huffman-only blocks, then cut and damaged copies. Output up
// to the error and whether there is one must agree.
func TestInflateMatchesFlate(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 9))
	var inputs [][]byte
	for _, size := range []int{0, 1, 100, 70000, 300000} {
		raw := make([]byte, size)
		for i := range raw {
			// runs and noise, so matches of every length and distance occur
			if i > 300 && r.IntN(3) == 0 {
				raw[i] = raw[i-1-r.IntN(300)]
			} else {
				raw[i] = byte(r.IntN(7) * r.IntN(40))
			}
		}
		for _, level := range []int{flate.HuffmanOnly, flate.NoCompression, flate.BestSpeed, 5, flate.BestCompression} {
			var b bytes.Buffer
			w, _ := flate.NewWriter(&b, level)
			w.Write(raw[:size/2])
			w.Flush() // an empty stored block
			w.Write(raw[size/2:])
			w.Close()
			inputs = append(inputs, b.Bytes())
		}
	}
	check := func(name string, in []byte) {
		want, werr := io.ReadAll(flate.NewReader(bytes.NewReader(in)))
		got, st, _, gerr := inflate(in, make([]byte, 0, len(want)+1<<20), 1<<40, io.EOF)
		if (werr == nil) != (st == stateEnd) || !bytes.Equal(got, want) {
			t.Errorf("%s: %d bytes, state %d, %v; compress/flate %d bytes, %v", name, len(got), st, gerr, len(want), werr)
		}
	}
	for i, in := range inputs {
		check(fmt.Sprintf("stream %d", i), in)
		for k := 0; k < 40; k++ {
			check(fmt.Sprintf("stream %d cut %d", i, k), in[:r.IntN(len(in)+1)])
			if len(in) > 0 {
				m := bytes.Clone(in)
				m[r.IntN(len(m))] ^= byte(1 << r.IntN(8))
				check(fmt.Sprintf("stream %d damaged %d", i, k), m)
			}
		}
	}
}

// FuzzInflaterMatchesStdlib runs TestInflaterMatchesStdlib's comparison
// on arbitrary inputs.
func FuzzInflaterMatchesStdlib(f *testing.F) {
	for _, b := range vectorPNGs(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if d := diffStdlib(data); d != "" {
			t.Fatal(d)
		}
	})
}

// putChunk appends a chunk with its CRC.
func putChunk(out []byte, typ string, b []byte) []byte {
	out = binary.BigEndian.AppendUint32(out, uint32(len(b)))
	start := len(out)
	out = append(out, typ...)
	out = append(out, b...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[start:]))
}

// rechunk returns png with its IDAT data cut into chunks of size bytes.
func rechunk(png []byte, size int) []byte {
	out := append([]byte{}, png[:8]...)
	var z []byte
	put := func(typ string, b []byte) { out = putChunk(out, typ, b) }
	flushed := false
	flush := func() {
		if len(z) > 0 && !flushed {
			for i := 0; i < len(z); i += size {
				put("IDAT", z[i:min(i+size, len(z))])
			}
			flushed = true
		}
	}
	for p := 8; p+12 <= len(png); {
		n := int(binary.BigEndian.Uint32(png[p:]))
		typ := string(png[p+4 : p+8])
		if p+12+n > len(png) {
			break
		}
		body := png[p+8 : p+8+n]
		p += 12 + n
		if typ == "IDAT" {
			z = append(z, body...)
			continue
		}
		flush()
		put(typ, body)
	}
	flush()
	return out
}

// TestInflaterStopsInTheSameChunk splits the image data of the vectors and
// of large images (whose inflation passes compress/flate's window) into
// small chunks, with and without data after the image and cut short, so
// that every way the decoders can stop falls near a chunk boundary.
func TestInflaterStopsInTheSameChunk(t *testing.T) {
	var files [][]byte
	for _, b := range vectorPNGs(t) {
		if _, err := Decode(b, codec.DefaultLimits); err == nil && bytes.Contains(b, []byte("IDAT")) {
			files = append(files, b)
		}
	}
	vectors := len(files)
	r := rand.New(rand.NewPCG(3, 4))
	for _, dim := range [][2]int{{200, 170}, {128, 64}} {
		w, h := dim[0], dim[1]
		raw := make([]byte, 0, h*(1+3*w)+40000)
		for y := 0; y < h; y++ {
			raw = append(raw, byte(y%5))
			for x := 0; x < 3*w; x++ {
				raw = append(raw, byte(r.IntN(4)*(x+y)))
			}
		}
		for _, extra := range []int{0, 1, 2, 7, 40000} {
			data := append(bytes.Clone(raw), make([]byte, extra)...)
			for _, level := range []int{flate.BestSpeed, flate.NoCompression} {
				var zb bytes.Buffer
				zw, _ := flate.NewWriter(&zb, level)
				zw.Write(data[:len(raw)])
				if extra > 0 {
					zw.Flush() // an empty stored block right after the image
				}
				zw.Write(data[len(raw):])
				zw.Close()
				z := append([]byte{0x78, 0x01}, zb.Bytes()...)
				sum := adler(data)
				z = append(z, byte(sum>>24), byte(sum>>16), byte(sum>>8), byte(sum))
				files = append(files, rawPNG(w, h, z))
			}
		}
	}
	cases, decoded := 0, 0
	for i, b := range files {
		for _, size := range []int{1, 2, 3, 5, 64, 1000, 4096} {
			if size < 5 && len(b) > 20000 {
				continue // cut small already near the window's end
			}
			c := rechunk(b, size)
			cases++
			if _, err := Decode(c, codec.DefaultLimits); err == nil {
				decoded++
			} else if i >= vectors {
				// (a vector with image data in more than one run of
				// chunks may not survive rechunk, and need not)
				t.Errorf("file %d in %d-byte chunks does not decode: %v", i, size, err)
			}
			if d := diffStdlib(c); d != "" {
				t.Errorf("file %d in %d-byte chunks: %s", i, size, d)
			}
			for k := 0; k < 6; k++ {
				cases++
				if d := diffStdlib(c[:len(c)-1-r.IntN(min(len(c)-1, 300))]); d != "" {
					t.Errorf("file %d in %d-byte chunks, cut: %s", i, size, d)
				}
			}
		}
	}
	t.Logf("%d cases, %d whole files decoded", cases, decoded)
}

// rawPNG wraps a zlib stream as the IDAT of a w x h 8-bit RGB PNG.
func rawPNG(w, h int, z []byte) []byte {
	ihdr := []byte{0, 0, byte(w >> 8), byte(w), 0, 0, byte(h >> 8), byte(h), 8, 2, 0, 0, 0}
	b := []byte(signature)
	for _, c := range []struct {
		typ  string
		body []byte
	}{{"IHDR", ihdr}, {"IDAT", z}, {"tEXt", []byte("k\x00v")}, {"IEND", nil}} {
		b = putChunk(b, c.typ, c.body)
	}
	return b
}

func adler(b []byte) uint32 {
	s1, s2 := uint32(1), uint32(0)
	for _, v := range b {
		s1 = (s1 + uint32(v)) % 65521
		s2 = (s2 + s1) % 65521
	}
	return s2<<16 | s1
}

// TestInflaterStopsWhereFlateReadTo covers compress/flate reading ahead of
// the bits it consumes: before each literal/length code it reads as many
// bits as the block's end-of-block code is long. Images whose zlib stream
// runs on past the image and past compress/flate's window, in one-byte
// chunks, show any difference in where the decoders stop.
func TestInflaterStopsWhereFlateReadTo(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for k := 0; k < 60; k++ {
		w, h := 60+r.IntN(40), 60+r.IntN(40)
		raw := make([]byte, h*(1+3*w)+40000+r.IntN(3000))
		skew := 2 + r.IntN(60)
		for i := range raw {
			raw[i] = byte(r.IntN(skew) * r.IntN(1+k%5))
		}
		for y := 0; y < h; y++ {
			raw[y*(1+3*w)] = 0 // filter type none
		}
		var zb bytes.Buffer
		zw, _ := flate.NewWriter(&zb, 1+k%9)
		zw.Write(raw)
		zw.Close()
		z := append([]byte{0x78, 0x01}, zb.Bytes()...)
		sum := adler(raw)
		z = append(z, byte(sum>>24), byte(sum>>16), byte(sum>>8), byte(sum))
		c := rechunk(rawPNG(w, h, z), 1)
		if d := diffStdlib(c); d != "" {
			t.Errorf("case %d: %s", k, d)
		}
	}
}
