package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/starlight/dataserver/index"
	"github.com/starlight/dataserver/internal/corpustest"
)

func writePNG(t *testing.T, p string, seed int) {
	t.Helper()
	m := image.NewNRGBA(image.Rect(0, 0, 16, 16))
	for i := range m.Pix {
		m.Pix[i] = uint8(i*seed + seed)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestValidateExitCodes(t *testing.T) {
	root := t.TempDir()
	writePNG(t, filepath.Join(root, "x_submission_2025", "clean", "a.png"), 3)
	var out bytes.Buffer
	if err := validate(context.Background(), []string{"--root", root}, &out, false); err != nil {
		t.Fatalf("valid tree: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "no problems") || !strings.Contains(out.String(), "x_submission_2025  clean") {
		t.Errorf("summary:\n%s", out.String())
	}

	writePNG(t, filepath.Join(root, "x_submission_2025", "stego", "s.png"), 5) // no sidecar
	out.Reset()
	err := validate(context.Background(), []string{"--root", root}, &out, false)
	var code exitCode
	if !errors.As(err, &code) || code != 1 {
		t.Fatalf("tree with an error: %v", err)
	}
	if !strings.Contains(out.String(), "x_submission_2025/stego/s.png: error sidecar-missing") {
		t.Errorf("problem not printed:\n%s", out.String())
	}

	out.Reset()
	err = validate(context.Background(), []string{"-root", root, "--json"}, &out, false)
	if !errors.As(err, &code) || code != 1 {
		t.Fatalf("--json: %v", err)
	}
	var rep index.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("--json output: %v\n%s", err, out.String())
	}
	if rep.Errors != 1 || rep.Samples != 2 || len(rep.Problems) != 1 || rep.Problems[0].Code != index.CodeSidecarMissing || rep.Problems[0].Severity != index.SeverityError {
		t.Errorf("report %+v", rep)
	}
}

func TestValidateUsage(t *testing.T) {
	var out bytes.Buffer
	var code exitCode
	if err := validate(context.Background(), nil, &out, false); !errors.As(err, &code) || code != 2 {
		t.Errorf("no --root: %v", err)
	}
	if err := validate(context.Background(), []string{"--root", filepath.Join(t.TempDir(), "none")}, &out, false); err == nil || errors.As(err, &code) {
		t.Errorf("missing root: %v", err)
	}
}

func TestValidateCorpus(t *testing.T) {
	root := corpustest.Datasets(t)
	var out bytes.Buffer
	err := validate(context.Background(), []string{"--root", root, "--json"}, &out, false)
	if err != nil {
		t.Fatalf("corpus: %v", err)
	}
	var rep index.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Samples != 176 || rep.Accepted != 176 || rep.Errors != 0 {
		t.Errorf("corpus report: %d samples, %d served, %d errors", rep.Samples, rep.Accepted, rep.Errors)
	}
}

func TestValidateProgressBar(t *testing.T) {
	root := t.TempDir()
	for i := 0; i < 5; i++ {
		writePNG(t, filepath.Join(root, "x_submission_2025", "clean", string(rune('a'+i))+".png"), i+1)
	}
	var out bytes.Buffer
	if err := validate(context.Background(), []string{"--root", root}, &out, true); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
}

// TestValidateEscapesNames: a file name with a newline and terminal escapes
// prints as one escaped line in the text report, as the JSON report does.
func TestValidateEscapesNames(t *testing.T) {
	root := t.TempDir()
	writePNG(t, filepath.Join(root, "x_submission_2025", "clean", "a.png"), 3)
	evil := "s\nx_submission_2025/clean/a.png: warning forged\x1b[2J.png"
	writePNG(t, filepath.Join(root, "x_submission_2025", "stego", evil), 5) // no sidecar: an error naming it
	var out bytes.Buffer
	if err := validate(context.Background(), []string{"--root", root}, &out, false); err == nil {
		t.Fatal("no error for a stego image without a sidecar")
	}
	text := out.String()
	if strings.Contains(text, "\x1b") || strings.Contains(text, "\n"+"x_submission_2025/clean/a.png: warning forged") {
		t.Errorf("raw control characters in the report:\n%q", text)
	}
	if !strings.Contains(text, `x_submission_2025/stego/s\nx_submission_2025/clean/a.png: warning forged\x1b[2J.png: error sidecar-missing`) {
		t.Errorf("the escaped name is not in the report:\n%s", text)
	}
}
