package reliability

import (
	"io"
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

// copyTree copies the regular files and folders of src into dst.
func copyTree(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		return copyFile(p, target)
	})
	if err != nil {
		t.Fatalf("copying %s to %s: %v", src, dst, err)
	}
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
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
