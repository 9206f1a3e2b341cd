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

// copyTree copies the files and folders of src into dst.
func copyTree(t testing.TB, src, dst string) {
	t.Helper()
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatalf("copying %s to %s: %v", src, dst, err)
	}
}

// writeFile writes data at root/rel (slash separated), creating folders.
func writeFile(t testing.TB, root, rel string, data []byte) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
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
