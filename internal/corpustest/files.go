package corpustest

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/internal/testbin"
)

// File is one corpus file: its path relative to the datasets root (with
// forward slashes, as expected.jsonl keys it) and its bytes.
type File struct {
	Rel  string
	Data []byte
}

// Files returns every corpus file whose magic bytes say format (the file
// name is never consulted), in path order. It skips the test loudly when
// the corpus is absent and fails it when the tree cannot be read.
func Files(tb testing.TB, format codec.Format) []File {
	tb.Helper()
	out, err := walk(Datasets(tb), format)
	if err != nil {
		tb.Fatalf("walking the corpus for %s files: %v", format, err)
	}
	return out
}

// Seeds returns the bytes of every corpus file of format, for seeding a
// fuzz target; nil when the corpus is absent (a fuzz target must then run
// on its hand-made seeds instead of being skipped). Unreadable files are
// passed over.
func Seeds(format codec.Format) [][]byte {
	mod, err := testbin.ModuleRoot()
	if err != nil {
		return nil
	}
	root := filepath.Join(mod, "..", "shared", "corpus", "datasets")
	if _, err := os.Stat(root); err != nil {
		return nil
	}
	var out [][]byte
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if b, err := os.ReadFile(path); err == nil && codec.Sniff(b) == format {
			out = append(out, b)
		}
		return nil
	})
	return out
}

// walk reads the files of format below root, in lexical path order.
func walk(root string, format codec.Format) ([]File, error) {
	var out []File
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if codec.Sniff(data) != format {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		out = append(out, File{Rel: filepath.ToSlash(rel), Data: data})
		return nil
	})
	return out, err
}
