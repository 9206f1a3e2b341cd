package index

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/starlight/dataserver/internal/corpustest"
)

// corpusSnapshot indexes the shared corpus.
func corpusSnapshot(t *testing.T) (*Snapshot, string) {
	t.Helper()
	root := corpustest.Datasets(t)
	s, err := Build(context.Background(), root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s, root
}

// TestCorpusCounts checks the sample counts, categories, schemas and
// that the real tree has no problem.
func TestCorpusCounts(t *testing.T) {
	s, _ := corpusSnapshot(t)
	want := map[Kind]int{KindClean: 52, KindStego: 96, KindNegative: 28}
	got := map[Kind]int{}
	for _, x := range s.Samples {
		got[x.Kind]++
		if !x.Accepted {
			t.Errorf("%s not accepted", x.Path)
		}
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s samples: %d, want %d", k, got[k], n)
		}
	}
	if len(s.Served()) != 176 {
		t.Errorf("served %d, want 176", len(s.Served()))
	}
	expected := corpustest.Expected(t)
	legacyCorpus := map[string]bool{"beta_submission_2025/negatives/manifest.jsonl": true,
		"beta_submission_2025/negatives/dithered_gif": true, "beta_submission_2025/negatives/repetitive_hex": true}
	legacySeen := 0
	for _, p := range s.Problems {
		// The temporary standard-library decoders report some modes wrongly
		// (RGB PNG as RGBA); a mode complaint is excused only where the
		// reference (expected.jsonl) agrees with the manifest.
		if p.Code == CodeFormatTypeMismatch && excusedMode(t, s, p, expected) {
			t.Logf("excused (decoder mode differs from expected.jsonl): %s", p)
			continue
		}
		// beta keeps the legacy layout on purpose (the migrate tests use
		// it): its manifest and two old folder names are named, once each.
		if p.Code == CodeLegacyLayout && legacyCorpus[p.Path] {
			legacySeen++
			continue
		}
		t.Errorf("problem in the corpus: %s", p)
	}
	if legacySeen != len(legacyCorpus) {
		t.Errorf("%d legacy-layout warnings in the corpus, want %d (%v)", legacySeen, len(legacyCorpus), legacyCorpus)
	}
	r := NewReport(s)
	wantCats := []string{"natural_noise", "repetitive_patterns", "rgb_no_alpha", "uniform_alpha"}
	for _, sub := range []string{"alpha_submission_2025", "beta_submission_2025"} {
		if strings.Join(r.Categories[sub], ",") != strings.Join(wantCats, ",") {
			t.Errorf("%s categories %v, want %v", sub, r.Categories[sub], wantCats)
		}
	}
	schemas := map[string]map[string]int{}
	for p, f := range s.files {
		if strings.HasSuffix(p, "/manifest.jsonl") {
			sub := strings.SplitN(p, "/", 2)[0]
			schemas[sub] = map[string]int{}
			for _, e := range f.manifest {
				schemas[sub][e.Schema]++
			}
		}
	}
	if schemas["alpha_submission_2025"]["unified"] != 16 || len(schemas["alpha_submission_2025"]) != 1 {
		t.Errorf("alpha manifest schemas %v, want 16 unified", schemas["alpha_submission_2025"])
	}
	if schemas["beta_submission_2025"]["legacy"] != 12 || len(schemas["beta_submission_2025"]) != 1 {
		t.Errorf("beta manifest schemas %v, want 12 legacy", schemas["beta_submission_2025"])
	}
}

// excusedMode reports whether a format-type-mismatch comes from the decoder
// alone: the reference mode in expected.jsonl equals the declared format_type.
func excusedMode(t *testing.T, s *Snapshot, p Problem, expected map[string]corpustest.Entry) bool {
	for _, x := range s.Samples {
		if x.Kind == KindNegative && strings.Contains(p.Message, strings.TrimPrefix(x.Path, x.Submission+"/negatives/")+",") {
			e, ok := expected[x.Path]
			return ok && strings.Contains(p.Message, `format_type "`+e.Mode+`"`)
		}
	}
	return false
}

// TestCorpusLabels checks every sample's header facts against
// expected.jsonl and every stego label against its sidecar and file name.
func TestCorpusLabels(t *testing.T) {
	s, root := corpusSnapshot(t)
	expected := corpustest.Expected(t)
	classOf := map[string]int{"alpha": 0, "palette": 1, "lsb": 2, "exif": 3, "eoi": 4}
	modeDiffs := 0
	for _, x := range s.Samples {
		e, ok := expected[x.Path]
		if !ok {
			t.Errorf("%s not in expected.jsonl", x.Path)
			continue
		}
		if string(x.Format) != e.Format || x.Width != e.Size[0] || x.Height != e.Size[1] {
			t.Errorf("%s: %s %dx%d, expected.jsonl says %s %dx%d", x.Path, x.Format, x.Width, x.Height, e.Format, e.Size[0], e.Size[1])
		}
		if string(x.Mode) != e.Mode {
			modeDiffs++
		}
		if x.ID == "" || len(x.ID) != 64 {
			t.Errorf("%s: content id %q", x.Path, x.ID)
		}
		if x.Kind != KindStego {
			if x.Class != ClassNone || x.BitOrder != BitOrderNone {
				t.Errorf("%s: non-stego with class %d, bit order %s", x.Path, x.Class, x.BitOrder)
			}
			continue
		}
		parts := strings.Split(filepath.Base(x.Path), "_")
		if want := classOf[parts[len(parts)-2]]; x.Class != want {
			t.Errorf("%s: class %d, want %d", x.Path, x.Class, want)
		}
		raw, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(x.Path)) + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var sc struct {
			Embedding struct {
				BitOrder string `json:"bit_order"`
			} `json:"embedding"`
			CleanFile string `json:"clean_file"`
		}
		if err := json.Unmarshal(raw, &sc); err != nil {
			t.Fatal(err)
		}
		wantOrder := BitOrderNone
		if x.Class <= ClassLSBRGB {
			wantOrder = map[string]BitOrder{"": BitOrderMSBFirst, "msb-first": BitOrderMSBFirst, "lsb-first": BitOrderLSBFirst}[sc.Embedding.BitOrder]
		}
		if x.BitOrder != wantOrder {
			t.Errorf("%s: bit order %s, want %s", x.Path, x.BitOrder, wantOrder)
		}
		cover, ok := s.Sample(x.Submission + "/clean/" + sc.CleanFile)
		if !ok || x.CoverPath != cover.Path || x.CoverID != cover.ID || cover.Kind != KindClean {
			t.Errorf("%s: cover %q (%s), want %s", x.Path, x.CoverPath, x.CoverID, sc.CleanFile)
		}
	}
	t.Logf("modes differing from expected.jsonl (temporary decoders): %d", modeDiffs)
}

// TestCorpusIDIndependentOfRoot copies the corpus elsewhere with new mtimes:
// the snapshot id must not change.
func TestCorpusIDIndependentOfRoot(t *testing.T) {
	s, root := corpusSnapshot(t)
	dst := t.TempDir()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := Build(context.Background(), dst, Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != s.ID {
		t.Fatalf("copy has snapshot id %s, original %s", c.ID, s.ID)
	}
	if d := Diff(s, c); !d.Empty() {
		t.Fatalf("copy differs: %+v", d)
	}
}
