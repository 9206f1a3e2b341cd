package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/starlight/dataserver/internal/corpustest"
)

// snapshotFiles maps every path under root to its bytes ("" for folders).
func snapshotFiles(t *testing.T, root string) map[string]string {
	t.Helper()
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
		t.Fatal(err)
	}
	return out
}

func sameFiles(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestMigrateCommand runs the command on a copy of the corpus's legacy
// submission: the dry run changes nothing, --write migrates, validate then
// finds no problem, and a second --write has nothing to do.
func TestMigrateCommand(t *testing.T) {
	src := filepath.Join(corpustest.Datasets(t), "beta_submission_2025")
	root := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		dst := filepath.Join(root, "beta_submission_2025", rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	before := snapshotFiles(t, root)
	var out bytes.Buffer
	if err := runMigrate(ctx, []string{"--root", root}, &out); err != nil {
		t.Fatalf("dry run: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "rename folder  dithered_gif/ -> natural_noise/") || !strings.Contains(out.String(), "dry run: nothing was changed") {
		t.Errorf("dry run output:\n%s", out.String())
	}
	if !sameFiles(before, snapshotFiles(t, root)) {
		t.Fatal("the dry run changed the tree")
	}

	out.Reset()
	if err := runMigrate(ctx, []string{"--root", root, "--write"}, &out); err != nil {
		t.Fatalf("--write: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "done: 2 folders renamed, 0 files moved, 1 manifest rewritten") || !strings.Contains(out.String(), "backup: ") {
		t.Errorf("--write output:\n%s", out.String())
	}
	out.Reset()
	if err := validate(ctx, []string{"--root", root}, &out, false); err != nil || !strings.Contains(out.String(), "no problems") || !strings.Contains(out.String(), "12 (12 served)") {
		t.Fatalf("validate after migrate: %v\n%s", err, out.String())
	}

	migrated := snapshotFiles(t, root)
	out.Reset()
	if err := runMigrate(ctx, []string{"--root", root, "--write"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "nothing to do") {
		t.Errorf("second run:\n%s", out.String())
	}
	if !sameFiles(migrated, snapshotFiles(t, root)) {
		t.Error("the second run changed the tree")
	}

	if err := runMigrate(ctx, []string{"--write"}, &out); err == nil {
		t.Error("no --root accepted")
	}
}
