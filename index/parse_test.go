package index

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestNormalizeCategory(t *testing.T) {
	for in, want := range map[string]string{
		"rgb no alpha":           "rgb_no_alpha",
		"  RGB  No  Alpha ":      "rgb_no_alpha",
		"rgb-no-alpha":           "rgb_no_alpha",
		"rgb__no_alpha":          "rgb_no_alpha",
		"dithered_gif":           "natural_noise",
		"dithered gif":           "natural_noise",
		"repetitive_hex":         "repetitive_patterns",
		"Repetitive Hex":         "repetitive_patterns",
		"natural_noise":          "natural_noise",
		"":                       "",
		"_leading and trailing_": "leading_and_trailing",
	} {
		if got := NormalizeCategory(in); got != want {
			t.Errorf("NormalizeCategory(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseSidecar(t *testing.T) {
	cases := []struct {
		in       string
		ok       bool
		code     string
		class    int
		order    BitOrder
		clean    string
		warnings int
	}{
		{`{"embedding": {"category": "pixel", "technique": "lsb.rgb", "ai42": false, "bit_order": "msb-first"}, "clean_file": "c.png"}`, true, "", 2, BitOrderMSBFirst, "c.png", 0},
		{`{"embedding": {"category": "pixel", "technique": "palette", "bit_order": "lsb-first"}, "clean_file": "c.gif"}`, true, "", 1, BitOrderLSBFirst, "c.gif", 0},
		{`{"embedding": {"technique": "palette"}, "clean_file": "c.gif"}`, true, "", 1, BitOrderMSBFirst, "c.gif", 0},
		{`{"embedding": {"category": "metadata", "technique": "exif", "bit_order": "lsb-first"}, "clean_file": "c.jpg"}`, true, "", 3, BitOrderNone, "c.jpg", 0},
		{`{"embedding": {"category": "eoi", "technique": "raw"}, "clean_file": "c.png"}`, true, "", 4, BitOrderNone, "c.png", 0},
		{`{"embedding": {"category": "pixel", "technique": "alpha", "ai42": true, "bit_order": "msb-first"}, "clean_file": "c.png"}`, true, CodeAlphaBitOrder, 0, BitOrderMSBFirst, "c.png", 1},
		{`{"embedding": {"category": "eoi", "technique": "alpha", "ai42": "yes"}, "clean_file": "c.png"}`, true, CodeSidecarCategory, 0, BitOrderMSBFirst, "c.png", 2},
		{`{"embedding": {"technique": "raw"}}`, true, CodeCoverUnnamed, 4, BitOrderNone, "", 1},
		{`{"embedding": {"technique": "raw"}, "clean_file": "../x.png"}`, true, CodeCleanFilePath, 4, BitOrderNone, "", 0},
		{`{"embedding": {"technique": "raw"}, "clean_file": 3}`, true, CodeCleanFilePath, 4, BitOrderNone, "", 0},
		{`{"embedding": {"technique": "dct"}}`, false, CodeSidecarSchema, 0, 0, "", 0},
		{`{"embedding": {"technique": ""}}`, false, CodeSidecarSchema, 0, 0, "", 0},
		{`{"embedding": {"technique": 4}}`, false, CodeSidecarSchema, 0, 0, "", 0},
		{`{"embedding": {"technique": "lsb.rgb", "bit_order": "big-endian"}}`, false, CodeSidecarSchema, 0, 0, "", 0},
		{`{"embedding": {"technique": "lsb.rgb", "bit_order": 1}}`, false, CodeSidecarSchema, 0, 0, "", 0},
		{`{"embedding": "lsb.rgb"}`, false, CodeSidecarSchema, 0, 0, "", 0},
		{`{"technique": "lsb.rgb"}`, false, CodeSidecarSchema, 0, 0, "", 0},
		{`[1, 2]`, false, CodeSidecarJSON, 0, 0, "", 0},
		{`null`, false, CodeSidecarJSON, 0, 0, "", 0},
		{`{"embedding": {"technique": "raw"}} {"again": 1}`, false, CodeSidecarJSON, 0, 0, "", 0},
		{"{\"embedding\": {\"technique\": \"raw\xff\"}}", false, CodeSidecarJSON, 0, 0, "", 0},
		{``, false, CodeSidecarJSON, 0, 0, "", 0},
	}
	for _, c := range cases {
		sc, probs, err := ParseSidecar([]byte(c.in))
		if (err == nil) != c.ok {
			t.Errorf("%s: err %v, want ok=%v", c.in, err, c.ok)
			continue
		}
		if c.code != "" && !hasCode(probs, c.code) {
			t.Errorf("%s: problems %v, want %s", c.in, probs, c.code)
		}
		if c.code == "" && len(probs) != 0 {
			t.Errorf("%s: unexpected problems %v", c.in, probs)
		}
		if !c.ok {
			continue
		}
		if int(sc.Method) != c.class || sc.BitOrder != c.order || sc.CleanFile != c.clean {
			t.Errorf("%s: %+v", c.in, sc)
		}
		w := 0
		for _, p := range probs {
			if p.Severity == SeverityWarning {
				w++
			}
		}
		if w != c.warnings {
			t.Errorf("%s: %d warnings, want %d: %v", c.in, w, c.warnings, probs)
		}
	}
	if _, probs, err := ParseSidecar(bytes.Repeat([]byte(" "), MaxSidecarSize+1)); err == nil || !hasCode(probs, CodeSidecarTooLarge) {
		t.Errorf("oversized sidecar: %v %v", err, probs)
	}
}

func hasCode(ps []Problem, code string) bool {
	for _, p := range ps {
		if p.Code == code {
			return true
		}
	}
	return false
}

func TestParseManifestLine(t *testing.T) {
	cases := []struct {
		in     string
		ok     bool
		code   string
		schema string
		paths  string
		cat    string
		label  string
	}{
		{`{"method": "rgb_no_alpha", "constraint": "c", "label": "clean", "file_path": "rgb_no_alpha/x.png"}`, true, "", "legacy", "rgb_no_alpha/x.png", "rgb_no_alpha", "clean"},
		{`{"method": "dithered_gif", "label": "clean", "file_path": "dithered_gif/x.png"}`, true, "", "legacy", "dithered_gif/x.png", "natural_noise", "clean"},
		{`{"label": "clean", "file_path": "repetitive_hex/x.png"}`, true, "", "legacy", "repetitive_hex/x.png", "repetitive_patterns", "clean"},
		{`{"filename": "x.png", "category": "rgb no alpha", "method_constraint": "m", "expected_behavior": "clean"}`, true, "", "unified", "rgb no alpha/x.png,rgb_no_alpha/x.png", "rgb_no_alpha", "clean"},
		{`{"filename": "x.png", "category": "dithered_gif"}`, true, "", "unified", "dithered_gif/x.png,natural_noise/x.png", "natural_noise", ""},
		{`{"filename": "x.png", "category": "c", "method_constraint": {"free": "form"}}`, true, CodeManifestField, "unified", "c/x.png", "c", ""},
		{`{"filename": "x.png", "category": "c", "metadata": {"extraction_results": {"a": 1}}}`, true, "", "unified", "c/x.png", "c", ""},
		{`{"filename": "x.png", "category": "c", "metadata": {"extraction_results": 5}}`, true, CodeManifestField, "unified", "c/x.png", "c", ""},
		{`{"filename": "x.png", "category": "c", "expected_behavior": "stego"}`, true, "", "unified", "c/x.png", "c", "stego"},
		{`{"file_path": "../x.png"}`, false, CodeManifestPath, "", "", "", ""},
		{`{"file_path": "/etc/passwd"}`, false, CodeManifestPath, "", "", "", ""},
		{`{"file_path": "a\\b.png"}`, false, CodeManifestPath, "", "", "", ""},
		{`{"file_path": "a//b.png"}`, false, CodeManifestPath, "", "", "", ""},
		{`{"file_path": ""}`, false, CodeManifestPath, "", "", "", ""},
		{`{"file_path": 5}`, false, CodeManifestSchema, "", "", "", ""},
		{`{"filename": "a/b.png", "category": "c"}`, false, CodeManifestPath, "", "", "", ""},
		{`{"filename": "..", "category": "c"}`, false, CodeManifestPath, "", "", "", ""},
		{`{"filename": "x.png", "category": "../.."}`, false, CodeManifestPath, "", "", "", ""},
		{`{"filename": "x.png"}`, false, CodeManifestSchema, "", "", "", ""},
		{`{"filename": "x.png", "category": ""}`, false, CodeManifestSchema, "", "", "", ""},
		{`{"label": "clean"}`, false, CodeManifestSchema, "", "", "", ""},
		{`[]`, false, CodeManifestJSON, "", "", "", ""},
		{`{"file_path": "x.png"`, false, CodeManifestJSON, "", "", "", ""},
		{"{\"file_path\": \"x\xff.png\"}", false, CodeManifestJSON, "", "", "", ""},
	}
	for _, c := range cases {
		e, probs, err := ParseManifestLine([]byte(c.in))
		if (err == nil) != c.ok {
			t.Errorf("%s: err %v, want ok=%v (%v)", c.in, err, c.ok, probs)
			continue
		}
		if c.code != "" && !hasCode(probs, c.code) {
			t.Errorf("%s: problems %v, want %s", c.in, probs, c.code)
		}
		if c.code == "" && len(probs) != 0 {
			t.Errorf("%s: unexpected problems %v", c.in, probs)
		}
		if !c.ok {
			continue
		}
		if e.Schema != c.schema || strings.Join(e.Paths, ",") != c.paths || e.Category != c.cat || e.Label != c.label {
			t.Errorf("%s: %+v", c.in, e)
		}
	}
}

func TestReadManifestBounds(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(`{"file_path": "a/1.png"}` + "\r\n")
	b.WriteString(strings.Repeat("z", MaxManifestLine+10) + "\n")
	b.WriteString("   \n")
	b.WriteString(`{"file_path": "a/2.png"}`) // no final newline
	entries, probs := readManifest(&b, MaxManifestSize)
	if len(entries) != 2 || entries[0].Line != 1 || entries[1].Line != 4 {
		t.Fatalf("entries %+v", entries)
	}
	if len(probs) != 1 || probs[0].Code != CodeManifestLineTooLong || probs[0].Line != 2 {
		t.Fatalf("problems %+v", probs)
	}
	// A line of exactly the bound is read.
	line := `{"file_path": "a/3.png", "pad": "` + strings.Repeat("p", MaxManifestLine-35) + `"}`
	if len(line) != MaxManifestLine {
		t.Fatalf("test line is %d bytes", len(line))
	}
	entries, probs = readManifest(strings.NewReader(line+"\n"), MaxManifestSize)
	if len(entries) != 1 || len(probs) != 0 {
		t.Fatalf("line at the bound: %+v %+v", entries, probs)
	}
}

// TestReadManifestTooLarge streams a manifest over the size bound without
// holding it: reading stops with a problem naming the line.
func TestReadManifestTooLarge(t *testing.T) {
	line := []byte(`{"file_path": "a/x.png"}` + "\n")
	const bound = 1 << 20
	r := &repeatReader{line: line, n: bound/len(line) + 10}
	entries, probs := readManifest(r, bound)
	if len(probs) == 0 || probs[len(probs)-1].Code != CodeManifestTooLarge {
		t.Fatalf("no manifest-too-large problem: %d problems", len(probs))
	}
	if p := probs[len(probs)-1]; p.Line <= len(entries) || len(entries) < bound/len(line)-1 {
		t.Errorf("problem on line %d after %d entries", p.Line, len(entries))
	}
	if r.n == 0 {
		t.Error("the whole stream was read past the bound")
	}
}

type repeatReader struct {
	line []byte
	n    int
	off  int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := copy(p, r.line[r.off:])
	r.off += k
	if r.off == len(r.line) {
		r.off = 0
		r.n--
	}
	return k, nil
}
