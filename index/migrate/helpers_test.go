package migrate

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/starlight/dataserver/index"
	"github.com/starlight/dataserver/internal/treetest"
)

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
	treetest.WriteFile(t, root, rel, b.Bytes())
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
