package codectest

import (
	"bytes"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/internal/corpustest"
)

// Corpus decodes every corpus file of c's format (chosen by magic bytes),
// one subtest each named by its path, and compares mode, size and the
// pixel-derived stream digests with expected.jsonl, the planes with
// c.Planes, and the full RGB with the reference decoding where there is
// one. It fails when the corpus holds no such file, skips when the corpus
// is absent, and returns how many files it checked and how many of them
// against a reference decoding.
func (c Codec) Corpus(t *testing.T) (n, refs int) {
	t.Helper()
	exp := corpustest.Expected(t)
	files := corpustest.Files(t, c.Format)
	if len(files) == 0 {
		t.Fatalf("no %s file found in the corpus", c.Format)
	}
	for _, f := range files {
		t.Run(f.Rel, func(t *testing.T) {
			e, ok := exp[f.Rel]
			if !ok {
				t.Fatalf("%s has no entry in expected.jsonl", f.Rel)
			}
			if c.checkEntry(t, f, e) {
				refs++
			}
		})
	}
	t.Logf("%d files checked, %d against a reference RGB decoding", len(files), refs)
	return len(files), refs
}

// checkEntry decodes one file and compares it with its expected entry, and
// with its reference RGB decoding when there is one (reporting whether).
func (c Codec) checkEntry(t *testing.T, f corpustest.File, e corpustest.Entry) bool {
	t.Helper()
	cfg, err := c.DecodeConfig(f.Data)
	if err != nil {
		t.Fatalf("DecodeConfig: %v", err)
	}
	img, err := c.Decode(f.Data, codec.DefaultLimits)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if cfg != img.Config {
		t.Errorf("DecodeConfig %+v != Decode %+v", cfg, img.Config)
	}
	if string(img.Mode) != e.Mode || img.Width != e.Size[0] || img.Height != e.Size[1] {
		t.Fatalf("got %s %dx%d, want %s %dx%d", img.Mode, img.Width, img.Height, e.Mode, e.Size[0], e.Size[1])
	}
	if err := c.planes(img); err != nil {
		t.Errorf("%v", err)
	}
	for name, got := range corpustest.StreamDigests(img) {
		if want := e.Digest(name); got != want {
			t.Errorf("%s stream digest %s, want %s", name, got, want)
		}
	}
	ref, ok := corpustest.ReferenceRGB(t, f.Rel)
	if !ok {
		return false
	}
	if !bytes.Equal(img.RGB, ref) {
		t.Errorf("RGB differs from %s", corpustest.ReferencePath(t, f.Rel))
	}
	return true
}
