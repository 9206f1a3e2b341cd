package reliability

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/starlight/dataserver/internal/testbin"
)

// requiredFuzz lists, per package of the module, the native fuzz targets
// every parser of hostile input must have: the five decoders (header and
// pixels), the end-of-image walker and the tail, the EXIF walker, the
// sidecar, the manifest line and the whole manifest, the cursor, the whole
// extraction and a whole index over a fuzzed tree.
var requiredFuzz = map[string][]string{
	"codec/png":    {"FuzzDecode"},
	"codec/jpeg":   {"FuzzDecode"},
	"codec/gif":    {"FuzzDecode"},
	"codec/webp":   {"FuzzDecode"},
	"codec/bmp":    {"FuzzDecode"},
	"extract":      {"FuzzExtract"},
	"extract/meta": {"FuzzTail", "FuzzEXIF"},
	"payload":      {"FuzzEnd", "FuzzUserComment", "FuzzPixels", "FuzzScan"},
	"index":        {"FuzzParseSidecar", "FuzzParseManifestLine", "FuzzReadManifest"},
	"sampling":     {"FuzzParseCursor"},
	"reliability":  {"FuzzIndexTree"},
}

// fuzzTargets returns the fuzz targets declared in the module's test
// files, by package folder relative to the module root.
func fuzzTargets(t *testing.T) map[string][]string {
	root, err := testbin.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(p))
		rel = filepath.ToSlash(rel)
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if ok && fn.Recv == nil && strings.HasPrefix(fn.Name.Name, "Fuzz") && takesF(fn) {
				out[rel] = append(out[rel], fn.Name.Name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// takesF reports whether fn's one parameter is a *testing.F.
func takesF(fn *ast.FuncDecl) bool {
	ps := fn.Type.Params.List
	if len(ps) != 1 {
		return false
	}
	star, ok := ps[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	sel, ok := star.X.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "F"
}

// TestFuzzInventory checks that every parser of hostile input keeps its
// native fuzz target, and lists them all.
func TestFuzzInventory(t *testing.T) {
	have := fuzzTargets(t)
	for pkg, want := range requiredFuzz {
		for _, name := range want {
			found := false
			for _, n := range have[pkg] {
				found = found || n == name
			}
			if !found {
				t.Errorf("%s has no %s fuzz target (has %v)", pkg, name, have[pkg])
			}
		}
	}
	pkgs := make([]string, 0, len(have))
	total := 0
	for p := range have {
		pkgs = append(pkgs, p)
		total += len(have[p])
	}
	sort.Strings(pkgs)
	for _, p := range pkgs {
		t.Logf("%-22s %s", p, strings.Join(have[p], " "))
	}
	t.Logf("FIGURE fuzz targets: %d in %d packages", total, len(pkgs))
}
