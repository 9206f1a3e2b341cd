package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/starlight/dataserver/internal/corpustest"
	"github.com/starlight/dataserver/internal/treetest"
)

// TestMigrateCommand runs the command on a copy of the corpus's legacy
// submission: the dry run changes nothing, --write migrates, validate then
// finds no problem, and a second --write has nothing to do.
func TestMigrateCommand(t *testing.T) {
	src := filepath.Join(corpustest.Datasets(t), "beta_submission_2025")
	root := t.TempDir()
	treetest.CopyTo(t, src, filepath.Join(root, "beta_submission_2025"))
	ctx := context.Background()
	before := treetest.State(t, root)
	var out bytes.Buffer
	if err := runMigrate(ctx, []string{"--root", root}, &out); err != nil {
		t.Fatalf("dry run: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "rename folder  dithered_gif/ -> natural_noise/") || !strings.Contains(out.String(), "dry run: nothing was changed") {
		t.Errorf("dry run output:\n%s", out.String())
	}
	if d := treetest.Diff(before, treetest.State(t, root)); len(d) != 0 {
		t.Fatalf("the dry run changed %v", d)
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

	migrated := treetest.State(t, root)
	out.Reset()
	if err := runMigrate(ctx, []string{"--root", root, "--write"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "nothing to do") {
		t.Errorf("second run:\n%s", out.String())
	}
	if d := treetest.Diff(migrated, treetest.State(t, root)); len(d) != 0 {
		t.Errorf("the second run changed %v", d)
	}

	if err := runMigrate(ctx, []string{"--write"}, &out); err == nil {
		t.Error("no --root accepted")
	}
}
