package payload

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/extract"
)

// fuzzLimits keep decoded fuzz images tiny.
var fuzzLimits = extract.Options{Limits: codec.Limits{MaxPixels: 1 << 16, MaxDimension: 1024}, MaxFileSize: 1 << 20}

// seedFiles adds a few corpus files (when present) and the synthetic
// pictures to a fuzz corpus.
func seedFiles(f *testing.F, add func([]byte)) {
	f.Helper()
	for _, d := range encodedF(f) {
		add(d)
	}
	wd, _ := os.Getwd()
	root := filepath.Join(wd, "..", "..", "shared", "corpus", "datasets")
	for _, pat := range []string{"*/stego/*_00[01].*", "*/clean/edge-1-*.gif", "*/clean/edge-1-bmp-*"} {
		files, _ := filepath.Glob(filepath.Join(root, pat))
		for _, p := range files {
			if filepath.Ext(p) == ".json" {
				continue
			}
			if d, err := os.ReadFile(p); err == nil && len(d) < 1<<20 {
				add(d)
			}
		}
	}
}

// encodedF returns small hand-made containers as fuzz seeds.
func encodedF(f *testing.F) [][]byte {
	f.Helper()
	return [][]byte{
		webpContainer([]byte("VP8L"), make([]byte, 30)),
		[]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
		[]byte("\xff\xd8\xff\xd9"),
		[]byte("BM\x1e\x00\x00\x00\x00\x00\x00\x00\x1a\x00\x00\x00\x0c\x00\x00\x00\x01\x00\x01\x00\x01\x00\x18\x00\x00\x00\x00\x00"),
	}
}

// FuzzEnd checks that the end-of-image walker never panics and stays inside the data.
func FuzzEnd(f *testing.F) {
	seedFiles(f, func(d []byte) { f.Add(d) })
	f.Fuzz(func(t *testing.T, data []byte) {
		end, err := End(data)
		if err == nil && (end < 0 || end > len(data)) {
			t.Fatalf("End = %d outside [0,%d]", end, len(data))
		}
		if tail, err := Tail(data, 100); err == nil && len(tail) > 100 {
			t.Fatalf("Tail returned %d bytes, max 100", len(tail))
		}
	})
}

// FuzzUserComment checks the EXIF extractor on arbitrary files.
func FuzzUserComment(f *testing.F) {
	seedFiles(f, func(d []byte) { f.Add(d) })
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := UserComment(data)
		if err == nil && len(c) > len(data) {
			t.Fatalf("comment of %d bytes from %d", len(c), len(data))
		}
		DetectComment(data)
	})
}

// FuzzPixels decodes arbitrary files under tight limits and runs the
// three pixel extractors in both orders plus Detect.
func FuzzPixels(f *testing.F) {
	seedFiles(f, func(d []byte) { f.Add(d, uint8(0)) })
	f.Fuzz(func(t *testing.T, data []byte, sel uint8) {
		img, err := extract.Decode(data, fuzzLimits)
		if err != nil {
			return
		}
		m := []Method{Alpha, Palette, LSBRGB}[int(sel)%3]
		o := Order(sel / 3 % 2)
		p, err := Pixels(img, m, o, 4096)
		if err == nil && len(p) > 4096 {
			t.Fatalf("%s returned %d bytes, max 4096", m, len(p))
		}
		for _, fd := range Detect(data, img) {
			if len(fd.Preview) > previewLen {
				t.Fatalf("preview of %d bytes", len(fd.Preview))
			}
		}
	})
}

// FuzzScan checks the payload rule on arbitrary byte strings.
func FuzzScan(f *testing.F) {
	f.Add([]byte("AI42"))
	f.Add([]byte(poem + "\x00"))
	f.Add([]byte("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ev, n, head, ok := Scan(bytes.NewReader(data))
		if !ok {
			return
		}
		if n > len(data) || !bytes.HasPrefix(data, head) {
			t.Fatalf("Scan = %s %d %q on %q", ev, n, head, data)
		}
		if ev == EvidenceText && (n < MinText || data[n] != 0) {
			t.Fatalf("text evidence of %d bytes not NUL-terminated in %q", n, data)
		}
	})
}
