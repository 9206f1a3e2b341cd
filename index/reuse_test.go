package index

import (
	"os"
	"sync"
	"testing"
	"time"
)

// countOpens counts the files the checker opens while fn runs.
func countOpens(t *testing.T, fn func()) map[string]int {
	var mu sync.Mutex
	opened := map[string]int{}
	openHook = func(open func(string) (*os.File, error)) func(string) (*os.File, error) {
		return func(n string) (*os.File, error) {
			mu.Lock()
			opened[n]++
			mu.Unlock()
			return open(n)
		}
	}
	defer func() { openHook = nil }()
	fn()
	return opened
}

func TestReuseUnchanged(t *testing.T) {
	tr := baseTree(t)
	var s1, s2 *Snapshot
	first := countOpens(t, func() { s1 = tr.build(Options{}) })
	if len(first) != 5 {
		t.Fatalf("first build opened %d files, want 5: %v", len(first), first)
	}
	again := countOpens(t, func() { s2 = tr.build(Options{Previous: s1}) })
	if len(again) != 0 {
		t.Errorf("rebuild opened unchanged files: %v", again)
	}
	if s2.ID != s1.ID || !Diff(s1, s2).Empty() {
		t.Errorf("rebuild differs: %s vs %s, %+v", s1.ID, s2.ID, Diff(s1, s2))
	}
}

// TestReuseSeesInPlaceRewrite rewrites a file with other bytes of the same
// size and puts its mtime back: size and mtime alone would reuse the stale
// result, but the change stamp (inode, ctime) tells, so the rebuild re-reads
// it and agrees with a fresh build.
func TestReuseSeesInPlaceRewrite(t *testing.T) {
	tr := baseTree(t)
	p := "a_submission_2025/clean/c2.png"
	fi, err := os.Stat(tr.path(p))
	if err != nil {
		t.Fatal(err)
	}
	s1 := tr.build(Options{})
	data, _ := os.ReadFile(tr.path(p))
	data[len(data)-20] ^= 0xFF        // inside IEND's predecessor: other bytes, same size
	time.Sleep(10 * time.Millisecond) // let the ctime move on coarse clocks
	tr.write(p, data)
	if err := os.Chtimes(tr.path(p), fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	var s2 *Snapshot
	opened := countOpens(t, func() { s2 = tr.build(Options{Previous: s1}) })
	if opened[p] != 1 {
		t.Errorf("%s opened %d times after an in-place rewrite, want 1", p, opened[p])
	}
	old, _ := s1.Sample(p)
	got, _ := s2.Sample(p)
	fresh, _ := tr.build(Options{}).Sample(p)
	if got.ID == old.ID || got.ID != fresh.ID {
		t.Errorf("rebuild id %.12s, fresh build %.12s, before %.12s: the rebuild missed the rewrite", got.ID, fresh.ID, old.ID)
	}
}

func TestReuseAndDiff(t *testing.T) {
	tr := baseTree(t)
	s1 := tr.build(Options{})
	// change one file (new mtime), add one, remove one, break one, relabel one
	later := time.Now().Add(time.Hour)
	tr.write("a_submission_2025/clean/c2.png", encPNG(t, opaque(picture(200, 40, 48))))
	if err := os.Chtimes(tr.path("a_submission_2025/clean/c2.png"), later, later); err != nil {
		t.Fatal(err)
	}
	tr.write("a_submission_2025/clean/new.png", encPNG(t, opaque(picture(201, 16, 16))))
	if err := os.Remove(tr.path("a_submission_2025/negatives/rgb_no_alpha/n0.png")); err != nil {
		t.Fatal(err)
	}
	png := encPNG(t, opaque(picture(202, 64, 64)))
	tr.write("a_submission_2025/clean/broken.png", png[:100])
	tr.json("a_submission_2025/stego/s_lsb_000.png.json", sidecarObj("lsb.rgb", "lsb-first", "c1.png"))
	if err := os.Chtimes(tr.path("a_submission_2025/stego/s_lsb_000.png.json"), later, later); err != nil {
		t.Fatal(err)
	}
	var s2 *Snapshot
	opened := countOpens(t, func() { s2 = tr.build(Options{Previous: s1}) })
	for _, p := range []string{"a_submission_2025/clean/c2.png", "a_submission_2025/clean/new.png", "a_submission_2025/clean/broken.png", "a_submission_2025/stego/s_lsb_000.png.json", "a_submission_2025/stego/s_lsb_000.png"} {
		if opened[p] != 1 {
			t.Errorf("%s opened %d times, want 1", p, opened[p])
		}
	}
	if opened["a_submission_2025/clean/c1.png"] != 0 {
		t.Error("unchanged c1.png re-read")
	}
	d := Diff(s1, s2)
	want := Changes{
		Added:   []string{"a_submission_2025/clean/broken.png", "a_submission_2025/clean/new.png"},
		Removed: []string{"a_submission_2025/negatives/rgb_no_alpha/n0.png"},
		Changed: []string{"a_submission_2025/clean/c2.png", "a_submission_2025/stego/s_lsb_000.png"},
	}
	if join(d.Added) != join(want.Added) || join(d.Removed) != join(want.Removed) || join(d.Changed) != join(want.Changed) {
		t.Errorf("Diff = %+v\nwant %+v", d, want)
	}
	var codes []string
	for _, p := range d.NewProblems {
		codes = append(codes, p.Path+" "+p.Code)
	}
	// The relabelled stego is now wrong (its payload is msb-first).
	wantProblems := "a_submission_2025/clean/broken.png truncated,a_submission_2025/stego/s_lsb_000.png bit-order-wrong"
	if join(codes) != wantProblems {
		t.Errorf("new problems %v, want %s", codes, wantProblems)
	}
	fresh := tr.build(Options{})
	if fresh.ID != s2.ID || !Diff(fresh, s2).Empty() {
		t.Errorf("incremental build differs from a fresh one: %+v", Diff(fresh, s2))
	}
}

func join(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ","
		}
		out += x
	}
	return out
}

func TestSnapshotID(t *testing.T) {
	tr := baseTree(t)
	s1 := tr.build(Options{})
	if err := os.Rename(tr.path("a_submission_2025/clean/c2.png"), tr.path("a_submission_2025/clean/renamed.png")); err != nil {
		t.Fatal(err)
	}
	s2 := tr.build(Options{Workers: 1})
	if s2.ID != s1.ID {
		t.Error("renaming a file changed the snapshot id")
	}
	tr.lines("a_submission_2025/negatives/manifest.jsonl", map[string]any{"method": "uniform_alpha", "label": "clean", "file_path": "rgb_no_alpha/n0.png"})
	s3 := tr.build(Options{})
	if s3.ID == s2.ID {
		t.Error("changing a category kept the snapshot id")
	}
	if len(s1.ID) != 64 {
		t.Errorf("id %q", s1.ID)
	}
	if Diff(nil, s1).Added == nil || len(Diff(nil, s1).Added) != len(s1.Samples) {
		t.Error("Diff from nil should add every sample")
	}
	if served := s1.Served(); len(served) != len(s1.Samples) {
		t.Errorf("Served %d of %d", len(served), len(s1.Samples))
	}
}
