package index

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// problemCodes reads the Code* constants of problems.go.
func problemCodes(t *testing.T) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "problems.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok {
			return true
		}
		for i, name := range vs.Names {
			if !strings.HasPrefix(name.Name, "Code") || i >= len(vs.Values) {
				continue
			}
			if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				v, _ := strconv.Unquote(lit.Value)
				codes[v] = name.Name
			}
		}
		return true
	})
	if len(codes) < 40 {
		t.Fatalf("found only %d problem codes in problems.go", len(codes))
	}
	return codes
}

// TestEveryCodeDocumented checks that CONTRIBUTING-DATA.md explains every
// problem code in a table row, that it documents no code that does not
// exist, and that problems.go's own table lists every code.
func TestEveryCodeDocumented(t *testing.T) {
	codes := problemCodes(t)
	doc, err := os.ReadFile(filepath.Join("..", "CONTRIBUTING-DATA.md"))
	if err != nil {
		t.Fatalf("CONTRIBUTING-DATA.md: %v", err)
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z0-9-]+)` \\| ([EW]) \\| (.+) \\| (.+) \\|$")
	documented := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(string(doc), -1) {
		if _, dup := documented[m[1]]; dup {
			t.Errorf("%s documented twice", m[1])
		}
		documented[m[1]] = m[2]
		if len(strings.TrimSpace(m[3])) < 10 || len(strings.TrimSpace(m[4])) < 10 {
			t.Errorf("%s: meaning or fix too short", m[1])
		}
	}
	src, _ := os.ReadFile("problems.go")
	for code, name := range codes {
		sev, ok := documented[code]
		if !ok {
			t.Errorf("%s (%s) is not explained in CONTRIBUTING-DATA.md", code, name)
			continue
		}
		table := regexp.MustCompile(`(?m)^//\s+` + regexp.QuoteMeta(code) + `\s+([EW])\s`).FindSubmatch(src)
		if table == nil {
			t.Errorf("%s is missing from the table in problems.go", code)
		} else if string(table[1]) != sev {
			t.Errorf("%s: severity %s in problems.go, %s in CONTRIBUTING-DATA.md", code, table[1], sev)
		}
	}
	for code := range documented {
		if _, ok := codes[code]; !ok {
			t.Errorf("CONTRIBUTING-DATA.md documents %s, which is no problem code", code)
		}
	}
}
