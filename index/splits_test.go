package index

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/starlight/dataserver/internal/corpustest"
	"github.com/starlight/dataserver/internal/treetest"
)

// checkSplits asserts the split invariants of a snapshot: every sample in
// one of train, val, test; the three served sets disjoint and covering the
// served samples; every stego in its cover's split; byte-identical files in
// one split. It returns the served count per split.
func checkSplits(t *testing.T, s *Snapshot) map[string]int {
	t.Helper()
	byPath := map[string]Sample{}
	splitOfID := map[string]string{}
	for _, x := range s.Samples {
		byPath[x.Path] = x
		if !slices.Contains(SplitNames, x.Split) {
			t.Fatalf("%s: split %q", x.Path, x.Split)
		}
		if x.ID == "" {
			continue
		}
		if sp, ok := splitOfID[x.ID]; ok && sp != x.Split {
			t.Errorf("byte-identical files in two splits: %s is in %s, another copy in %s", x.Path, x.Split, sp)
		}
		splitOfID[x.ID] = x.Split
	}
	for _, x := range s.Samples {
		if x.Kind != KindStego || x.CoverPath == "" {
			continue
		}
		if c, ok := byPath[x.CoverPath]; ok && c.Split != x.Split {
			t.Errorf("stego %s in %s, its cover %s in %s", x.Path, x.Split, c.Path, c.Split)
		}
	}
	seen := map[string]string{}
	sizes := map[string]int{}
	for _, name := range SplitNames {
		for _, x := range ServedIn(s.Samples, name) {
			if other, dup := seen[x.Path]; dup {
				t.Errorf("%s served in %s and %s", x.Path, other, name)
			}
			seen[x.Path] = name
			sizes[name]++
		}
	}
	all := ServedIn(s.Samples, SplitAll)
	if len(all) != len(seen) {
		t.Errorf("the splits serve %d samples together, the whole tree %d", len(seen), len(all))
	}
	ids := map[string]bool{}
	for _, x := range s.Samples {
		if x.Accepted {
			ids[x.ID] = true
		}
	}
	if len(all) != len(ids) {
		t.Errorf("%d samples served, %d distinct accepted contents", len(all), len(ids))
	}
	return sizes
}

func TestSplitsCorpusAndTrainset(t *testing.T) {
	for _, tc := range []struct {
		name string
		root func(testing.TB) string
	}{{"corpus", corpustest.Datasets}, {"trainset", corpustest.Trainset}} {
		t.Run(tc.name, func(t *testing.T) {
			root := tc.root(t)
			s, err := Build(context.Background(), root, Options{HeaderOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			sizes := checkSplits(t, s)
			groups := map[string]map[string]bool{}
			for _, x := range ServedIn(s.Samples, SplitAll) {
				if groups[x.Split] == nil {
					groups[x.Split] = map[string]bool{}
				}
				groups[x.Split][x.Group] = true
			}
			t.Logf("%s at %s: train %d samples (%d groups), val %d (%d), test %d; %d byte-identical groups",
				tc.name, s.Splits, sizes["train"], len(groups["train"]), sizes["val"], len(groups["val"]), sizes["test"], len(s.Duplicates))
			if sizes["train"] == 0 || sizes["val"] == 0 {
				t.Errorf("default fractions left a split empty: %v", sizes)
			}
			if tc.name == "trainset" && len(s.Duplicates) < 13 {
				t.Errorf("%d byte-identical groups, the trainset README says 13", len(s.Duplicates))
			}
			for _, d := range s.Duplicates {
				first, _ := s.Sample(d[0])
				for _, p := range d[1:] {
					if x, _ := s.Sample(p); x.Split != first.Split {
						t.Errorf("identical %s (%s) and %s (%s)", d[0], first.Split, p, x.Split)
					}
				}
			}
		})
	}
}

// TestSplitsStableAsTreeGrows adds 50 files (new covers, byte-identical
// copies of existing covers in a new submission, new negatives) and checks
// that no existing sample changed split.
func TestSplitsStableAsTreeGrows(t *testing.T) {
	for _, tc := range []struct {
		name string
		root func(testing.TB) string
	}{{"corpus", corpustest.Datasets}, {"trainset", corpustest.Trainset}} {
		t.Run(tc.name, func(t *testing.T) {
			root := treetest.Copy(t, tc.root(t))
			before, err := Build(context.Background(), root, Options{HeaderOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			tr := &tree{t: t, root: root}
			var covers []Sample
			for _, x := range before.Samples {
				if x.Kind == KindClean && x.Accepted && len(covers) < 10 {
					covers = append(covers, x)
				}
			}
			if len(covers) < 10 {
				t.Fatalf("only %d covers", len(covers))
			}
			for i := range 30 {
				tr.write(fmt.Sprintf("new_submission_2026/clean/c%02d.png", i), encPNG(t, picture(uint64(1000+i), 24, 24)))
			}
			for i, c := range covers {
				tr.write(fmt.Sprintf("new_submission_2026/clean/copy%02d%s", i, filepath.Ext(c.Path)), slurp(t, filepath.Join(root, c.Path)))
			}
			for i := range 10 {
				tr.write(fmt.Sprintf("new_submission_2026/negatives/natural_noise/n%02d.png", i), encPNG(t, opaque(noise(uint64(2000+i), 24, 24))))
			}
			after, err := Build(context.Background(), root, Options{HeaderOnly: true, Previous: before})
			if err != nil {
				t.Fatal(err)
			}
			if len(after.Samples) != len(before.Samples)+50 {
				t.Fatalf("%d samples after adding 50 to %d", len(after.Samples), len(before.Samples))
			}
			checkSplits(t, after)
			moved := 0
			for _, x := range before.Samples {
				if y, _ := after.Sample(x.Path); y.Split != x.Split {
					moved++
					t.Errorf("%s moved from %s to %s", x.Path, x.Split, y.Split)
				}
			}
			for i, c := range covers {
				y, _ := after.Sample(fmt.Sprintf("new_submission_2026/clean/copy%02d%s", i, filepath.Ext(c.Path)))
				if y.Split != c.Split {
					t.Errorf("copy of %s in %s, the original in %s", c.Path, y.Split, c.Split)
				}
			}
			t.Logf("%d existing samples, %d moved after adding 50 files", len(before.Samples), moved)
		})
	}
}

// TestSplitPins: a pin puts a whole submission in its split, and val/ and
// test/ folders under the root are submissions pinned to theirs.
func TestSplitPins(t *testing.T) {
	tr := newTree(t)
	for i := range 12 {
		tr.write(fmt.Sprintf("a_submission_2025/clean/c%02d.png", i), encPNG(t, picture(uint64(i), 16, 16)))
		tr.write(fmt.Sprintf("b_submission_2025/clean/c%02d.png", i), encPNG(t, picture(uint64(100+i), 16, 16)))
		tr.write(fmt.Sprintf("val/clean/c%02d.png", i), encPNG(t, picture(uint64(200+i), 16, 16)))
		tr.write(fmt.Sprintf("test/negatives/natural_noise/n%02d.png", i), encPNG(t, opaque(noise(uint64(300+i), 16, 16))))
	}
	s := tr.build(Options{Splits: SplitConfig{Pins: map[string]string{"b_submission_2025": "test", "gone_submission_2020": "val"}}})
	checkSplits(t, s)
	want := map[string]string{"b_submission_2025": "test", "val": "val", "test": "test"}
	n := map[string]int{}
	for _, x := range s.Samples {
		n[x.Submission]++
		if w, ok := want[x.Submission]; ok && x.Split != w {
			t.Errorf("%s of pinned submission %s in %s", x.Path, x.Submission, x.Split)
		}
	}
	if n["val"] != 12 || n["test"] != 12 {
		t.Errorf("val/ and test/ folders read as %d and %d samples, want 12 each: %v", n["val"], n["test"], n)
	}
	requireProblem(t, s, CodeSplitPinUnknown, "gone_submission_2020", 0)
	if s.Errors() != 0 {
		t.Errorf("errors: %s", dump(s))
	}
}

// saltFor returns a salt under which the group keyed key falls in split.
func saltFor(t *testing.T, key, split string) string {
	for i := range 1000 {
		salt := fmt.Sprintf("s%d", i)
		if SplitOf(key, salt, SplitConfig{}.Shares()) == split {
			return salt
		}
	}
	t.Fatalf("no salt puts %s in %s", key, split)
	return ""
}

// TestSplitPinConflict: a file of a pinned submission with a byte-identical
// copy elsewhere that the hash puts in another split is an error naming
// both files; the whole group goes to the pin.
func TestSplitPinConflict(t *testing.T) {
	tr := newTree(t)
	shared := encPNG(t, picture(7, 16, 16))
	sum := sha256.Sum256(shared)
	salt := saltFor(t, hex.EncodeToString(sum[:]), "train")
	tr.write("a_submission_2025/clean/x.png", shared)
	tr.write("a_submission_2025/clean/y.png", encPNG(t, picture(8, 16, 16)))
	tr.write("val/clean/x_copy.png", shared)
	s := tr.build(Options{Splits: SplitConfig{Salt: salt}})
	p := requireProblem(t, s, CodeSplitPinConflict, "a_submission_2025/clean/x.png", 0)
	if p.Severity != SeverityError || !strings.Contains(p.Message, "val/clean/x_copy.png") {
		t.Errorf("problem %+v does not name the pinned copy as an error", p)
	}
	for _, path := range []string{"a_submission_2025/clean/x.png", "val/clean/x_copy.png"} {
		if x, _ := s.Sample(path); x.Split != "val" {
			t.Errorf("%s in %s, want the pin's val", path, x.Split)
		}
	}
	checkSplits(t, s)
}

// TestDuplicateCopyServedOnce: a byte-identical copy in the same
// submission is a warning and its bytes are served once.
func TestDuplicateCopyServedOnce(t *testing.T) {
	tr := newTree(t)
	img := encPNG(t, picture(1, 16, 16))
	tr.write("a_submission_2025/clean/a.png", img)
	tr.write("a_submission_2025/clean/dup.png", img)
	tr.write("a_submission_2025/clean/b.png", encPNG(t, picture(2, 16, 16)))
	s := tr.build(Options{})
	p := requireProblem(t, s, CodeDuplicateCopy, "a_submission_2025/clean/dup.png", 0)
	if p.Severity != SeverityWarning || !strings.Contains(p.Message, "a_submission_2025/clean/a.png") {
		t.Errorf("problem %+v", p)
	}
	var paths []string
	for _, x := range ServedIn(s.Samples, SplitAll) {
		paths = append(paths, x.Path)
	}
	if !slices.Equal(paths, []string{"a_submission_2025/clean/a.png", "a_submission_2025/clean/b.png"}) {
		t.Errorf("served %v", paths)
	}
}

// TestSplitConfigInSnapshotID: other fractions or another salt make another
// snapshot id (cursors of the other server are refused).
func TestSplitConfigInSnapshotID(t *testing.T) {
	tr := newTree(t)
	tr.write("a_submission_2025/clean/a.png", encPNG(t, picture(1, 16, 16)))
	ids := map[string]bool{}
	for _, c := range []SplitConfig{{}, {Salt: "x"}, {Fractions: map[string]float64{"train": 0.5, "val": 0.5}}, {Pins: map[string]string{"a_submission_2025": "val"}}} {
		ids[tr.build(Options{Splits: c}).ID] = true
	}
	if len(ids) != 4 {
		t.Errorf("4 split configurations gave %d snapshot ids", len(ids))
	}
	if a, b := tr.build(Options{}).ID, tr.build(Options{Splits: SplitConfig{Fractions: map[string]float64{"train": 9, "val": 1}}}).ID; a != b {
		t.Errorf("train=9,val=1 is the default scaled, yet ids differ: %s %s", a, b)
	}
}

func TestParseSplitOptions(t *testing.T) {
	f, err := ParseFractions("train=0.8, val=0.1,test=0.1")
	if err != nil || f["test"] != 0.1 {
		t.Fatalf("%v %v", f, err)
	}
	for _, bad := range []string{"train", "train=x", "dev=0.5", "train=-1", "train=0,val=0", "train=1,train=2", "train=NaN"} {
		if _, err := ParseFractions(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	p, err := ParsePins([]string{"a_submission_2025=val,b_submission_2025=test", "c=train"})
	if err != nil || len(p) != 3 || p["b_submission_2025"] != "test" {
		t.Fatalf("%v %v", p, err)
	}
	for _, bad := range [][]string{{"a"}, {"a=all"}, {"=val"}, {"a=val", "a=test"}} {
		if _, err := ParsePins(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := Build(context.Background(), t.TempDir(), Options{Splits: SplitConfig{Fractions: map[string]float64{"dev": 1}}}); err == nil {
		t.Error("Build accepted split dev")
	}
}

// TestLeakWarnings: a split lacking a kind or technique is reported once
// it should hold at least minExpected of them, not below.
func TestLeakWarnings(t *testing.T) {
	var samples []Sample
	add := func(split string, k Kind, tech string, n int) {
		for range n {
			samples = append(samples, Sample{ID: fmt.Sprint(len(samples)), Kind: k, Technique: tech, Split: split, Accepted: true})
		}
	}
	add("train", KindClean, "", 100)
	add("train", KindStego, "alpha", 100)
	add("train", KindStego, "lsb.rgb", 100)
	add("val", KindClean, "", 30)
	add("val", KindStego, "alpha", 30)
	probs := leakWarnings(tallySplits(samples), [3]float64{0.8, 0.2, 0})
	var msgs []string
	for _, p := range probs {
		msgs = append(msgs, p.Message)
	}
	if len(probs) != 1 || !strings.Contains(msgs[0], "split val has no technique lsb.rgb") {
		t.Errorf("warnings %q", msgs)
	}
	samples = samples[:300]
	add("val", KindClean, "", 3)
	if probs := leakWarnings(tallySplits(samples), [3]float64{0.8, 0.2, 0}); len(probs) != 0 {
		t.Errorf("a split of 3 samples warned: %v", probs)
	}
	if probs := leakWarnings(tallySplits(samples), [3]float64{0.5, 0.2, 0.3}); len(probs) != 1 || !strings.Contains(probs[0].Message, "split test") {
		t.Errorf("empty test split of share 0.3: %v", probs)
	}
}

func slurp(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSplitJoinMovesGroup: a new stego whose bytes equal another cover's
// stego and whose sidecar names a cover of another split joins the two
// groups: one of them moves to the split of the joined group's key; nothing
// else moves.
func TestSplitJoinMovesGroup(t *testing.T) {
	tr := newTree(t)
	const sub = "a_submission_2025/"
	var ids []string
	for i := range 8 {
		img := encPNG(t, opaque(picture(uint64(50+i), 16, 16)))
		sum := sha256.Sum256(img)
		ids = append(ids, hex.EncodeToString(sum[:]))
		tr.write(fmt.Sprintf(sub+"clean/c%d.png", i), img)
	}
	tr.write(sub+"stego/p_lsb_000.png", lsbPNG(t, 21, "lsb-first"))
	tr.json(sub+"stego/p_lsb_000.png.json", sidecarObj("lsb.rgb", "lsb-first", "c0.png"))
	// a salt putting c0's group and c1's group in different splits
	var salt string
	for k := range 1000 {
		salt = fmt.Sprintf("j%d", k)
		shares := SplitConfig{}.Shares()
		if SplitOf(ids[0], salt, shares) != SplitOf(ids[1], salt, shares) {
			break
		}
	}
	opts := Options{Splits: SplitConfig{Salt: salt}}
	before := tr.build(opts)
	c0, _ := before.Sample(sub + "clean/c0.png")
	c1, _ := before.Sample(sub + "clean/c1.png")
	st, _ := before.Sample(sub + "stego/p_lsb_000.png")
	if c0.Split == c1.Split || st.Split != c0.Split {
		t.Fatalf("setup: c0 %s, c1 %s, stego %s", c0.Split, c1.Split, st.Split)
	}
	// the same stego bytes again, naming c1: the groups of c0 and c1 join
	tr.write(sub+"stego/p_lsb_001.png", lsbPNG(t, 21, "lsb-first"))
	tr.json(sub+"stego/p_lsb_001.png.json", sidecarObj("lsb.rgb", "lsb-first", "c1.png"))
	after := tr.build(opts)
	checkSplits(t, after)
	want := SplitOf(min(ids[0], ids[1]), salt, SplitConfig{}.Shares())
	moved := map[string]bool{}
	for _, x := range before.Samples {
		y, _ := after.Sample(x.Path)
		if y.Split != want && (x.Path == c0.Path || x.Path == c1.Path || x.Path == st.Path) {
			t.Errorf("%s in %s after the join, want %s", x.Path, y.Split, want)
		}
		if y.Split != x.Split {
			moved[x.Path] = true
		}
	}
	for p := range moved {
		if p != c0.Path && p != c1.Path && p != st.Path {
			t.Errorf("%s moved, though not in the joined groups", p)
		}
	}
	if len(moved) == 0 {
		t.Error("the join moved nothing")
	}
}
