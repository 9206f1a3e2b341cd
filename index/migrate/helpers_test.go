package migrate

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/starlight/dataserver/index"
)

// writeFile writes data at rel under root, creating folders.
func writeFile(t *testing.T, root, rel string, data []byte) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeImage writes a smooth opaque RGB PNG, unique per seed, at rel.
func writeImage(t *testing.T, root, rel string, seed int) {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, 24, 20))
	for y := 0; y < 20; y++ {
		for x := 0; x < 24; x++ {
			m.SetRGBA(x, y, color.RGBA{uint8(x*10 + seed), uint8(y*12 + 3*seed), uint8(seed * 7), 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	writeFile(t, root, rel, b.Bytes())
}

// jsonl writes one JSON line per object (strings as they are).
func jsonl(t *testing.T, objs ...any) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, o := range objs {
		if s, ok := o.(string); ok {
			b.WriteString(s)
		} else {
			j, err := json.Marshal(o)
			if err != nil {
				t.Fatal(err)
			}
			b.Write(j)
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// copyTree copies the folder src to dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
}

// treeState lists every folder and file under root with the file bytes.
func treeState(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			out[rel+"/"] = ""
			return nil
		}
		b, err := os.ReadFile(p)
		out[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// diffStates names the paths that differ between two tree states.
func diffStates(a, b map[string]string) []string {
	var d []string
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			d = append(d, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			d = append(d, k)
		}
	}
	sort.Strings(d)
	return d
}

// build indexes root.
func build(t *testing.T, root string) *index.Snapshot {
	t.Helper()
	s, err := index.Build(context.Background(), root, index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func dump(s *index.Snapshot) string {
	var b strings.Builder
	for _, p := range s.Problems {
		b.WriteString("  " + p.String() + "\n")
	}
	return b.String()
}

// negatives maps the content id of every served negative to its category
// and method constraint.
func negatives(s *index.Snapshot) map[string][2]string {
	out := map[string][2]string{}
	for _, x := range s.Served() {
		if x.Kind == index.KindNegative {
			out[x.ID] = [2]string{x.Category, x.MethodConstraint}
		}
	}
	return out
}

// plan makes the plan of root.
func plan(t *testing.T, root string) *Plan {
	t.Helper()
	p, err := Make(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func planText(p *Plan) string {
	var b bytes.Buffer
	p.Write(&b)
	return b.String()
}
