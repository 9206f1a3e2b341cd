package index

import (
	"errors"
	"io/fs"
	"strings"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/starlight/dataserver/payload"
)

// MaxSidecarSize is the largest sidecar read; a larger one is a problem.
const MaxSidecarSize = 1 << 20

// techniqueCategory is the embedding category each technique belongs to,
// as schemas/stego-sidecar.schema.json says (a test keeps the two equal).
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
	// CleanFile is the clean_file field, "" when absent or unsafe.
	CleanFile string
}

// ParseSidecar parses a sidecar and validates it against the published
// schema (schemas/stego-sidecar.schema.json), then checks what the schema
// cannot say. The error is set when the sidecar cannot label its image (not
// JSON, no or unknown technique, bad bit order); problems lists every
// finding, the fatal ones last, with Path and Line left for the caller.
// Each schema finding names the failing field ("embedding.technique").
func ParseSidecar(data []byte) (sc Sidecar, probs []Problem, err error) {
	fail := func(p Problem) (Sidecar, []Problem, error) {
		probs = append(probs, p)
		return sc, probs, errors.New(p.Message)
	}
	if len(data) > MaxSidecarSize {
		return fail(errorf(CodeSidecarTooLarge, "sidecar of %d bytes exceeds the %d byte bound", len(data), MaxSidecarSize))
	}
	if !utf8.Valid(data) {
		return fail(errorf(CodeSidecarJSON, "sidecar is not valid UTF-8"))
	}
	doc, jerr := decodeJSON(data)
	if jerr != nil {
		return fail(errorf(CodeSidecarJSON, "sidecar is not one JSON object: %v", jerr))
	}
	set, ip := compiledSchemas()
	if ip != nil {
		return fail(*ip)
	}
	var fatal []Problem
	flagged := map[string]bool{}
	for _, v := range validate(set.Sidecar, doc) {
		if flagged[v.field] {
			continue // one problem per field
		}
		flagged[v.field] = true
		p, isFatal := sidecarProblem(doc, v)
		if isFatal {
			fatal = append(fatal, p)
		} else {
			probs = append(probs, p)
		}
	}
	if len(fatal) > 0 {
		probs = append(probs, fatal...)
		return sc, probs, errors.New(fatal[0].Message)
	}
	top := doc.(map[string]any)
	emb := top["embedding"].(map[string]any)
	sc.Technique, _ = stringAt(emb, "technique")
	m, ok := payload.ParseMethod(sc.Technique)
	if !ok { // the schema's enum and payload.ParseMethod disagree: a bug
		return fail(errorf(CodeInternal, "technique %q passed the schema but has no extractor", sc.Technique))
	}
	sc.Method = m
	sc.BitOrderGiven, _ = stringAt(emb, "bit_order")
	sc.BitOrder = BitOrderMSBFirst
	if sc.BitOrderGiven == "lsb-first" {
		sc.BitOrder = BitOrderLSBFirst
	}
	if !m.Pixel() {
		sc.BitOrder = BitOrderNone
	}
	if m == payload.Alpha && sc.BitOrderGiven == "msb-first" {
		probs = append(probs, warnf(CodeAlphaBitOrder, "alpha sidecar declares msb-first; alpha payloads are lsb-first"))
	}
	sc.Category, _ = stringAt(emb, "category")
	sc.AI42, _ = emb["ai42"].(bool)
	if cf, ok := stringAt(top, "clean_file"); ok && !flagged["clean_file"] {
		if why := badName(cf); why != "" {
			probs = append(probs, errorf(CodeCleanFilePath, "clean_file %q %s", cf, why))
		} else {
			sc.CleanFile = cf
		}
	}
	return sc, probs, nil
}

// sidecarProblem says what a schema finding means for the sidecar: its
// problem and whether the sidecar can still label its image.
func sidecarProblem(doc any, v violation) (Problem, bool) {
	switch v.field {
	case "":
		return errorf(CodeSidecarJSON, "sidecar is not one JSON object: it %s", v.reason), true
	case "embedding", "embedding.technique", "embedding.bit_order":
		return errorf(CodeSidecarSchema, "%s", v.message()), true
	case "embedding.category":
		if s, ok := v.value.(string); ok {
			tech := ""
			if emb, ok := lookup(doc, []string{"embedding"}).(map[string]any); ok {
				tech, _ = stringAt(emb, "technique")
			}
			return warnf(CodeSidecarCategory, "category %q does not match technique %s (%s)", s, tech, v.message()), false
		}
		return warnf(CodeSidecarField, "%s; ignored", v.message()), false
	case "embedding.ai42":
		return warnf(CodeSidecarField, "%s; taken as false", v.message()), false
	case "clean_file":
		if _, isType := v.kind.(*kind.Type); !v.present || v.value == nil || (!isType && v.value == "") {
			return warnf(CodeCoverUnnamed, "sidecar names no cover: %s", v.message()), false
		}
		if s, ok := v.value.(string); ok {
			if why := badName(s); why != "" {
				return errorf(CodeCleanFilePath, "clean_file %q %s", s, why), false
			}
			return errorf(CodeCleanFilePath, "clean_file %q is not a plain relative path inside clean/ (%s)", s, v.message()), false
		}
		return errorf(CodeCleanFilePath, "%s", v.message()), false
	}
	return warnf(CodeSidecarField, "%s; ignored", v.message()), false
}

// badName says why name is not a plain relative slash path inside its
// folder ("" when it is one). The schemas say the same with patterns; this
// is the check the index relies on before it opens anything.
func badName(name string) string {
	switch {
	case !utf8.ValidString(name):
		return "is not valid UTF-8"
	case strings.HasPrefix(name, "/") || (len(name) > 1 && name[1] == ':' && isASCIILetter(name[0])):
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

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
