// Package schemas holds the published JSON Schemas (draft 2020-12) of the
// contributor-facing files: the stego sidecar and the two schemas of a
// negatives manifest line. The .schema.json files next to this one are the
// single source of truth: they are embedded here, compiled once, and used
// by the index's validation.
package schemas

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed *.schema.json
var files embed.FS

// BaseURL is where the schemas are published; each $id is BaseURL + file name.
const BaseURL = "https://raw.githubusercontent.com/starlight/dataserver/main/schemas/"

// The schema files.
const (
	// SidecarFile describes a stego sidecar (<image>.json or <stem>.json).
	SidecarFile = "stego-sidecar.schema.json"
	// ManifestLineFile describes a negatives manifest line in the unified schema.
	ManifestLineFile = "negatives-manifest-line.schema.json"
	// LegacyManifestLineFile describes a negatives manifest line in the legacy schema.
	LegacyManifestLineFile = "negatives-manifest-line-legacy.schema.json"
)

// Names lists the schema files in a stable order.
var Names = []string{SidecarFile, ManifestLineFile, LegacyManifestLineFile}

// FS returns the embedded schema files.
func FS() fs.FS { return files }

// Raw returns the bytes of the named schema file.
func Raw(name string) ([]byte, error) {
	return files.ReadFile(name)
}

// Set is the compiled schemas.
type Set struct {
	// Sidecar validates a stego sidecar.
	Sidecar *jsonschema.Schema
	// ManifestLine validates a unified manifest line.
	ManifestLine *jsonschema.Schema
	// LegacyManifestLine validates a legacy manifest line.
	LegacyManifestLine *jsonschema.Schema
}

// Compiled returns the schemas, compiled on the first call; later calls
// share the result. The schemas are safe for concurrent use.
var Compiled = sync.OnceValues(compile)

func compile() (*Set, error) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	for _, name := range Names {
		raw, err := files.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("schemas: %w", err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("schemas: %s: %w", name, err)
		}
		if err := c.AddResource(BaseURL+name, doc); err != nil {
			return nil, fmt.Errorf("schemas: %s: %w", name, err)
		}
	}
	var s Set
	for _, x := range []struct {
		name string
		dst  **jsonschema.Schema
	}{{SidecarFile, &s.Sidecar}, {ManifestLineFile, &s.ManifestLine}, {LegacyManifestLineFile, &s.LegacyManifestLine}} {
		sch, err := c.Compile(BaseURL + x.name)
		if err != nil {
			return nil, fmt.Errorf("schemas: compiling %s: %w", x.name, err)
		}
		*x.dst = sch
	}
	return &s, nil
}
