package schemas

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// TestSchemasPublished checks every schema compiles against the 2020-12
// meta-schema, carries its published $id, a title, a description and
// examples, and that each example is valid under its own schema.
func TestSchemasPublished(t *testing.T) {
	set, err := Compiled()
	if err != nil {
		t.Fatal(err)
	}
	compiled := map[string]*jsonschema.Schema{SidecarFile: set.Sidecar, ManifestLineFile: set.ManifestLine, LegacyManifestLineFile: set.LegacyManifestLine}
	for _, name := range Names {
		raw, err := Raw(name)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Schema      string            `json:"$schema"`
			ID          string            `json:"$id"`
			Title       string            `json:"title"`
			Description string            `json:"description"`
			Examples    []json.RawMessage `json:"examples"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if doc.Schema != "https://json-schema.org/draft/2020-12/schema" {
			t.Errorf("%s: $schema %q", name, doc.Schema)
		}
		if doc.ID != BaseURL+name {
			t.Errorf("%s: $id %q, want %q", name, doc.ID, BaseURL+name)
		}
		if doc.Title == "" || len(doc.Description) < 80 || len(doc.Examples) == 0 {
			t.Errorf("%s: title %q, description of %d bytes, %d examples", name, doc.Title, len(doc.Description), len(doc.Examples))
		}
		for i, ex := range doc.Examples {
			v, err := jsonschema.UnmarshalJSON(bytes.NewReader(ex))
			if err != nil {
				t.Fatal(err)
			}
			if err := compiled[name].Validate(v); err != nil {
				t.Errorf("%s: example %d is invalid: %v", name, i, err)
			}
		}
	}
}

// TestSchemasReject checks a few documents each schema must reject.
func TestSchemasReject(t *testing.T) {
	set, err := Compiled()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		sch  *jsonschema.Schema
		doc  string
		want string // a fragment of the error
	}{
		{set.Sidecar, `{"embedding": {"technique": "dct"}, "clean_file": "c.png"}`, "/embedding/technique"},
		{set.Sidecar, `{"embedding": {"technique": "raw", "category": "pixel"}, "clean_file": "c.png"}`, "/embedding/category"},
		{set.Sidecar, `{"embedding": {"technique": "raw"}, "clean_file": "../c.png"}`, "/clean_file"},
		{set.Sidecar, `{"embedding": {"technique": "raw"}, "clean_file": "C:/c.png"}`, "/clean_file"},
		{set.Sidecar, `{"embedding": {"technique": "raw"}}`, "clean_file"},
		{set.ManifestLine, `{"filename": "a/b.png", "category": "x"}`, "/filename"},
		{set.ManifestLine, `{"filename": "b.png", "category": ".."}`, "/category"},
		{set.ManifestLine, `{"filename": "b.png", "category": "x", "expected_behavior": "stego"}`, "/expected_behavior"},
		{set.ManifestLine, `{"filename": "b.png", "category": "x", "metadata": {"extraction_results": 3}}`, "/metadata/extraction_results"},
		{set.LegacyManifestLine, `{"file_path": "a//b.png"}`, "/file_path"},
		{set.LegacyManifestLine, `{"file_path": "/etc/passwd"}`, "/file_path"},
		{set.LegacyManifestLine, `{"file_path": "a\\b.png"}`, "/file_path"},
		{set.LegacyManifestLine, `{"file_path": "a/../b.png"}`, "/file_path"},
	} {
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(c.doc))
		if err != nil {
			t.Fatal(err)
		}
		err = c.sch.Validate(v)
		if err == nil {
			t.Errorf("%s: accepted", c.doc)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not name %s", c.doc, err, c.want)
		}
	}
}

// TestSchemasAcceptVariants checks the variants real trees have.
func TestSchemasAcceptVariants(t *testing.T) {
	set, err := Compiled()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		sch *jsonschema.Schema
		doc string
	}{
		{set.ManifestLine, `{"filename": "x.png", "category": "rgb no alpha"}`},
		{set.ManifestLine, `{"filename": "x.png", "category": "c", "method_constraint": "Free text, with punctuation."}`},
		{set.ManifestLine, `{"filename": "x.png", "category": "c", "metadata": {"extraction_results": []}}`},
		{set.ManifestLine, `{"filename": "x.png", "category": "c", "metadata": {"extraction_results": {"alpha": null}}, "extra": 1}`},
		{set.LegacyManifestLine, `{"method": "dithered_gif", "file_path": "dithered_gif/x.png", "label": "clean"}`},
		{set.Sidecar, `{"embedding": {"technique": "palette", "bit_order": null, "ai42": null}, "clean_file": "sub/c.gif"}`},
		{set.Sidecar, `{"embedding": {"technique": "lsb.rgb", "category": "pixel", "extra": true}, "clean_file": "c d.png", "notes": "kept"}`},
	} {
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(c.doc))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.sch.Validate(v); err != nil {
			t.Errorf("%s: rejected: %v", c.doc, err)
		}
	}
}
