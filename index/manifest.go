package index

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"path"
	"strings"
	"unicode/utf8"
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
	// Label is the declared label (label or expected_behavior), "" when absent.
	Label string
	// FormatType is the unified schema's format_type, "" when absent.
	FormatType string
}

// ParseManifestLine parses one manifest line of either schema. The error is
// set when the line names no usable file; problems lists every finding, the
// fatal one included, with Path and Line left for the caller.
func ParseManifestLine(line []byte) (ManifestEntry, []Problem, error) {
	var e ManifestEntry
	var probs []Problem
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
	var obj map[string]json.RawMessage
	if err := strictUnmarshal(line, &obj); err != nil || obj == nil {
		return fail(errorf(CodeManifestJSON, "line is not one JSON object: %v", jsonReason(err)))
	}
	field := func(key string, dst *string, required bool) bool {
		if err := stringField(obj, key, dst); err != nil {
			if required {
				probs = append(probs, errorf(CodeManifestSchema, "%q is not a string", key))
				return false
			}
			probs = append(probs, warnf(CodeManifestField, "%q is not a string; kept as %s", key, clip(string(obj[key]), 80)))
			*dst = string(obj[key])
		}
		return true
	}
	_, legacy := obj["file_path"]
	_, unified := obj["filename"]
	switch {
	case legacy:
		e.Schema = "legacy"
		var fp, method string
		if !field("file_path", &fp, true) {
			return e, probs, errors.New("file_path is not a string")
		}
		field("method", &method, false)
		field("constraint", &e.MethodConstraint, false)
		field("label", &e.Label, false)
		if why := badName(fp); why != "" || fp == "" {
			if fp == "" {
				why = "is empty"
			}
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
	case unified:
		e.Schema = "unified"
		var name, cat string
		if !field("filename", &name, true) || !field("category", &cat, true) {
			return e, probs, errors.New("filename or category is not a string")
		}
		field("method_constraint", &e.MethodConstraint, false)
		field("expected_behavior", &e.Label, false)
		field("format_type", &e.FormatType, false)
		for _, k := range []string{"generation_method", "validation_status"} {
			var s string
			field(k, &s, false)
		}
		if md, ok := obj["metadata"]; ok {
			probs = append(probs, checkMetadata(md)...)
		}
		if name == "" || strings.Contains(name, "/") {
			return fail(errorf(CodeManifestPath, "filename %q must be a plain file name", name))
		}
		if why := badName(name); why != "" {
			return fail(errorf(CodeManifestPath, "filename %q %s", name, why))
		}
		if cat == "" {
			return fail(errorf(CodeManifestSchema, `"category" is empty`))
		}
		e.Category = NormalizeCategory(cat)
		if why := badName(cat); why != "" || strings.Contains(cat, "/") {
			if why == "" {
				why = "contains a slash"
			}
			return fail(errorf(CodeManifestPath, "category %q %s", cat, why))
		}
		for _, dir := range []string{cat, strings.TrimSpace(cat), e.Category, strings.ReplaceAll(strings.ToLower(strings.TrimSpace(cat)), " ", "_")} {
			p := path.Join(dir, name)
			if badName(p) == "" && !contains(e.Paths, p) {
				e.Paths = append(e.Paths, p)
			}
		}
	default:
		return fail(errorf(CodeManifestSchema, `line has neither "file_path" (legacy schema) nor "filename" (unified schema)`))
	}
	return e, probs, nil
}

// checkMetadata checks the unified schema's metadata object loosely:
// extraction_results may be a list or an object.
func checkMetadata(raw json.RawMessage) []Problem {
	if string(raw) == "null" {
		return nil
	}
	var md map[string]json.RawMessage
	if err := json.Unmarshal(raw, &md); err != nil {
		return []Problem{warnf(CodeManifestField, `"metadata" is not an object; ignored`)}
	}
	if er, ok := md["extraction_results"]; ok {
		t := strings.TrimSpace(string(er))
		if t != "null" && !strings.HasPrefix(t, "[") && !strings.HasPrefix(t, "{") {
			return []Problem{warnf(CodeManifestField, `"metadata.extraction_results" is neither a list nor an object; ignored`)}
		}
	}
	return nil
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
