// Package corpustest finds the shared reference corpus for tests, reads its
// expected digests and reference RGB decodings, lists its files by format
// (chosen by magic bytes) and computes the stream digests SPEC.md derives
// from a decoded image's pixels.
package corpustest

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/starlight/dataserver/internal/testbin"
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
	mod, err := testbin.ModuleRoot()
	if err != nil {
		tb.Fatal(err)
	}
	dir := filepath.Join(mod, "..", "shared", "corpus")
	if _, err := os.Stat(filepath.Join(dir, "expected.jsonl")); err != nil {
		tb.Skipf("CORPUS NOT FOUND at %s: skipping corpus test (%v)", dir, err)
	}
	return dir
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
