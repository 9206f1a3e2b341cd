package demo

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// techniqueInfo is what a sidecar says of a technique, and the method word of
// the stego file names.
type techniqueInfo struct {
	category string
	method   string
}

var techniques = map[string]techniqueInfo{
	"alpha":   {"pixel", "alpha"},
	"palette": {"pixel", "palette"},
	"lsb.rgb": {"pixel", "lsb"},
	"exif":    {"metadata", "exif"},
	"raw":     {"eoi", "eoi"},
}

// sidecarJSON has the field order and shape of the reference sidecars.
type sidecarJSON struct {
	Embedding struct {
		Category  string `json:"category"`
		Technique string `json:"technique"`
		AI42      bool   `json:"ai42"`
		BitOrder  string `json:"bit_order,omitempty"`
	} `json:"embedding"`
	CleanFile string `json:"clean_file"`
}

// sidecar returns the sidecar of a stego image, indented by two spaces with
// no final newline, as the reference generator writes them.
func sidecar(st stegoPlan) ([]byte, error) {
	info, ok := techniques[st.technique]
	if !ok {
		return nil, fmt.Errorf("demo: unknown technique %q", st.technique)
	}
	var s sidecarJSON
	s.Embedding.Category = info.category
	s.Embedding.Technique = st.technique
	s.Embedding.AI42 = st.technique == "alpha"
	switch st.technique {
	case "alpha":
		s.Embedding.BitOrder = lsbFirst
	case "lsb.rgb", "palette":
		s.Embedding.BitOrder = st.order
	}
	s.CleanFile = st.cover
	return json.MarshalIndent(s, "", "  ")
}

// field is one key of a JSON object written in order.
type field struct {
	key   string
	value any
}

// pyObject writes an object with Python's json.dumps separators (", " and
// ": "), keys in the given order; values are strings, numbers, slices or
// nested []field.
func pyObject(fields []field) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			b.WriteString(", ")
		}
		k, _ := json.Marshal(f.key)
		b.Write(k)
		b.WriteString(": ")
		var v []byte
		var err error
		if nested, ok := f.value.([]field); ok {
			v, err = pyObject(nested)
		} else {
			v, err = json.Marshal(f.value)
		}
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// Per category: the unified schema's method_constraint, and the legacy
// schema's constraint sentence.
var constraints = map[string][2]string{
	"rgb_no_alpha":        {"alpha_detection_should_fail", "An RGB image has no alpha channel to hide bits in"},
	"uniform_alpha":       {"alpha_detection_should_fail", "A constant alpha channel carries no hidden bits"},
	"natural_noise":       {"palette_detection_should_fail", "Dithering noise is natural texture, not a hidden message"},
	"repetitive_patterns": {"lsb_detection_should_fail", "Repeating tiles are visible structure, not hidden data"},
}

// manifestLine returns one negatives manifest line in the submission's schema.
func manifestLine(schema manifestSchema, n negativePlan, f form, seed uint64) ([]byte, error) {
	c, ok := constraints[n.category]
	if !ok {
		return nil, fmt.Errorf("demo: no constraint for category %q", n.category)
	}
	if schema == schemaLegacy {
		return pyObject([]field{
			{"method", n.folder},
			{"constraint", c[1]},
			{"label", "clean"},
			{"file_path", n.folder + "/" + n.file},
		})
	}
	formatType := "RGB"
	switch {
	case f == formRGBAPNG:
		formatType = "RGBA"
	case f.paletted():
		formatType = "P"
	}
	return pyObject([]field{
		{"filename", n.file},
		{"category", n.category},
		{"method_constraint", c[0]},
		{"expected_behavior", "clean"},
		{"format_type", formatType},
		{"generation_method", "synthetic"},
		{"validation_status", "verified_clean"},
		{"metadata", []field{
			{"original_source", "starlight dataserver demo"},
			{"generation_params", []field{{"seed", seed}}},
			{"extraction_results", []any{}},
		}},
	})
}
