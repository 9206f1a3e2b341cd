package index

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/starlight/dataserver/payload"
	"github.com/starlight/dataserver/schemas"
)

// TestSchemaAgreesWithCode checks that the published sidecar schema lists
// the techniques in class id order, each known to payload, and maps each
// technique to the category techniqueCategory names.
func TestSchemaAgreesWithCode(t *testing.T) {
	raw, err := schemas.Raw(schemas.SidecarFile)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Properties struct {
			Embedding struct {
				Properties struct {
					Technique struct {
						Enum []string `json:"enum"`
					} `json:"technique"`
				} `json:"properties"`
			} `json:"embedding"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	enum := doc.Properties.Embedding.Properties.Technique.Enum
	if len(enum) != 5 {
		t.Fatalf("technique enum %v", enum)
	}
	for id, tech := range enum {
		m, ok := payload.ParseMethod(tech)
		if !ok || int(m) != id {
			t.Errorf("schema lists %s at %d; payload says class %d (%v)", tech, id, m, ok)
		}
		for _, cat := range []string{"pixel", "metadata", "eoi"} {
			sc := `{"embedding": {"technique": "` + tech + `", "category": "` + cat + `"}, "clean_file": "c.png"}`
			_, probs, err := ParseSidecar([]byte(sc))
			if err != nil {
				t.Fatalf("%s: %v", sc, err)
			}
			if mismatch := hasCode(probs, CodeSidecarCategory); mismatch != (cat != techniqueCategory[tech]) {
				t.Errorf("technique %s, category %s: sidecar-category %v, techniqueCategory says %s", tech, cat, mismatch, techniqueCategory[tech])
			}
		}
	}
}

// TestSchemaProblemsNameFileLineField builds a tree with sidecars and
// manifest lines the schemas reject: every problem names the file, the
// manifest line, and the failing field.
func TestSchemaProblemsNameFileLineField(t *testing.T) {
	tr := baseTree(t)
	for name, sc := range map[string]string{
		"t.png": `{"embedding": {"technique": "dct"}, "clean_file": "c1.png"}`,
		"b.png": `{"embedding": {"technique": "lsb.rgb", "bit_order": "little"}, "clean_file": "c1.png"}`,
		"e.png": `{"embedding": ["lsb.rgb"], "clean_file": "c1.png"}`,
		"m.png": `{"clean_file": "c1.png"}`,
		"a.png": `{"embedding": {"technique": "lsb.rgb", "ai42": "no"}, "clean_file": "c1.png"}`,
		"k.png": `{"embedding": {"technique": "lsb.rgb", "category": 4}, "clean_file": "c1.png"}`,
	} {
		tr.write(sub+"stego/"+name, lsbPNG(t, uint64(len(name)*7+int(name[0])), "msb-first"))
		tr.write(sub+"stego/"+name+".json", []byte(sc))
	}
	m := sub + "negatives/manifest.jsonl"
	tr.lines(m,
		map[string]any{"filename": "n0.png", "category": "rgb_no_alpha", "expected_behavior": "clean"},
		map[string]any{"filename": "n0.png", "category": 5},
		map[string]any{"filename": "n0.png", "category": "rgb_no_alpha", "format_type": []any{"RGB"}},
		map[string]any{"file_path": "rgb_no_alpha/n0.png", "constraint": 12},
		map[string]any{"filename": "n0.png", "category": "rgb_no_alpha", "metadata": map[string]any{"extraction_results": "none"}},
		map[string]any{"filename": "n0.png"},
	)
	s := tr.build(Options{})
	for _, c := range []struct {
		path, code string
		line       int
		field      string
		fatal      bool
	}{
		{sub + "stego/t.png.json", CodeSidecarSchema, 0, `"embedding.technique"`, true},
		{sub + "stego/b.png.json", CodeSidecarSchema, 0, `"embedding.bit_order"`, true},
		{sub + "stego/e.png.json", CodeSidecarSchema, 0, `"embedding"`, true},
		{sub + "stego/m.png.json", CodeSidecarSchema, 0, `"embedding" is missing`, true},
		{sub + "stego/a.png.json", CodeSidecarField, 0, `"embedding.ai42"`, false},
		{sub + "stego/k.png.json", CodeSidecarField, 0, `"embedding.category"`, false},
		{m, CodeManifestSchema, 2, `"category"`, true},
		{m, CodeManifestField, 3, `"format_type"`, false},
		{m, CodeManifestField, 4, `"constraint"`, false},
		{m, CodeManifestField, 5, `"metadata.extraction_results"`, false},
		{m, CodeManifestSchema, 6, `"category" is missing`, true},
	} {
		p := requireProblem(t, s, c.code, c.path, c.line)
		if !strings.Contains(p.Message, c.field) {
			t.Errorf("%s:%d %s: message %q does not name %s", c.path, c.line, c.code, p.Message, c.field)
		}
		if p.Line != c.line {
			t.Errorf("%s: line %d, want %d", c.path, p.Line, c.line)
		}
		if c.fatal != (p.Severity == SeverityError) {
			t.Errorf("%s:%d: severity %s", c.path, c.line, p.Severity)
		}
		if stego := strings.TrimSuffix(c.path, ".json"); stego != c.path {
			if accepted(t, s, stego) == c.fatal {
				t.Errorf("%s served: %v, want %v", stego, !c.fatal, !c.fatal)
			}
		}
	}
	// Lines 3 to 5 name the same file as line 1: duplicates, not schema errors.
	requireProblem(t, s, CodeManifestDuplicate, m, 3)
	if !accepted(t, s, sub+"negatives/rgb_no_alpha/n0.png") {
		t.Error("the negative of line 1 is not served")
	}
}

// TestSchemaLabels checks the label rule of both manifest schemas: clean
// (or absent) is served, anything else is a negative-label error on the
// manifest line and the negative is not served.
func TestSchemaLabels(t *testing.T) {
	for _, c := range []struct {
		line  map[string]any
		valid bool
	}{
		{map[string]any{"filename": "n0.png", "category": "rgb_no_alpha", "expected_behavior": "clean"}, true},
		{map[string]any{"filename": "n0.png", "category": "rgb_no_alpha", "expected_behavior": nil}, true},
		{map[string]any{"filename": "n0.png", "category": "rgb_no_alpha"}, true},
		{map[string]any{"file_path": "rgb_no_alpha/n0.png", "label": "Clean"}, true},
		{map[string]any{"filename": "n0.png", "category": "rgb_no_alpha", "expected_behavior": "stego"}, false},
		{map[string]any{"filename": "n0.png", "category": "rgb_no_alpha", "expected_behavior": 0}, false},
		{map[string]any{"file_path": "rgb_no_alpha/n0.png", "label": "steganographic"}, false},
		{map[string]any{"file_path": "rgb_no_alpha/n0.png", "label": false}, false},
	} {
		tr := baseTree(t)
		m := sub + "negatives/manifest.jsonl"
		tr.lines(m, c.line)
		s := tr.build(Options{})
		got := accepted(t, s, sub+"negatives/rgb_no_alpha/n0.png")
		if got != c.valid {
			t.Errorf("%v: served %v, want %v\n%s", c.line, got, c.valid, dump(s))
		}
		if !c.valid {
			p := requireProblem(t, s, CodeNegativeLabel, m, 1)
			if !strings.Contains(p.Message, "expected_behavior") && !strings.Contains(p.Message, `"label"`) {
				t.Errorf("message %q names no field", p.Message)
			}
		}
		for _, p := range s.Problems {
			if c.valid && p.Code != CodeLegacyLayout {
				t.Errorf("%v: problem %s", c.line, p)
			}
		}
	}
}
