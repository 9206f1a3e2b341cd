package index

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/starlight/dataserver/schemas"
)

// violation is one finding of a JSON Schema, located at a field of the
// document. The schemas in /schemas say what is wrong; the parsers decide
// what a finding means (its problem code and whether it is fatal).
type violation struct {
	// field is the dotted path of the failing value ("embedding.technique"),
	// "" for the whole document.
	field string
	// kind is the failing keyword's error kind (*kind.Type, *kind.Enum, ...).
	kind jsonschema.ErrorKind
	// present is false when the field is missing (a required field).
	present bool
	// value is the failing value when present.
	value any
	// reason is a readable sentence fragment: "is missing", "is a number; want a string".
	reason string
}

// message renders the violation as `"field" reason`.
func (v violation) message() string {
	if v.field == "" {
		return "the document " + v.reason
	}
	return fmt.Sprintf("%q %s", v.field, v.reason)
}

var printer = message.NewPrinter(language.English)

// compiledSchemas returns the compiled schemas or an internal problem.
func compiledSchemas() (*schemas.Set, *Problem) {
	set, err := schemas.Compiled()
	if err != nil {
		p := errorf(CodeInternal, "the embedded JSON Schemas do not compile: %v", err)
		return nil, &p
	}
	return set, nil
}

// decodeJSON decodes exactly one JSON value, numbers kept as json.Number,
// as the schema validator wants them.
func decodeJSON(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("data after the JSON value")
	}
	return v, nil
}

// validate checks doc against sch and returns its violations, one per
// field and reason, sorted by field.
func validate(sch *jsonschema.Schema, doc any) []violation {
	err := sch.Validate(doc)
	if err == nil {
		return nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return []violation{{reason: "cannot be validated: " + err.Error(), kind: &kind.Group{}}}
	}
	var out []violation
	seen := map[string]bool{}
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		for _, v := range toViolations(doc, e) {
			key := v.field + "\x00" + v.reason
			if !seen[key] {
				seen[key] = true
				out = append(out, v)
			}
		}
	}
	walk(ve)
	sort.SliceStable(out, func(i, j int) bool { return out[i].field < out[j].field })
	return out
}

// toViolations turns one leaf error into violations: a required error
// names each missing field.
func toViolations(doc any, e *jsonschema.ValidationError) []violation {
	at := strings.Join(e.InstanceLocation, ".")
	if r, ok := e.ErrorKind.(*kind.Required); ok {
		var out []violation
		for _, m := range r.Missing {
			out = append(out, violation{field: joinField(at, m), kind: r, reason: "is missing"})
		}
		return out
	}
	v := violation{field: at, kind: e.ErrorKind, present: true, value: lookup(doc, e.InstanceLocation)}
	switch k := e.ErrorKind.(type) {
	case *kind.Type:
		var want []string
		for _, w := range k.Want {
			if w != "null" {
				want = append(want, article(w))
			}
		}
		v.reason = fmt.Sprintf("is %s; want %s", article(k.Got), strings.Join(want, " or "))
	case *kind.Enum:
		var want []string
		for _, w := range k.Want {
			if w != nil {
				want = append(want, display(w))
			}
		}
		v.reason = fmt.Sprintf("is %s; want %s", display(k.Got), orList(want))
	case *kind.Const:
		v.reason = fmt.Sprintf("is %s; want %s", display(k.Got), display(k.Want))
	case *kind.MinLength:
		v.reason = "is empty"
		if k.Got > 0 {
			v.reason = fmt.Sprintf("is %d characters long; want at least %d", k.Got, k.Want)
		}
	case *kind.Pattern, *kind.Not:
		v.reason = fmt.Sprintf("is %s, which is not allowed here", display(v.value))
	default:
		v.reason = e.ErrorKind.LocalizedString(printer)
	}
	return []violation{v}
}

func joinField(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

// lookup returns the value at the JSON pointer tokens loc in doc.
func lookup(doc any, loc []string) any {
	for _, tok := range loc {
		switch d := doc.(type) {
		case map[string]any:
			doc = d[tok]
		case []any:
			i := 0
			if _, err := fmt.Sscanf(tok, "%d", &i); err != nil || i < 0 || i >= len(d) {
				return nil
			}
			doc = d[i]
		default:
			return nil
		}
	}
	return doc
}

// article names a JSON type with its article: "a string", "an object", "null".
func article(t string) string {
	switch t {
	case "null":
		return "null"
	case "object", "array", "integer":
		return "an " + t
	}
	return "a " + t
}

// display renders a JSON value briefly for a message.
func display(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("%q", clip(x, 80))
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	return clip(fmt.Sprint(v), 80)
}

// orList joins items as `a, b or c`; one item as is.
func orList(items []string) string {
	switch len(items) {
	case 0:
		return "nothing"
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// rawText is the compact JSON text of v, for values kept as given.
func rawText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// stringAt returns obj[key] when it is a string.
func stringAt(obj map[string]any, key string) (string, bool) {
	s, ok := obj[key].(string)
	return s, ok
}
