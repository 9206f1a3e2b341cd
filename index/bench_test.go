package index

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// benchTree writes a tree of n files (n/10 per submission, nine tenths of
// them clean images in four formats, the rest raw stego images with their
// sidecars, so nothing needs decoding) and returns its root. Every image
// is a tiny valid file made unique by a comment.
func benchTree(b *testing.B, n int) string {
	root := b.TempDir()
	m := image.NewNRGBA(image.Rect(0, 0, 8, 8))
	for i := range m.Pix {
		m.Pix[i] = uint8(i * 37)
	}
	pal := image.NewPaletted(m.Rect, color.Palette{color.Black, color.White})
	templates := map[string][]byte{
		"png": encPNG(b, m), "gif": encGIF(b, pal), "jpg": encJPEG(b, m), "bmp": encBMP(b, m),
	}
	exts := []string{"png", "gif", "jpg", "bmp"}
	perSub := n / 10
	stego := perSub / 20 // images; as many sidecars
	for s := 0; s < 10; s++ {
		sub := filepath.Join(root, fmt.Sprintf("team%02d_submission_2025", s))
		for _, d := range []string{"clean", "stego"} {
			if err := os.MkdirAll(filepath.Join(sub, d), 0o755); err != nil {
				b.Fatal(err)
			}
		}
		for i := 0; i < perSub-2*stego; i++ {
			ext := exts[i%4]
			data := uniquify(templates[ext], ext, s*perSub+i)
			if err := os.WriteFile(filepath.Join(sub, "clean", fmt.Sprintf("c%06d.%s", i, ext)), data, 0o644); err != nil {
				b.Fatal(err)
			}
		}
		for i := 0; i < stego; i++ {
			ext := exts[i%4]
			name := fmt.Sprintf("payload_eoi_%06d.%s", i, ext)
			data := append(uniquify(templates[ext], ext, -1-s*perSub-i), "appended payload text"...)
			if err := os.WriteFile(filepath.Join(sub, "stego", name), data, 0o644); err != nil {
				b.Fatal(err)
			}
			sc := fmt.Sprintf(`{"embedding": {"category": "eoi", "technique": "raw", "ai42": false}, "clean_file": "c%06d.%s"}`, i, ext)
			if err := os.WriteFile(filepath.Join(sub, "stego", name+".json"), []byte(sc), 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	return root
}

// uniquify inserts a comment holding k into a tiny image of the given format.
func uniquify(t []byte, ext string, k int) []byte {
	tag := []byte(fmt.Sprintf("file %d", k))
	out := make([]byte, 0, len(t)+64)
	switch ext {
	case "png": // a tEXt chunk after IHDR
		chunk := binary.BigEndian.AppendUint32(nil, uint32(len(tag)+2))
		chunk = append(chunk, "tEXt"...)
		chunk = append(append(append(chunk, 'k'), 0), tag...)
		chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
		out = append(append(append(out, t[:33]...), chunk...), t[33:]...)
	case "gif": // a comment extension before the trailer
		out = append(append(out, t[:len(t)-1]...), 0x21, 0xFE, byte(len(tag)))
		out = append(append(out, tag...), 0, 0x3B)
	case "jpg": // a COM segment after SOI
		out = append(out, 0xFF, 0xD8, 0xFF, 0xFE, byte((len(tag)+2)>>8), byte(len(tag)+2))
		out = append(append(out, tag...), t[2:]...)
	case "bmp": // a different first pixel
		out = append(out, t...)
		off := binary.LittleEndian.Uint32(out[10:])
		binary.LittleEndian.PutUint32(out[off:], uint32(k))
	}
	return out
}

// BenchmarkBuild100k indexes a generated tree of 100,000 files from scratch.
func BenchmarkBuild100k(b *testing.B) {
	const n = 100_000
	root := benchTree(b, n)
	var s *Snapshot
	for b.Loop() {
		var err error
		if s, err = Build(context.Background(), root, Options{Workers: benchWorkers, HeaderOnly: true}); err != nil {
			b.Fatal(err)
		}
	}
	if len(s.Samples) != n-n/20 || s.Errors() != 0 {
		b.Fatalf("%d samples, %d errors; first problems: %v", len(s.Samples), s.Errors(), s.Problems[:min(3, len(s.Problems))])
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "files/s")
}

// BenchmarkRebuild100k re-indexes the same tree with the previous snapshot:
// nothing changed, so only the walk and the stat of each file remain.
func BenchmarkRebuild100k(b *testing.B) {
	const n = 100_000
	root := benchTree(b, n)
	prev, err := Build(context.Background(), root, Options{HeaderOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		s, err := Build(context.Background(), root, Options{Previous: prev, HeaderOnly: true})
		if err != nil || s.ID != prev.ID {
			b.Fatalf("rebuild: %v, id %s vs %s", err, s.ID, prev.ID)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "files/s")
}

// benchWorkers is Options.Workers in the benchmarks (0: GOMAXPROCS).
var benchWorkers, _ = strconv.Atoi(os.Getenv("INDEX_BENCH_WORKERS"))

// BenchmarkRestart100k re-indexes the same tree as a restarted server
// does: a new process has no previous snapshot, only the store under its
// cache dir (opened, read, checked, closed each time).
func BenchmarkRestart100k(b *testing.B) {
	const n = 100_000
	root := benchTree(b, n)
	dir := b.TempDir()
	st, err := OpenStore(dir, root, Options{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	first, err := Build(context.Background(), root, Options{Store: st, HeaderOnly: true})
	st.Close()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		st, err := OpenStore(dir, root, Options{}, func(e StoreEvent) { b.Fatalf("store event: %+v", e) })
		if err != nil {
			b.Fatal(err)
		}
		s, err := Build(context.Background(), root, Options{Store: st, HeaderOnly: true})
		st.Close()
		if err != nil || s.ID != first.ID {
			b.Fatalf("restart: %v, id %s vs %s", err, s.ID, first.ID)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "files/s")
}
