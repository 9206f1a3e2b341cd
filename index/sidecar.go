package index

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"unicode/utf8"

	"github.com/starlight/dataserver/payload"
)

// MaxSidecarSize is the largest sidecar read; a larger one is a problem.
const MaxSidecarSize = 1 << 20

// techniqueCategory is the embedding category each technique belongs to.
var techniqueCategory = map[string]string{
	"alpha": "pixel", "palette": "pixel", "lsb.rgb": "pixel", "exif": "metadata", "raw": "eoi",
}

// Sidecar is a stego sidecar as parsed and validated.
type Sidecar struct {
	// Technique is the embedding technique, one of the five the spec names.
	Technique string
	// Method is the technique's extractor; its value is the class id.
	Method payload.Method
	// Category is the embedding category as written ("pixel", "metadata", "eoi").
	Category string
	// AI42 is the embedding's ai42 flag.
	AI42 bool
	// BitOrder is the label's bit order: as written for pixel techniques,
	// msb-first when absent; none for exif and raw.
	BitOrder BitOrder
	// BitOrderGiven is the bit_order field as written, "" when absent.
	BitOrderGiven string
	// CleanFile is the clean_file field, "" when absent.
	CleanFile string
}

// ParseSidecar parses and validates a sidecar. The error is set when the
// sidecar cannot label its image (not JSON, no or unknown technique, bad
// bit order); problems lists every finding, the fatal one included, with
// Path and Line left for the caller.
func ParseSidecar(data []byte) (Sidecar, []Problem, error) {
	var sc Sidecar
	var probs []Problem
	fail := func(p Problem) (Sidecar, []Problem, error) {
		probs = append(probs, p)
		return sc, probs, fmt.Errorf("%s", p.Message)
	}
	if len(data) > MaxSidecarSize {
		return fail(errorf(CodeSidecarTooLarge, "sidecar of %d bytes exceeds the %d byte bound", len(data), MaxSidecarSize))
	}
	if !utf8.Valid(data) {
		return fail(errorf(CodeSidecarJSON, "sidecar is not valid UTF-8"))
	}
	var top map[string]json.RawMessage
	if err := strictUnmarshal(data, &top); err != nil || top == nil {
		return fail(errorf(CodeSidecarJSON, "sidecar is not one JSON object: %v", jsonReason(err)))
	}
	var emb map[string]json.RawMessage
	raw, ok := top["embedding"]
	if !ok {
		return fail(errorf(CodeSidecarSchema, `sidecar has no "embedding" object`))
	}
	if err := strictUnmarshal(raw, &emb); err != nil || emb == nil {
		return fail(errorf(CodeSidecarSchema, `"embedding" is not an object`))
	}
	if err := stringField(emb, "technique", &sc.Technique); err != nil || sc.Technique == "" {
		return fail(errorf(CodeSidecarSchema, `"embedding.technique" must be a non-empty string`))
	}
	m, ok := payload.ParseMethod(sc.Technique)
	if !ok {
		return fail(errorf(CodeSidecarSchema, "unknown technique %q (want alpha, palette, lsb.rgb, exif or raw)", sc.Technique))
	}
	sc.Method = m
	if err := stringField(emb, "bit_order", &sc.BitOrderGiven); err != nil {
		return fail(errorf(CodeSidecarSchema, `"embedding.bit_order" must be a string`))
	}
	switch sc.BitOrderGiven {
	case "", "msb-first":
		sc.BitOrder = BitOrderMSBFirst
	case "lsb-first":
		sc.BitOrder = BitOrderLSBFirst
	default:
		return fail(errorf(CodeSidecarSchema, `unknown bit_order %q (want "lsb-first" or "msb-first")`, sc.BitOrderGiven))
	}
	if !m.Pixel() {
		sc.BitOrder = BitOrderNone
	}
	if m == payload.Alpha && sc.BitOrderGiven == "msb-first" {
		probs = append(probs, warnf(CodeAlphaBitOrder, "alpha sidecar declares msb-first; alpha payloads are lsb-first"))
	}
	if err := stringField(emb, "category", &sc.Category); err != nil {
		probs = append(probs, warnf(CodeSidecarField, `"embedding.category" is not a string; ignored`))
	} else if sc.Category != "" && sc.Category != techniqueCategory[sc.Technique] {
		probs = append(probs, warnf(CodeSidecarCategory, "category %q does not match technique %s (category %s)", sc.Category, sc.Technique, techniqueCategory[sc.Technique]))
	}
	if v, ok := emb["ai42"]; ok {
		if err := json.Unmarshal(v, &sc.AI42); err != nil {
			probs = append(probs, warnf(CodeSidecarField, `"embedding.ai42" is not a boolean; taken as false`))
		}
	}
	if err := stringField(top, "clean_file", &sc.CleanFile); err != nil {
		probs = append(probs, errorf(CodeCleanFilePath, `"clean_file" is not a string`))
	} else if _, ok := top["clean_file"]; !ok || sc.CleanFile == "" {
		probs = append(probs, warnf(CodeCoverUnnamed, "sidecar names no clean_file"))
	} else if why := badName(sc.CleanFile); why != "" {
		probs = append(probs, errorf(CodeCleanFilePath, "clean_file %q %s", sc.CleanFile, why))
		sc.CleanFile = ""
	}
	return sc, probs, nil
}

// strictUnmarshal decodes exactly one JSON value.
func strictUnmarshal(data []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return fmt.Errorf("data after the JSON value")
	}
	var extra json.RawMessage
	if err := d.Decode(&extra); err == nil {
		return fmt.Errorf("data after the JSON value")
	}
	return nil
}

// jsonReason shortens a JSON error for a report.
func jsonReason(err error) string {
	if err == nil {
		return "null"
	}
	return err.Error()
}

// stringField sets *dst to the string field key of obj; absent leaves it
// unchanged, null counts as absent, any other type is an error.
func stringField(obj map[string]json.RawMessage, key string, dst *string) error {
	v, ok := obj[key]
	if !ok || string(v) == "null" {
		return nil
	}
	return json.Unmarshal(v, dst)
}

// badName says why name is not a plain relative slash path inside its
// folder ("" when it is one).
func badName(name string) string {
	switch {
	case !utf8.ValidString(name):
		return "is not valid UTF-8"
	case strings.HasPrefix(name, "/") || (len(name) > 1 && name[1] == ':'):
		return "is an absolute path"
	case strings.Contains(name, `\`):
		return "contains a backslash"
	case strings.ContainsRune(name, 0):
		return "contains a NUL byte"
	}
	for _, el := range strings.Split(name, "/") {
		if el == ".." {
			return `climbs out with ".."`
		}
	}
	if !fs.ValidPath(name) || name == "." {
		return "is not a clean relative path"
	}
	return ""
}
