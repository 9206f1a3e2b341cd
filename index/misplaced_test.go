package index

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestMisplacedFolders plants image folders outside the standard places:
// each is reported once, with its image count and a command that, run from
// the root, moves the images to where the index serves them.
func TestMisplacedFolders(t *testing.T) {
	tr := baseTree(t)
	seed := uint64(500)
	img := func(rel string) {
		seed++
		tr.write(rel, encPNG(t, opaque(picture(seed, 16, 16))))
	}
	for i := 0; i < 3; i++ {
		img("training/v3_negatives/rgb_no_alpha/r" + itoa(i) + ".png")
	}
	for i := 0; i < 2; i++ {
		img("training/v3_negatives/dithered_gif/d" + itoa(i) + ".png")
	}
	tr.lines("training/v3_negatives/manifest.jsonl",
		map[string]any{"method": "rgb_no_alpha", "label": "clean", "file_path": "rgb_no_alpha/r0.png"})
	for i := 0; i < 4; i++ {
		img("hard_negatives/h" + itoa(i) + ".png")
	}
	for i := 0; i < 2; i++ {
		img(sub + "negative/n" + itoa(i) + ".png")
	}
	for i := 0; i < 3; i++ {
		img(sub + "cover/k" + itoa(i) + ".png")
	}
	img(sub + "my covers/with space.png")
	img(sub + "old/v2 negatives/x.png") // found below a folder of the submission that says nothing
	tr.write(sub+"stego/lsb/p_lsb_010.png", lsbPNG(t, 601, "msb-first"))
	tr.json(sub+"stego/lsb/p_lsb_010.png.json", sidecarObj("lsb.rgb", "msb-first", "c1.png"))
	img("beta_2025/clean/b0.png")
	img("beta_2025/clean/b1.png")
	img("loose/stuff/steg_out/s0.png") // found below a folder that says nothing
	// Not misplaced: seeds, folders of no images, image folders that look like no set.
	img(sub + "seeds/figure.png")
	tr.write("notes/readme.txt", []byte("hello"))
	img("docs/figures/plot.png")
	img(".cache/negatives/x.png")

	s := tr.build(Options{})
	want := map[string]int{
		"training/v3_negatives":  5,
		"hard_negatives":         4,
		sub + "negative":         2,
		sub + "cover":            3,
		sub + "my covers":        1,
		sub + "stego/lsb":        1,
		"beta_2025":              2,
		"loose/stuff/steg_out":   1,
		sub + "old/v2 negatives": 1,
	}
	count := regexp.MustCompile(`holds (\d+) images?`)
	got := map[string]Problem{}
	for _, p := range s.Problems {
		if p.Code != CodeMisplacedFolder {
			continue
		}
		if _, dup := got[p.Path]; dup {
			t.Errorf("%s reported twice", p.Path)
		}
		got[p.Path] = p
		if p.Severity != SeverityWarning {
			t.Errorf("%s: severity %s", p.Path, p.Severity)
		}
	}
	for dir, n := range want {
		p, ok := got[dir]
		if !ok {
			t.Errorf("%s (%d images) not reported; problems:\n%s", dir, n, dump(s))
			continue
		}
		m := count.FindStringSubmatch(p.Message)
		if m == nil || m[1] != strconv.Itoa(n) {
			t.Errorf("%s: message %q does not give %d images", dir, p.Message, n)
		}
		if !strings.Contains(p.Message, "mv -n ") {
			t.Errorf("%s: no move command in %q", dir, p.Message)
		}
	}
	for dir := range got {
		if _, ok := want[dir]; !ok {
			t.Errorf("unexpected misplaced-folder at %s: %s", dir, got[dir].Message)
		}
	}
	if !accepted(t, s, sub+"stego/lsb/p_lsb_010.png") {
		t.Error("stego image in a subfolder of stego/ no longer served")
	}
	checkRest(t, s)

	only, err := Misplaced(context.Background(), tr.root)
	if err != nil || len(only) != len(got) {
		t.Fatalf("Misplaced: %d problems, %v; Build found %d", len(only), err, len(got))
	}

	// Run every command from the root: the images land where they are indexed.
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh: the move commands are not run")
	}
	moved := 0
	for dir, p := range got {
		if dir == sub+"my covers" {
			continue // its message offers choices, not one command
		}
		i := strings.Index(p.Message, "from the root run: ")
		if i < 0 {
			t.Errorf("%s: no command to run in %q", dir, p.Message)
			continue
		}
		line := p.Message[i+len("from the root run: "):]
		if strings.Contains(line, categoryPlaceholder) {
			// Loose negatives: the command does not run until the
			// contributor has chosen their category.
			try := exec.Command(sh, "-c", line)
			try.Dir = tr.root
			if out, err := try.CombinedOutput(); err == nil {
				t.Errorf("%s: the command ran with its placeholder: %s\n%s", dir, line, out)
			}
			line = strings.ReplaceAll(line, categoryPlaceholder, "natural_noise")
		}
		cmd := exec.Command(sh, "-c", line)
		cmd.Dir = tr.root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s: command failed: %v\n%s", dir, err, out)
		}
		if dir != sub+"stego/lsb" {
			moved += want[dir]
		}
	}
	after := tr.build(Options{})
	for _, p := range after.Problems {
		if p.Code == CodeMisplacedFolder && p.Path != sub+"my covers" {
			t.Errorf("still misplaced after its command: %s", p)
		}
		// The advice leads to a valid tree: every negative has a known category.
		if p.Code == CodeCategoryUnknown || p.Code == CodeNegativeUncategorized {
			t.Errorf("after the moves: %s", p)
		}
	}
	// and leaves no empty folder behind.
	for _, gone := range []string{"training", "loose", sub + "old", "hard_negatives"} {
		if _, err := os.Stat(filepath.Join(tr.root, filepath.FromSlash(gone))); !os.IsNotExist(err) {
			t.Errorf("%s still there after the moves: %v", gone, err)
		}
	}
	if len(after.Samples) != len(s.Samples)+moved {
		t.Errorf("%d samples after the moves, want %d + %d", len(after.Samples), len(s.Samples), moved)
	}
	for _, p := range []string{"training_submission_2025/negatives/rgb_no_alpha/r0.png", "unsorted_submission_2025/negatives/natural_noise/h0.png",
		sub + "negatives/natural_noise/n0.png", sub + "clean/k0.png", sub + "stego/p_lsb_010.png", sub + "negatives/natural_noise/x.png", "beta_submission_2025/clean/b0.png", "loose_submission_2025/stego/s0.png"} {
		if _, ok := after.Sample(p); !ok {
			t.Errorf("%s not indexed after the moves", p)
		}
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"a_submission_2025/negatives": "a_submission_2025/negatives",
		"my covers":                   "'my covers'",
		"it's":                        `'it'\''s'`,
		"":                            "''",
		"$(rm -rf x)":                 "'$(rm -rf x)'",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
