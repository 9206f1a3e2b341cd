package migrate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/starlight/dataserver/index"
	"github.com/starlight/dataserver/internal/corpustest"
	"github.com/starlight/dataserver/internal/treetest"
)

// legacyTree copies the corpus's beta submission (legacy manifest, old
// folder names dithered_gif/ and repetitive_hex/) into a new root.
func legacyTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	treetest.CopyTo(t, filepath.Join(corpustest.Datasets(t), "beta_submission_2025"), filepath.Join(root, "beta_submission_2025"))
	return root
}

// TestMigrateLegacyTree migrates the legacy tree: the result validates with
// no problem, holds the same negatives with the same categories and
// constraints, and every old manifest line is in the new one.
func TestMigrateLegacyTree(t *testing.T) {
	root := legacyTree(t)
	before := build(t, root)
	// Before: only the warnings that name migrate (the manifest, two folders).
	legacy := 0
	for _, p := range before.Problems {
		if p.Code != index.CodeLegacyLayout {
			t.Fatalf("the legacy tree has problems before the migration:\n%s", dump(before))
		}
		legacy++
	}
	if legacy != 3 {
		t.Fatalf("%d legacy-layout warnings before the migration, want 3:\n%s", legacy, dump(before))
	}
	negBefore := negatives(before)
	if len(negBefore) != 12 {
		t.Fatalf("%d negatives before, want 12", len(negBefore))
	}
	const mp = "beta_submission_2025/negatives/manifest.jsonl"
	oldManifest, _ := os.ReadFile(filepath.Join(root, mp))
	stateBefore := treetest.State(t, root)

	p := plan(t, root)
	if got := treetest.Diff(stateBefore, treetest.State(t, root)); len(got) != 0 {
		t.Fatalf("planning changed the tree: %v", got)
	}
	if len(p.Submissions) != 1 || p.Empty() {
		t.Fatalf("plan:\n%s", planText(p))
	}
	s := p.Submissions[0]
	renames := map[string]string{}
	for _, rn := range s.Renames {
		renames[rn.From] = rn.To
	}
	if len(renames) != 2 || renames["dithered_gif"] != "natural_noise" || renames["repetitive_hex"] != "repetitive_patterns" {
		t.Errorf("renames %v", renames)
	}
	if m := s.Manifest; m == nil || m.Lines != 12 || m.Legacy != 12 || m.Dropped != 0 {
		t.Fatalf("manifest rewrite %+v", m)
	}
	text := planText(p)
	for _, want := range []string{"dithered_gif/ -> natural_noise/", "repetitive_hex/ -> repetitive_patterns/", "12 from the legacy schema"} {
		if !strings.Contains(text, want) {
			t.Errorf("plan does not say %q:\n%s", want, text)
		}
	}

	res, err := p.Apply(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Renamed != 2 || res.Rewritten != 1 || res.Backup == "" || len(res.Skipped) != 0 {
		t.Errorf("result %+v", res)
	}
	backup, err := os.ReadFile(filepath.Join(root, res.Backup, mp))
	if err != nil || !bytes.Equal(backup, oldManifest) {
		t.Errorf("backup of the old manifest: %v", err)
	}

	after := build(t, root)
	if len(after.Problems) != 0 {
		t.Fatalf("problems after the migration:\n%s", dump(after))
	}
	negAfter := negatives(after)
	if len(negAfter) != len(negBefore) {
		t.Fatalf("%d negatives after, %d before", len(negAfter), len(negBefore))
	}
	for id, want := range negBefore {
		if negAfter[id] != want {
			t.Errorf("negative %s: category/constraint %v, was %v", id[:12], negAfter[id], want)
		}
	}
	for _, x := range after.Samples {
		if strings.Contains(x.Path, "dithered_gif") || strings.Contains(x.Path, "repetitive_hex") {
			t.Errorf("%s still under an old folder name", x.Path)
		}
	}

	// Every old line is in the new manifest: as metadata.legacy, mapped.
	newManifest, _ := os.ReadFile(filepath.Join(root, mp))
	var olds []map[string]any
	for _, l := range bytes.Split(bytes.TrimSpace(oldManifest), []byte("\n")) {
		var o map[string]any
		if err := json.Unmarshal(l, &o); err != nil {
			t.Fatal(err)
		}
		olds = append(olds, o)
	}
	lines := bytes.Split(bytes.TrimSpace(newManifest), []byte("\n"))
	if len(lines) != len(olds) {
		t.Fatalf("%d new lines for %d old ones", len(lines), len(olds))
	}
	for i, l := range lines {
		e, probs, err := index.ParseManifestLine(l)
		if err != nil || len(probs) != 0 || e.Schema != index.SchemaUnified {
			t.Errorf("new line %d: %v %v %+v", i+1, err, probs, e)
		}
		var n struct {
			Filename, Category, MethodConstraint, ExpectedBehavior string
			Metadata                                               struct {
				Legacy     map[string]any `json:"legacy"`
				LegacyLine int            `json:"legacy_line"`
			}
		}
		if err := json.Unmarshal(l, &n); err != nil {
			t.Fatal(err)
		}
		o := olds[i]
		if n.Metadata.LegacyLine != i+1 || !sameJSON(n.Metadata.Legacy, o) {
			t.Errorf("line %d keeps %v (line %d), want %v", i+1, n.Metadata.Legacy, n.Metadata.LegacyLine, o)
		}
		fp := o["file_path"].(string)
		if n.Filename != filepath.Base(fp) || n.Category != index.NormalizeCategory(o["method"].(string)) {
			t.Errorf("line %d: %s in %s from %v", i+1, n.Filename, n.Category, o)
		}
		var u map[string]any
		_ = json.Unmarshal(l, &u)
		if u["method_constraint"] != o["constraint"] || u["expected_behavior"] != o["label"] {
			t.Errorf("line %d: constraint/label not carried over: %s", i+1, l)
		}
	}
}

func sameJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// TestMigrateTwice runs the migration twice: the second run has nothing to
// do and leaves the tree byte for byte as the first left it.
func TestMigrateTwice(t *testing.T) {
	root := legacyTree(t)
	if _, err := plan(t, root).Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	first := treetest.State(t, root)
	p := plan(t, root)
	if !p.Empty() || !strings.Contains(planText(p), "nothing to do") {
		t.Fatalf("second plan is not empty:\n%s", planText(p))
	}
	res, err := p.Apply(context.Background())
	if err != nil || res.Backup != "" || res.Renamed+res.Moved+res.Rewritten != 0 {
		t.Fatalf("second apply: %+v %v", res, err)
	}
	if d := treetest.Diff(first, treetest.State(t, root)); len(d) != 0 {
		t.Errorf("the second run changed %v", d)
	}
}

// TestMigrateInterrupted stops the manifest write between the temporary
// file and the rename: the old manifest is whole, no temporary file is left,
// and a new run finishes the migration.
func TestMigrateInterrupted(t *testing.T) {
	root := legacyTree(t)
	const mp = "beta_submission_2025/negatives/manifest.jsonl"
	old, _ := os.ReadFile(filepath.Join(root, mp))
	crash := errors.New("simulated crash")
	var sawTmp string
	beforeRename = func(tmp, dst string) error {
		b, err := os.ReadFile(filepath.Join(root, tmp))
		if err != nil || !bytes.Contains(b, []byte(`"filename"`)) {
			t.Errorf("temporary file %s not written: %v", tmp, err)
		}
		sawTmp = tmp
		return crash
	}
	defer func() { beforeRename = nil }()
	_, err := plan(t, root).Apply(context.Background())
	if !errors.Is(err, crash) {
		t.Fatalf("apply: %v, want the simulated crash", err)
	}
	if filepath.Dir(sawTmp) != filepath.Dir(mp) {
		t.Errorf("temporary file %s not in the manifest's folder", sawTmp)
	}
	cur, _ := os.ReadFile(filepath.Join(root, mp))
	if !bytes.Equal(cur, old) {
		t.Fatal("the old manifest was changed by an interrupted write")
	}
	ents, _ := os.ReadDir(filepath.Join(root, filepath.Dir(mp)))
	for _, e := range ents {
		if strings.Contains(e.Name(), ".migrate-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}

	beforeRename = nil
	p := plan(t, root)
	if p.Submissions[0].Manifest == nil || p.Submissions[0].Manifest.Dropped != 0 {
		t.Fatalf("resumed plan:\n%s", planText(p))
	}
	if _, err := p.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := build(t, root)
	if len(s.Problems) != 0 || len(negatives(s)) != 12 {
		t.Fatalf("after the resumed run: %d negatives, problems:\n%s", len(negatives(s)), dump(s))
	}
}

// TestMigrateVariants covers what real trees hold: categories with spaces,
// a mixed manifest, a file listed under another category, duplicates,
// broken lines, a missing file, two folders that map to one category, and
// a folder without a manifest line.
func TestMigrateVariants(t *testing.T) {
	root := t.TempDir()
	n := "v_submission_2025/negatives/"
	writeImage(t, root, n+"rgb no alpha/r0.png", 1)
	writeImage(t, root, n+"rgb no alpha/r1.png", 2)
	writeImage(t, root, n+"Dithered-GIF/d0.png", 3)
	writeImage(t, root, n+"natural_noise/d1.png", 4)
	writeImage(t, root, n+"natural_noise/same.png", 5)
	writeImage(t, root, n+"dithered_gif/same.png", 6) // collides with natural_noise/same.png
	writeImage(t, root, n+"dithered_gif/d2.png", 7)
	writeImage(t, root, n+"uniform_alpha/moved.png", 8) // listed as rgb_no_alpha
	writeImage(t, root, n+"loose.png", 9)               // directly in negatives/, listed with a method
	treetest.WriteFile(t, root, n+"manifest.jsonl", treetest.JSONL(t,
		map[string]any{"filename": "r0.png", "category": "rgb no alpha", "method_constraint": "free text", "expected_behavior": "clean", "metadata": map[string]any{"extraction_results": map[string]any{}}},
		map[string]any{"method": "rgb no alpha", "constraint": "c", "label": "clean", "file_path": "rgb no alpha/r1.png", "extra": 1},
		map[string]any{"method": "dithered_gif", "label": "clean", "file_path": "Dithered-GIF/d0.png"},
		map[string]any{"filename": "d1.png", "category": "natural_noise", "expected_behavior": "clean"},
		map[string]any{"method": "dithered_gif", "label": "clean", "file_path": "dithered_gif/d2.png"},
		map[string]any{"method": "rgb_no_alpha", "label": "clean", "file_path": "uniform_alpha/moved.png"},
		map[string]any{"method": "rgb_no_alpha", "label": "clean", "file_path": "rgb no alpha/r1.png"},
		`{"file_path": "broken"`,
		map[string]any{"method": "uniform_alpha", "label": "clean", "file_path": "uniform_alpha/gone.png"},
		"",
		map[string]any{"method": "special_cases", "label": "clean", "file_path": "loose.png"},
		map[string]any{"label": "clean", "file_path": "nocat.png"},
	))
	p := plan(t, root)
	text := planText(p)
	t.Log(text)
	s := p.Submissions[0]
	m := s.Manifest
	if m == nil || m.Lines != 11 || m.Legacy+m.Renamed+m.Kept+m.Dropped != m.Lines {
		t.Fatalf("manifest accounting %+v:\n%s", m, text)
	}
	// Dropped: line 7 (same file as line 2), 8 (not JSON), 12 (no category).
	if m.Dropped != 3 {
		t.Errorf("%d lines dropped, want 3:\n%s", m.Dropped, text)
	}
	for _, want := range []string{"line 7: names rgb_no_alpha/r1.png again (first on line 2)", "line 8: manifest-json", "line 12: no category",
		"line 9: uniform_alpha/gone.png is not in", "dithered_gif/same.png stays: natural_noise/same.png already exists",
		"rgb no alpha/ -> rgb_no_alpha/", "Dithered-GIF/ into natural_noise/", "dithered_gif/ into natural_noise/",
		"uniform_alpha/moved.png -> rgb_no_alpha/moved.png (manifest line 6)", "loose.png -> special_cases/loose.png (manifest line 11)"} {
		if !strings.Contains(text, want) {
			t.Errorf("plan does not say %q:\n%s", want, text)
		}
	}
	if _, err := p.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	snap := build(t, root)
	for path, cat := range map[string]string{
		"rgb_no_alpha/r0.png": "rgb_no_alpha", "rgb_no_alpha/r1.png": "rgb_no_alpha", "natural_noise/d0.png": "natural_noise",
		"natural_noise/d1.png": "natural_noise", "natural_noise/d2.png": "natural_noise", "rgb_no_alpha/moved.png": "rgb_no_alpha",
		"special_cases/loose.png": "special_cases", "natural_noise/same.png": "natural_noise", "dithered_gif/same.png": "natural_noise",
	} {
		x, ok := snap.Sample(n + path)
		if !ok || x.Category != cat || !x.Accepted {
			t.Errorf("%s: %+v, want category %s, served", path, x, cat)
		}
	}
	if x, _ := snap.Sample(n + "rgb_no_alpha/r0.png"); x.MethodConstraint != "free text" {
		t.Errorf("unified line changed: constraint %q", x.MethodConstraint)
	}
	// What remains: the missing file, and the collision left for a person.
	for _, pr := range snap.Problems {
		switch {
		case pr.Code == index.CodeManifestMissingFile && pr.Line > 0:
		case pr.Code == index.CodeManifestUnlisted && strings.HasSuffix(pr.Path, "/same.png"): // never listed
		case pr.Code == index.CodeLegacyLayout && pr.Path == n+"dithered_gif": // the folder the collision keeps
		default:
			t.Errorf("unexpected problem after the migration: %s", pr)
		}
	}
	// The second run has no work, only the notes of what it cannot do.
	first := treetest.State(t, root)
	again := plan(t, root)
	if !again.Empty() {
		t.Fatalf("second plan:\n%s", planText(again))
	}
	if _, err := again.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	if d := treetest.Diff(first, treetest.State(t, root)); len(d) != 0 {
		t.Errorf("the second run changed %v", d)
	}
}

// TestMigrateFoldersOnly renames old folder names in a submission without
// a manifest (the folder is then the category).
func TestMigrateFoldersOnly(t *testing.T) {
	root := t.TempDir()
	n := "f_submission_2025/negatives/"
	writeImage(t, root, n+"repetitive_hex/p0.png", 1)
	writeImage(t, root, n+"Uniform Alpha/u0.png", 2)
	writeImage(t, root, n+"rgb_no_alpha/r0.png", 3)
	before := negatives(build(t, root))
	p := plan(t, root)
	if s := p.Submissions[0]; len(s.Renames) != 2 || s.Manifest != nil {
		t.Fatalf("plan:\n%s", planText(p))
	}
	if _, err := p.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	snap := build(t, root)
	if len(snap.Problems) != 0 {
		t.Fatalf("problems:\n%s", dump(snap))
	}
	after := negatives(snap)
	if len(after) != 3 {
		t.Fatalf("%d negatives", len(after))
	}
	for id, v := range before {
		if after[id] != v {
			t.Errorf("%s: %v, was %v", id[:12], after[id], v)
		}
	}
	for _, want := range []string{"repetitive_patterns/p0.png", "uniform_alpha/u0.png"} {
		if _, ok := snap.Sample(n + want); !ok {
			t.Errorf("%s missing", want)
		}
	}
}

// TestMigrateReportsMisplaced lists misplaced folders in the plan without
// moving them.
func TestMigrateReportsMisplaced(t *testing.T) {
	root := legacyTree(t)
	writeImage(t, root, "training/v3_negatives/rgb_no_alpha/a.png", 1)
	writeImage(t, root, "training/v3_negatives/rgb_no_alpha/b.png", 2)
	p := plan(t, root)
	if len(p.Misplaced) != 1 || p.Misplaced[0].Path != "training/v3_negatives" || !strings.Contains(p.Misplaced[0].Message, "holds 2 images") {
		t.Fatalf("misplaced %+v", p.Misplaced)
	}
	if !strings.Contains(planText(p), "training/v3_negatives: holds 2 images") {
		t.Errorf("plan:\n%s", planText(p))
	}
	if _, err := p.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "training/v3_negatives/rgb_no_alpha/a.png")); err != nil {
		t.Errorf("migrate moved a misplaced folder: %v", err)
	}
}
