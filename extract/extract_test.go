package extract_test

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/extract"
	"github.com/starlight/dataserver/internal/corpustest"
)

// corpusFiles returns the corpus images by format, read into memory.
func corpusFiles(tb testing.TB) map[codec.Format][][]byte {
	dir := corpustest.Datasets(tb)
	exp := corpustest.Expected(tb)
	paths := make([]string, 0, len(exp))
	for p := range exp {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	out := map[codec.Format][][]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			tb.Fatal(err)
		}
		out[codec.Sniff(b)] = append(out[codec.Sniff(b)], b)
	}
	return out
}

func TestRefusesOversizedFileBeforeDecoding(t *testing.T) {
	data := make([]byte, 2048)
	copy(data, "\x89PNG\r\n\x1a\n")
	_, err := extract.Extract(data, extract.Options{MaxFileSize: 1024})
	if !errors.Is(err, codec.ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
}

func TestRejectsUnknownFormat(t *testing.T) {
	_, err := extract.Extract([]byte("hello, not an image"), extract.Options{})
	if !errors.Is(err, codec.ErrFormat) {
		t.Fatalf("err = %v, want ErrFormat", err)
	}
}

// BenchmarkCorpus extracts every corpus image once per iteration on one
// goroutine; img/s is images per second per core.
func BenchmarkCorpus(b *testing.B) {
	var all [][]byte
	for _, fs := range corpusFiles(b) {
		all = append(all, fs...)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, data := range all {
			if _, err := extract.Extract(data, extract.Options{}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N*len(all))/b.Elapsed().Seconds(), "img/s")
}

// BenchmarkFormat extracts the corpus images of one format at a time.
func BenchmarkFormat(b *testing.B) {
	files := corpusFiles(b)
	for _, f := range []codec.Format{codec.FormatJPEG, codec.FormatPNG, codec.FormatGIF, codec.FormatWEBP, codec.FormatBMP} {
		b.Run(string(f), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				data := files[f][i%len(files[f])]
				if _, err := extract.Extract(data, extract.Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// FuzzExtract feeds arbitrary bytes through format sniffing, every decoder
// and stream assembly: no panic may escape and the limits must hold.
func FuzzExtract(f *testing.F) {
	for _, fs := range corpusFiles(f) {
		for _, b := range fs {
			if len(b) < 1<<17 {
				f.Add(b)
			}
		}
	}
	opt := extract.Options{Limits: codec.Limits{MaxPixels: 1 << 20, MaxDimension: 4096}, MaxFileSize: 1 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := extract.Extract(data, opt)
		if err != nil {
			return
		}
		if len(s.Pixel) != extract.PixelLen || len(s.Meta) != extract.MetaLen || len(s.PaletteLSB) != extract.PaletteLSBLen {
			t.Fatalf("bad stream lengths")
		}
	})
}
