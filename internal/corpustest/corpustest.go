// Package corpustest finds the shared reference corpus for tests and reads
// its expected digests.
package corpustest

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/starlight/dataserver/extract/crop"
)

// Entry is one line of expected.jsonl.
type Entry struct {
	Path    string         `json:"path"`
	Format  string         `json:"format"`
	Mode    string         `json:"mode"`
	Size    [2]int         `json:"size"`
	Streams map[string]any `json:"streams"`
	Error   string         `json:"error,omitempty"`
}

// Digest returns the hex digest of the named byte stream ("pixel", "meta", ...).
func (e Entry) Digest(stream string) string {
	s, _ := e.Streams[stream].(string)
	return s
}

// Vector returns the named float vector ("format" or "content").
func (e Entry) Vector(stream string) []float64 {
	raw, _ := e.Streams[stream].([]any)
	out := make([]float64, len(raw))
	for i, v := range raw {
		out[i], _ = v.(float64)
	}
	return out
}

// Dir returns the corpus directory (../shared/corpus from the module root),
// or skips the test loudly when it is absent.
func Dir(tb testing.TB) string {
	tb.Helper()
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			dir := filepath.Join(d, "..", "shared", "corpus")
			if _, err := os.Stat(filepath.Join(dir, "expected.jsonl")); err != nil {
				tb.Skipf("CORPUS NOT FOUND at %s: skipping corpus test (%v)", dir, err)
			}
			return dir
		}
		if filepath.Dir(d) == d {
			tb.Fatalf("no go.mod above %s", wd)
		}
	}
}

// Datasets returns the corpus's datasets root.
func Datasets(tb testing.TB) string {
	return filepath.Join(Dir(tb), "datasets")
}

// Expected reads expected.jsonl, keyed by path relative to the datasets root.
func Expected(tb testing.TB) map[string]Entry {
	tb.Helper()
	f, err := os.Open(filepath.Join(Dir(tb), "expected.jsonl"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	out := map[string]Entry{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var e Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			tb.Fatalf("expected.jsonl: %v", err)
		}
		out[e.Path] = e
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// PixelDigest returns the sha256 of the pixel stream of an interleaved RGB
// image: the 256x256 centre crop, channel-major, as SPEC.md defines it.
func PixelDigest(rgb []uint8, w, h int) string {
	buf := make([]uint8, 3*crop.Size*crop.Size)
	crop.Planar(buf, rgb, w, h, 3)
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:])
}
