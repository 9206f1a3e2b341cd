package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"

	"github.com/starlight/dataserver/extract"
	"github.com/starlight/dataserver/internal/corpustest"
)

// TestDigestPipelineMatchesPlainDigests runs the digest pipeline over the
// corpus plus a damaged file, with one and with several workers, and
// requires the lines, in path order, that a plain loop gives by hashing
// the materialised streams one image at a time.
func TestDigestPipelineMatchesPlainDigests(t *testing.T) {
	src := corpustest.Datasets(t)
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "broken.png"), []byte("\x89PNG\r\n\x1a\nnot really"), 0o644); err != nil {
		t.Fatal(err)
	}
	files, err := imageFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	for _, rel := range files {
		line := digestLine{Path: rel}
		data, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			t.Fatal(err)
		}
		if s, err := extract.Extract(data, extract.Options{}); err != nil {
			line.Error = err.Error()
		} else {
			d := plainDigests(s)
			line.Format, line.Mode, line.Size, line.Streams = s.Format, s.Mode, []int{s.Width, s.Height}, &d
		}
		if err := enc.Encode(line); err != nil {
			t.Fatal(err)
		}
	}
	for _, workers := range []int{1, 3} {
		var got bytes.Buffer
		if err := digestTree(context.Background(), root, files, workers, &got, nil); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("workers=%d: digest output differs from the plain digests (%d vs %d bytes)", workers, got.Len(), want.Len())
		}
	}
	if !bytes.Contains(want.Bytes(), []byte(`"path":"broken.png","error"`)) {
		t.Fatalf("the damaged file has no error line")
	}
}

// plainDigests hashes every stream as it is laid out, with no shortcut.
func plainDigests(s *extract.Streams) extract.Digests {
	h := func(b []byte) string {
		sum := sha256.Sum256(b)
		return hex.EncodeToString(sum[:])
	}
	d := s.Digest() // for the vectors only
	d.Pixel, d.Meta, d.Alpha, d.LSB = h(s.Pixel), h(s.Meta), h(s.AlphaLSB()), h(s.LSB())
	d.Palette, d.PaletteLSB = h(s.Palette), h(s.PaletteLSB)
	return d
}

// BenchmarkDigestTrainset runs the digest pipeline with one worker over
// the images of ../shared/trainset, as `dataserver digest` does, to
// profile the command in-process (-cpuprofile); img/cpu-s is per second of
// the process's CPU time.
func BenchmarkDigestTrainset(b *testing.B) {
	root := corpustest.Trainset(b)
	files, err := imageFiles(root)
	if err != nil {
		b.Fatal(err)
	}
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	b.ResetTimer()
	cpu := corpustest.CPUTime()
	for i := 0; i < b.N; i++ {
		if err := digestTree(context.Background(), root, files, 1, io.Discard, nil); err != nil {
			b.Fatal(err)
		}
	}
	cpu = corpustest.CPUTime() - cpu
	b.ReportMetric(float64(b.N*len(files))/b.Elapsed().Seconds(), "img/s")
	b.ReportMetric(float64(b.N*len(files))/cpu.Seconds(), "img/cpu-s")
}
