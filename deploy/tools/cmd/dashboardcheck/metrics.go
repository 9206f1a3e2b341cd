package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// histogramSuffixes are the series a histogram or summary exposes.
var histogramSuffixes = []string{"_bucket", "_sum", "_count"}

// undefinedMetrics returns the dataserver_* metrics that no Go file under
// root names, either in full or, for a metric built from a namespace and a
// name, by the part after "dataserver_". found is false when no Go file names
// any dataserver_* metric at all (the server's metrics are not written yet).
func undefinedMetrics(root string, metrics []string) (missing []string, found bool, err error) {
	var src strings.Builder
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "deploy", "testdata", "node_modules":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		src.Write(b)
		src.WriteByte('\n')
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	text := src.String()
	for _, m := range metrics {
		if !strings.HasPrefix(m, "dataserver_") {
			continue // grpc_server_* come from the gRPC middleware, up from Prometheus
		}
		base := m
		for _, s := range histogramSuffixes {
			if t, ok := strings.CutSuffix(m, s); ok {
				base = t
				break
			}
		}
		full := `"` + base + `"`
		short := `"` + strings.TrimPrefix(base, "dataserver_") + `"`
		if strings.Contains(text, full) || strings.Contains(text, short) {
			found = true
			continue
		}
		missing = append(missing, m)
	}
	if !found {
		return nil, strings.Contains(text, `"dataserver_`), nil
	}
	return missing, true, nil
}
