package index

import (
	"bufio"
	"errors"
	"io"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// Bounds of a negatives manifest.
const (
	// MaxManifestLine is the longest manifest line read; a longer one is a problem.
	MaxManifestLine = 64 << 10
	// MaxManifestSize is the most manifest bytes read; the rest is a problem.
	MaxManifestSize = 64 << 20
)

// ManifestEntry is one line of a negatives manifest, in either schema.
type ManifestEntry struct {
	// Line is the 1-based line number.
	Line int
	// Schema is "legacy" ({method, constraint, label, file_path}) or
	// "unified" ({filename, category, method_constraint, expected_behavior, ...}).
	Schema string
	// Paths are the candidate paths of the image relative to negatives/, in
	// the order tried: the first that exists is the entry's file.
	Paths []string
	// Category is the normalised current category name.
	Category string
	// MethodConstraint is method_constraint (or the legacy constraint) as given.
	MethodConstraint string
	// Label is the declared label (label or expected_behavior) as written,
	// "" when absent; a value that is not a string is kept as its JSON text.
	Label string
	// LabelInvalid says why the schema rejects the label ("" when it is
	// clean or absent): the negative is then not served (negative-label).
	LabelInvalid string
	// FormatType is the unified schema's format_type, "" when absent.
	FormatType string
}

// Schema names of a manifest line.
const (
	SchemaLegacy  = "legacy"
	SchemaUnified = "unified"
)

// ParseManifestLine parses one manifest line of either schema and
// validates it against the published schema of its kind
// (schemas/negatives-manifest-line.schema.json when it has "filename",
// schemas/negatives-manifest-line-legacy.schema.json when it has
// "file_path"). The error is set when the line names no usable file;
// problems lists every finding, the fatal ones last, with Path and Line
// left for the caller. Each schema finding names the failing field.
func ParseManifestLine(line []byte) (e ManifestEntry, probs []Problem, err error) {
	fail := func(p Problem) (ManifestEntry, []Problem, error) {
		probs = append(probs, p)
		return e, probs, errors.New(p.Message)
	}
	if len(line) > MaxManifestLine {
		return fail(errorf(CodeManifestLineTooLong, "line of %d bytes exceeds the %d byte bound", len(line), MaxManifestLine))
	}
	if !utf8.Valid(line) {
		return fail(errorf(CodeManifestJSON, "line is not valid UTF-8"))
	}
	doc, jerr := decodeJSON(line)
	if jerr != nil {
		return fail(errorf(CodeManifestJSON, "line is not one JSON object: %v", jerr))
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return fail(errorf(CodeManifestJSON, "line is not one JSON object: it is %s", jsonType(doc)))
	}
	set, ip := compiledSchemas()
	if ip != nil {
		return fail(*ip)
	}
	_, legacy := obj["file_path"]
	_, unified := obj["filename"]
	rules := unifiedRules
	switch {
	case legacy:
		e.Schema = SchemaLegacy
		rules = legacyRules
	case unified:
		e.Schema = SchemaUnified
	default:
		return fail(errorf(CodeManifestSchema, `line has neither "file_path" (legacy schema) nor "filename" (unified schema)`))
	}
	sch := set.ManifestLine
	if legacy {
		sch = set.LegacyManifestLine
	}
	var fatal []Problem
	flagged := map[string]bool{}
	for _, v := range validate(sch, doc) {
		if flagged[v.field] {
			continue // one problem per field
		}
		flagged[v.field] = true
		r := rules[v.field]
		switch r.role {
		case fieldPath:
			fatal = append(fatal, pathProblem(v, r.emptyIsSchema))
		case fieldLabel:
			e.LabelInvalid = v.message()
		case fieldKept:
			probs = append(probs, warnf(CodeManifestField, "%s; kept as %s", v.message(), clip(rawText(v.value), 80)))
		default:
			probs = append(probs, warnf(CodeManifestField, "%s; ignored", v.message()))
		}
	}
	if len(fatal) > 0 {
		probs = append(probs, fatal...)
		return e, probs, errors.New(fatal[0].Message)
	}
	text := func(key string) string {
		v, ok := obj[key]
		switch s := v.(type) {
		case string:
			return s
		case nil:
			return ""
		default:
			if ok && rules[key].role != fieldIgnored {
				return rawText(s)
			}
			return ""
		}
	}
	if legacy {
		fp := text("file_path")
		method := text("method")
		e.MethodConstraint, e.Label = text("constraint"), text("label")
		if why := badName(fp); why != "" {
			return fail(errorf(CodeManifestPath, "file_path %q %s", fp, why))
		}
		e.Paths = []string{fp}
		folder, _, nested := strings.Cut(fp, "/")
		switch {
		case method != "":
			e.Category = NormalizeCategory(method)
		case nested:
			e.Category = NormalizeCategory(folder)
		}
		return e, probs, nil
	}
	name, cat := text("filename"), text("category")
	e.MethodConstraint, e.Label = text("method_constraint"), text("expected_behavior")
	e.FormatType, _ = stringAt(obj, "format_type")
	if why := badName(name); why != "" || strings.Contains(name, "/") {
		if why == "" {
			why = "is not a plain file name"
		}
		return fail(errorf(CodeManifestPath, "filename %q %s", name, why))
	}
	if why := badName(cat); why != "" || strings.Contains(cat, "/") {
		if why == "" {
			why = "contains a slash"
		}
		return fail(errorf(CodeManifestPath, "category %q %s", cat, why))
	}
	e.Category = NormalizeCategory(cat)
	if e.Category == "" {
		return fail(errorf(CodeManifestSchema, `"category" %q holds nothing but spaces, hyphens and underscores`, cat))
	}
	for _, dir := range []string{cat, strings.TrimSpace(cat), e.Category, strings.ReplaceAll(strings.ToLower(strings.TrimSpace(cat)), " ", "_")} {
		p := path.Join(dir, name)
		if badName(p) == "" && !contains(e.Paths, p) {
			e.Paths = append(e.Paths, p)
		}
	}
	if len(e.Paths) == 0 {
		return fail(errorf(CodeManifestPath, "category %q and filename %q make no usable path", cat, name))
	}
	return e, probs, nil
}

// fieldRole is what a manifest field is to the index, which decides what a
// schema finding on it means.
type fieldRole int

const (
	// fieldIgnored: an optional field the index does not use; a finding is a warning.
	fieldIgnored fieldRole = iota
	// fieldKept: an optional field kept as given (as JSON text when not a string); a warning.
	fieldKept
	// fieldPath: the line names no file without it; a finding is fatal
	// (manifest-schema when missing or of the wrong type, manifest-path
	// when it is no safe path).
	fieldPath
	// fieldLabel: the label; a finding keeps the negative from being served (negative-label).
	fieldLabel
)

type fieldRule struct {
	role fieldRole
	// emptyIsSchema makes an empty value a manifest-schema problem rather
	// than a manifest-path one.
	emptyIsSchema bool
}

var legacyRules = map[string]fieldRule{
	"file_path":  {role: fieldPath},
	"method":     {role: fieldKept},
	"constraint": {role: fieldKept},
	"label":      {role: fieldLabel},
}

var unifiedRules = map[string]fieldRule{
	"filename":          {role: fieldPath},
	"category":          {role: fieldPath, emptyIsSchema: true},
	"method_constraint": {role: fieldKept},
	"expected_behavior": {role: fieldLabel},
}

// pathProblem reports a path field the schema rejects: manifest-schema
// when it is missing or not a string, else manifest-path with the reason
// badName gives when it has one.
func pathProblem(v violation, emptyIsSchema bool) Problem {
	_, isType := v.kind.(*kind.Type)
	s, isString := v.value.(string)
	switch {
	case !v.present || isType || !isString:
		return errorf(CodeManifestSchema, "%s", v.message())
	case s == "" && emptyIsSchema:
		return errorf(CodeManifestSchema, "%s", v.message())
	case s == "":
		return errorf(CodeManifestPath, "%s", v.message())
	}
	if why := badName(s); why != "" {
		return errorf(CodeManifestPath, "%s %q %s", v.field, s, why)
	}
	hint := "must be a relative path inside negatives/ without empty, . or .. parts"
	if v.field != "file_path" {
		hint = "must be a plain name: no slash, no backslash, not . or .."
	}
	return errorf(CodeManifestPath, "%s %q %s", v.field, s, hint)
}

// jsonType names the JSON type of a decoded value with its article.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	}
	return "a number"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// readManifest reads r line by line within the bounds and parses every
// non-blank line. Problems carry their line number; Path is left to the caller.
// maxSize bounds the bytes read (MaxManifestSize in Build).
func readManifest(r io.Reader, maxSize int) ([]ManifestEntry, []Problem) {
	var entries []ManifestEntry
	var probs []Problem
	br := bufio.NewReaderSize(io.LimitReader(r, int64(maxSize)+1), MaxManifestLine+1)
	total := 0
	for n := 1; ; n++ {
		line, err := br.ReadSlice('\n')
		total += len(line)
		size, long := len(line), false
		for errors.Is(err, bufio.ErrBufferFull) {
			long = true
			line, err = br.ReadSlice('\n')
			size += len(line)
			total += len(line)
		}
		if total > maxSize {
			p := errorf(CodeManifestTooLarge, "manifest exceeds the %d byte bound; lines from here on are not read", maxSize)
			p.Line = n
			return entries, append(probs, p)
		}
		if long {
			p := errorf(CodeManifestLineTooLong, "line of %d bytes exceeds the %d byte bound; line skipped", size, MaxManifestLine)
			p.Line = n
			probs = append(probs, p)
		} else if t := strings.TrimSpace(string(line)); t != "" {
			e, ps, perr := ParseManifestLine([]byte(t))
			for i := range ps {
				ps[i].Line = n
			}
			probs = append(probs, ps...)
			if perr == nil {
				e.Line = n
				entries = append(entries, e)
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				p := errorf(CodeUnreadable, "manifest read failed: %v", err)
				p.Line = n
				probs = append(probs, p)
			}
			return entries, probs
		}
	}
}
