package feed

import (
	"bytes"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/starlight/dataserver/extract"
	"github.com/starlight/dataserver/internal/corpustest"
	"github.com/starlight/dataserver/internal/testbin"
)

// sameStreams fails unless a and b serve the same bytes, the derived lsb
// and alpha streams included.
func sameStreams(t testing.TB, name string, a, b *extract.Streams) {
	t.Helper()
	for _, c := range []struct {
		stream string
		x, y   []byte
	}{
		{"pixel", a.Pixel, b.Pixel}, {"meta", a.Meta, b.Meta}, {"alpha_full", a.AlphaFull, b.AlphaFull},
		{"palette", a.Palette, b.Palette}, {"palette_lsb", a.PaletteLSB, b.PaletteLSB},
		{"lsb", a.LSB(), b.LSB()}, {"alpha", a.AlphaLSB(), b.AlphaLSB()},
	} {
		if !bytes.Equal(c.x, c.y) {
			t.Fatalf("%s: stream %s differs after the disk cache", name, c.stream)
		}
	}
	if a.Format != b.Format || a.Mode != b.Mode || a.Width != b.Width || a.Height != b.Height ||
		a.FormatVec != b.FormatVec || a.Content != b.Content {
		t.Fatalf("%s: header or vectors differ after the disk cache: %+v vs %+v", name, a.FormatVec, b.FormatVec)
	}
}

// imageFiles lists the image files under root.
func imageFiles(t testing.TB, root string) []string {
	var out []string
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp":
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDiskEntryCorpus: every corpus image that extracts comes back from a
// disk entry with the same bytes in every stream.
func TestDiskEntryCorpus(t *testing.T) {
	files := imageFiles(t, corpustest.Datasets(t))
	n := 0
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		want, err := extract.Extract(data, extract.Options{})
		if err != nil {
			continue
		}
		got, err := decodeEntry(encodeEntry(want, extract.Version, testID), extract.Version, testID)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		sameStreams(t, p, want, got)
		n++
	}
	if n < 100 {
		t.Fatalf("only %d corpus images extracted", n)
	}
	t.Logf("%d corpus images round-tripped", n)
}

const testID = "00000000000000000000000000000000000000000000000000000000000000aa"

// TestDiskEntryPlaneKinds covers each way a plane is stored: random planes
// (raw), all zero (nothing), 0/1 (packed) and a palette_lsb plane that is
// not 0/1 (raw, never packed lossily).
func TestDiskEntryPlaneKinds(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := func(n int, max byte) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.UintN(uint(max) + 1))
		}
		return b
	}
	for name, s := range map[string]*extract.Streams{
		"random":       {Pixel: random(extract.PixelLen, 255), Meta: random(extract.MetaLen, 255), AlphaFull: random(extract.AlphaLen, 255), Palette: random(extract.PaletteLen, 255), PaletteLSB: random(extract.PaletteLSBLen, 1)},
		"zero":         {Pixel: make([]byte, extract.PixelLen), Meta: make([]byte, extract.MetaLen), AlphaFull: make([]byte, extract.AlphaLen), Palette: make([]byte, extract.PaletteLen), PaletteLSB: make([]byte, extract.PaletteLSBLen)},
		"lsb not bits": {Pixel: random(extract.PixelLen, 255), Meta: make([]byte, extract.MetaLen), AlphaFull: make([]byte, extract.AlphaLen), Palette: random(extract.PaletteLen, 255), PaletteLSB: random(extract.PaletteLSBLen, 2)},
	} {
		s.Format, s.Mode, s.Width, s.Height = "PNG", "P", 512, 7
		s.Content[5] = 0.125
		e := encodeEntry(s, extract.Version, testID)
		got, err := decodeEntry(e, extract.Version, testID)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		sameStreams(t, name, s, got)
		if name == "zero" && len(e) > 400 {
			t.Errorf("an all-zero entry takes %d bytes", len(e))
		}
	}
}

// BenchmarkDiskEntryTrainset writes the disk entry of every image of
// ../shared/trainset and reports the mean bytes per image (the goal is
// under 150 KB), against the raw streams; decoding an entry is timed.
//
//	go test ./feed -run NONE -bench DiskEntryTrainset -benchtime 1x
func BenchmarkDiskEntryTrainset(b *testing.B) {
	mod, err := testbin.ModuleRoot()
	if err != nil {
		b.Fatal(err)
	}
	root := filepath.Join(mod, "..", "shared", "trainset")
	if _, err := os.Stat(root); err != nil {
		b.Skipf("TRAINSET NOT FOUND at %s: skipping (%v)", root, err)
	}
	var entries [][]byte
	var raw int
	for _, p := range imageFiles(b, root) {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		s, err := extract.Extract(data, extract.Options{})
		if err != nil {
			continue
		}
		entries = append(entries, encodeEntry(s, extract.Version, testID))
		raw += s.Bytes()
	}
	total := 0
	for _, e := range entries {
		total += len(e)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, e := range entries {
			if _, err := decodeEntry(e, extract.Version, testID); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(total)/float64(len(entries)), "bytes/image")
	b.ReportMetric(float64(raw)/float64(len(entries)), "raw-bytes/image")
	b.ReportMetric(float64(len(entries)), "images")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(entries)), "decode-ns/image")
}
