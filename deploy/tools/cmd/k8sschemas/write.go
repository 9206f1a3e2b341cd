package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// writeJSON writes doc as indented JSON to dir/name, through a temporary file
// so a reader never sees half a schema.
func writeJSON(dir, name string, doc any) error {
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", name, err)
	}
	tmp := filepath.Join(dir, "."+name+".tmp")
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("rename %s: %w", tmp, err)
	}
	return nil
}
