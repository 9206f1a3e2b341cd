package reliability

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/starlight/dataserver/internal/corpustest"
)

// corpusRoot returns the shared corpus's datasets folder, or skips the
// test loudly when it is absent.
func corpusRoot(t testing.TB) string {
	t.Helper()
	return corpustest.Datasets(t)
}

// readCorpus reads a corpus file by its path relative to the datasets root.
func readCorpus(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(corpusRoot(t), filepath.FromSlash(rel)))
	if err != nil {
		t.Fatalf("corpus file %s: %v", rel, err)
	}
	return b
}

// baseName is the file name of rel without its extension, and the extension.
func baseName(rel string) (string, string) {
	b := filepath.Base(rel)
	ext := filepath.Ext(b)
	return strings.TrimSuffix(b, ext), ext
}
