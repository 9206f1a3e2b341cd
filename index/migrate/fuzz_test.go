package migrate

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/starlight/dataserver/index"
)

// corpusLines returns up to n lines of the corpus manifests, when present.
func corpusLines(n int) [][]byte {
	wd, _ := os.Getwd()
	files, _ := filepath.Glob(filepath.Join(wd, "..", "..", "..", "shared", "corpus", "datasets", "*", "negatives", "manifest.jsonl"))
	var out [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for i := 0; sc.Scan() && i < n; i++ {
			out = append(out, append([]byte(nil), sc.Bytes()...))
		}
	}
	return out
}

// FuzzOrderedObject: whatever orderedObject accepts, emitObject writes back
// as valid JSON with the same members in the same order.
func FuzzOrderedObject(f *testing.F) {
	for _, l := range corpusLines(2) {
		f.Add(l)
	}
	f.Add([]byte(`{"a": 1, "a": [2, {"b": null}], "<&>": "\u00e9"}`))
	f.Add([]byte(`{} `))
	f.Add([]byte(`{"x": 1} {"y": 2}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		kvs, err := orderedObject(data)
		if err != nil {
			return
		}
		out := emitObject(kvs)
		if !json.Valid(out) {
			t.Fatalf("emitObject wrote invalid JSON %q from %q", out, data)
		}
		again, err := orderedObject(out)
		if err != nil || len(again) != len(kvs) {
			t.Fatalf("re-read: %v, %d members, want %d", err, len(again), len(kvs))
		}
		for i := range kvs {
			if again[i].key != kvs[i].key || !bytes.Equal(again[i].raw, kvs[i].raw) {
				t.Fatalf("member %d: %q=%s, want %q=%s", i, again[i].key, again[i].raw, kvs[i].key, kvs[i].raw)
			}
		}
	})
}

// FuzzUnifiedFromLegacy: every legacy line the index accepts becomes a
// unified line the index accepts, naming the same file name and category,
// with the same constraint, and keeping the legacy line whole.
func FuzzUnifiedFromLegacy(f *testing.F) {
	for _, l := range corpusLines(3) {
		f.Add(l, "RGB")
	}
	f.Add([]byte(`{"method": "Rgb No Alpha", "constraint": "<free & text>", "label": "clean", "file_path": "a b/c.png"}`), "")
	f.Add([]byte(`{"file_path": "dithered_gif/x.png", "label": 3, "constraint": {"k": 1}}`), "P")
	f.Fuzz(func(t *testing.T, line []byte, mode string) {
		e, _, err := index.ParseManifestLine(line)
		if err != nil || e.Schema != index.SchemaLegacy || e.Category == "" {
			return
		}
		base := path.Base(e.Paths[0])
		out, err := unifiedFromLegacy(line, e, base, 7, mode)
		if err != nil {
			// Only a category or file name that cannot be one plain path
			// element has no unified form.
			if plain(e.Category) && plain(base) {
				t.Fatalf("legacy line %q (category %q, file %q) not converted: %v", line, e.Category, base, err)
			}
			return
		}
		u, probs, err := index.ParseManifestLine(out)
		if err != nil || u.Schema != index.SchemaUnified {
			t.Fatalf("converted line %s rejected: %v %v", out, err, probs)
		}
		if u.Category != e.Category || path.Base(u.Paths[0]) != base {
			t.Fatalf("converted %q to %s: category %q file %q, want %q %q", line, out, u.Category, path.Base(u.Paths[0]), e.Category, base)
		}
		if e.MethodConstraint != "" && u.MethodConstraint != e.MethodConstraint {
			t.Fatalf("constraint %q became %q", e.MethodConstraint, u.MethodConstraint)
		}
		if (e.LabelInvalid == "") != (u.LabelInvalid == "") {
			t.Fatalf("label %q (%q) became %q (%q)", e.Label, e.LabelInvalid, u.Label, u.LabelInvalid)
		}
		var md struct {
			Metadata struct {
				Legacy json.RawMessage `json:"legacy"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal(out, &md); err != nil || !json.Valid(md.Metadata.Legacy) {
			t.Fatalf("legacy line not kept in %s: %v", out, err)
		}
	})
}

// plain reports whether s is one safe path element: no slash or backslash,
// not "." or "..", not a drive letter.
func plain(s string) bool {
	return fs.ValidPath(s) && !strings.ContainsAny(s, `/\`) && s != "." && !(len(s) > 1 && s[1] == ':')
}
