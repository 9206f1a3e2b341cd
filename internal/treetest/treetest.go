// Package treetest writes, copies and compares file trees for tests.
package treetest

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// WriteFile writes data at root/rel (slash separated), creating folders.
func WriteFile(tb testing.TB, root, rel string, data []byte) {
	tb.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// JSONL returns one line per object: strings as they are (for malformed
// lines), anything else as JSON.
func JSONL(tb testing.TB, objs ...any) []byte {
	tb.Helper()
	var b bytes.Buffer
	for _, o := range objs {
		if s, ok := o.(string); ok {
			b.WriteString(s)
		} else {
			j, err := json.Marshal(o)
			if err != nil {
				tb.Fatal(err)
			}
			b.Write(j)
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// CopyTo copies the files and folders of src into dst.
func CopyTo(tb testing.TB, src, dst string) {
	tb.Helper()
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		tb.Fatalf("copying %s to %s: %v", src, dst, err)
	}
}

// Copy copies the folder src into a new temporary folder of the test, under
// src's own name, and returns the copy.
func Copy(tb testing.TB, src string) string {
	tb.Helper()
	dst := filepath.Join(tb.TempDir(), filepath.Base(src))
	CopyTo(tb, src, dst)
	return dst
}

// State maps every folder ("rel/", to "") and file (to its bytes) under root.
func State(tb testing.TB, root string) map[string]string {
	tb.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			out[rel+"/"] = ""
			return nil
		}
		b, err := os.ReadFile(p)
		out[rel] = string(b)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// Diff returns, sorted, the paths whose presence or bytes differ between
// two states.
func Diff(a, b map[string]string) []string {
	var d []string
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			d = append(d, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			d = append(d, k)
		}
	}
	slices.Sort(d)
	return d
}
