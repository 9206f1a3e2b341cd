package index

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// corpusSeeds returns corpus files matching pattern (relative to the
// datasets root), when the corpus is present.
func corpusSeeds(pattern string) [][]byte {
	wd, _ := os.Getwd()
	files, _ := filepath.Glob(filepath.Join(wd, "..", "..", "shared", "corpus", "datasets", pattern))
	var out [][]byte
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil {
			out = append(out, b)
		}
	}
	return out
}

func FuzzParseSidecar(f *testing.F) {
	for _, b := range corpusSeeds("*/stego/*_00[0-3].*.json") {
		f.Add(b)
	}
	f.Add([]byte(`{"embedding": {"technique": "alpha", "bit_order": "msb-first", "ai42": 1}, "clean_file": "../x"}`))
	f.Add([]byte(`{"embedding": {"technique": "raw"}, "clean_file": "/abs"}`))
	f.Add([]byte(`{"embedding": null}`))
	f.Add([]byte(`{"embedding": {"technique": "alpha", "category": "eoi", "bit_order": null, "ai42": null}, "clean_file": "C:x"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, probs, err := ParseSidecar(data)
		if err != nil {
			if len(probs) == 0 || probs[len(probs)-1].Severity != SeverityError {
				t.Fatalf("fatal parse without an error problem: %v %v", err, probs)
			}
			return
		}
		if int(sc.Method) < 0 || int(sc.Method) > ClassRaw {
			t.Fatalf("class %d", sc.Method)
		}
		if sc.CleanFile != "" && badName(sc.CleanFile) != "" {
			t.Fatalf("unsafe clean_file %q accepted", sc.CleanFile)
		}
		for _, p := range probs {
			if p.Code == "" || p.Message == "" {
				t.Fatalf("problem without code or message: %+v", p)
			}
		}
	})
}

func FuzzParseManifestLine(f *testing.F) {
	for _, b := range corpusSeeds("*/negatives/manifest.jsonl") {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for i := 0; sc.Scan() && i < 3; i++ {
			f.Add(append([]byte(nil), sc.Bytes()...))
		}
	}
	f.Add([]byte(`{"file_path": "../../etc/passwd", "label": "clean"}`))
	f.Add([]byte(`{"filename": "x.png", "category": "rgb no alpha", "metadata": {"extraction_results": {}}}`))
	f.Add([]byte(`{"file_path": "0/A:", "label": "", "method": ["x"], "constraint": 7}`))
	f.Add([]byte(`{"filename": "x.png", "category": " - ", "expected_behavior": "stego", "format_type": null}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		e, probs, err := ParseManifestLine(line)
		if err != nil {
			if len(probs) == 0 {
				t.Fatalf("error %v without a problem", err)
			}
			return
		}
		if len(e.Paths) == 0 {
			t.Fatalf("entry without a path: %+v", e)
		}
		for _, p := range e.Paths {
			if badName(p) != "" || !utf8.ValidString(p) {
				t.Fatalf("unsafe path %q from %q", p, line)
			}
		}
	})
}

func FuzzReadManifest(f *testing.F) {
	for _, b := range corpusSeeds("*/negatives/manifest.jsonl") {
		// Two lines are enough; whole manifests make minimisation slow.
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			if j := bytes.IndexByte(b[i+1:], '\n'); j >= 0 {
				b = b[:i+1+j+1]
			}
		}
		f.Add(b)
	}
	f.Add([]byte("{}\n\n{\"file_path\": \"a/b\"}\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, probs := readManifest(bytes.NewReader(data), 1<<16)
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, e := range entries {
			if e.Line < 1 || e.Line > lines {
				t.Fatalf("entry on line %d of %d", e.Line, lines)
			}
		}
		for _, p := range probs {
			if p.Line < 1 || p.Line > lines {
				t.Fatalf("problem on line %d of %d: %v", p.Line, lines, p)
			}
		}
	})
}
