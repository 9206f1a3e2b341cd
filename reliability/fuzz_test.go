package reliability

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/extract"
	"github.com/starlight/dataserver/index"
	"github.com/starlight/dataserver/internal/testbin"
	"github.com/starlight/dataserver/internal/treetest"
)

// fuzzOptions keep a fuzzed tree's images small.
var fuzzOptions = index.Options{Workers: 1, MaxFileSize: 1 << 20, Limits: codec.Limits{MaxPixels: 1 << 18, MaxDimension: 2048}}

// FuzzIndexTree writes fuzzed bytes as a negative image, as a stego image
// with a fuzzed sidecar, and as a fuzzed manifest into a small tree, and
// indexes it. The build must finish without error and without catching a
// panic; a sample not served must have an error naming it or its sidecar;
// a served negative (decoded by the index) must extract.
func FuzzIndexTree(f *testing.F) {
	if dir, err := corpusDirNoSkip(); err == nil {
		for _, rel := range []string{
			"gamma_submission_2025/clean/edge-1-png-small-64.png",
			"gamma_submission_2025/clean/edge-1-jpeg-small-97x61.jpeg",
			"gamma_submission_2025/clean/edge-1-png-bilevel.png",
		} {
			if b, err := os.ReadFile(filepath.Join(dir, rel)); err == nil {
				f.Add(b, []byte(`{"embedding":{"technique":"lsb.rgb","bit_order":"lsb-first"},"clean_file":"c.png"}`), []byte(`{"filename":"x.png","category":"special_cases","expected_behavior":"clean"}`))
			}
		}
	}
	f.Add(bombPNG(1, 1), []byte(`{"embedding":{"technique":"alpha"}}`), []byte(`{"file_path":"special_cases/x.png","label":"clean"}`))
	f.Add(gifScreenBomb(2, 2), []byte(`{}`), []byte("\n\n{"))
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPVP8L"), []byte(`[`), []byte(`{"file_path":"../x.png"}`))
	f.Fuzz(func(t *testing.T, img, sidecar, manifest []byte) {
		if len(img) > 1<<16 || len(sidecar) > 1<<12 || len(manifest) > 1<<12 {
			return
		}
		root := t.TempDir()
		sub := "f_submission_2025/"
		treetest.WriteFile(t, root, sub+"negatives/special_cases/x.png", img)
		treetest.WriteFile(t, root, sub+"negatives/manifest.jsonl", manifest)
		treetest.WriteFile(t, root, sub+"stego/x_lsb_000.png", img)
		treetest.WriteFile(t, root, sub+"stego/x_lsb_000.png.json", sidecar)
		snap, err := index.Build(context.Background(), root, fuzzOptions)
		if err != nil {
			t.Fatalf("Build: %v", err)
		}
		for _, p := range snap.Problems {
			if p.Code == index.CodeInternal {
				t.Fatalf("internal problem: %s", p)
			}
		}
		for _, s := range snap.Samples {
			if s.Accepted {
				if s.Kind == index.KindNegative {
					if _, err := extract.Extract(img, extract.Options{Limits: fuzzOptions.Limits, MaxFileSize: fuzzOptions.MaxFileSize}); err != nil {
						t.Fatalf("served negative %s does not extract: %v", s.Path, err)
					}
				}
				continue
			}
			named := false
			for _, p := range snap.Problems {
				if p.Severity == index.SeverityError && (p.Path == s.Path || strings.HasPrefix(p.Path, strings.TrimSuffix(s.Path, ".png")) || p.Path == sub+"negatives/manifest.jsonl") {
					named = true
				}
			}
			if !named {
				t.Fatalf("%s not served and no error names it: %v", s.Path, snap.Problems)
			}
		}
	})
}

// corpusDirNoSkip returns the corpus's datasets folder without skipping
// (fuzz seeds are optional).
func corpusDirNoSkip() (string, error) {
	root, err := testbin.ModuleRoot()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(root, "..", "shared", "corpus", "datasets")
	_, err = os.Stat(dir)
	return dir, err
}
