package webp_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/codec/webp"
	"github.com/starlight/dataserver/extract/crop"
	"github.com/starlight/dataserver/internal/corpustest"
)

// isWebP reports whether data starts RIFF....WEBP (the format is decided by
// the magic bytes, never by the file name).
func isWebP(data []byte) bool {
	return len(data) >= 12 && bytes.HasPrefix(data, []byte("RIFF")) && string(data[8:12]) == "WEBP"
}

// corpusWebPs returns every WebP file of the corpus, keyed by its path
// relative to the datasets root.
func corpusWebPs(tb testing.TB) map[string][]byte {
	tb.Helper()
	root := corpustest.Datasets(tb)
	out := map[string][]byte{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if isWebP(data) {
			rel, _ := filepath.Rel(root, path)
			out[filepath.ToSlash(rel)] = data
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// alphaDigest is the reference alpha stream digest: the centre crop of
// alpha&1, zeros when the image has no alpha.
func alphaDigest(alpha []uint8, w, h int) string {
	lsb := make([]uint8, w*h)
	for i, a := range alpha {
		lsb[i] = a & 1
	}
	buf := make([]uint8, crop.Size*crop.Size)
	crop.Planar(buf, lsb, w, h, 1)
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:])
}

func TestCorpusParity(t *testing.T) {
	exp := corpustest.Expected(t)
	files := corpusWebPs(t)
	if len(files) == 0 {
		t.Fatal("no WebP file found in the corpus")
	}
	pass := 0
	for rel, data := range files {
		e, ok := exp[rel]
		if !ok {
			t.Errorf("%s: not in expected.jsonl", rel)
			continue
		}
		cfg, err := webp.DecodeConfig(data)
		if err != nil {
			t.Errorf("%s: DecodeConfig: %v", rel, err)
			continue
		}
		img, err := webp.Decode(data, codec.DefaultLimits)
		if err != nil {
			t.Errorf("%s: Decode: %v", rel, err)
			continue
		}
		ok = true
		if cfg != img.Config {
			t.Errorf("%s: DecodeConfig %+v differs from Decode %+v", rel, cfg, img.Config)
			ok = false
		}
		if string(img.Mode) != e.Mode || img.Width != e.Size[0] || img.Height != e.Size[1] {
			t.Errorf("%s: got %s %dx%d, want %s %dx%d", rel, img.Mode, img.Width, img.Height, e.Mode, e.Size[0], e.Size[1])
			ok = false
		}
		if got := corpustest.PixelDigest(img.RGB, img.Width, img.Height); got != e.Digest("pixel") {
			t.Errorf("%s: pixel digest %s, want %s", rel, got, e.Digest("pixel"))
			ok = false
		}
		if (img.Mode == codec.ModeRGBA) != (img.Alpha != nil) {
			t.Errorf("%s: mode %s with alpha plane present=%v", rel, img.Mode, img.Alpha != nil)
			ok = false
		}
		alpha := img.Alpha
		if alpha == nil {
			alpha = make([]uint8, img.Width*img.Height)
		}
		if got := alphaDigest(alpha, img.Width, img.Height); got != e.Digest("alpha") {
			t.Errorf("%s: alpha digest %s, want %s", rel, got, e.Digest("alpha"))
			ok = false
		}
		if ok {
			pass++
		}
	}
	t.Logf("%d/%d corpus WebP files match the reference", pass, len(files))
}
