package gif

import (
	"bytes"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/internal/testbin"
)

// TestDirectMatchesStack decodes GIFs (the Pillow vectors, the corpus and
// every fourth trainset file when present, and cut and damaged copies)
// with strings written straight into the row and with every string going
// through the stack, and requires the same result: pixels or error.
func TestDirectMatchesStack(t *testing.T) {
	files := gifFiles(t)
	r := rand.New(rand.NewPCG(4, 5))
	cases := 0
	for i, b := range files {
		variants := [][]byte{b}
		tries := 20
		if len(b) > 8000 {
			tries = 3
		}
		for k := 0; k < tries; k++ {
			variants = append(variants, b[:r.IntN(len(b)+1)])
			m := bytes.Clone(b)
			m[r.IntN(len(m))] ^= byte(1 << r.IntN(8))
			variants = append(variants, m)
		}
		for _, v := range variants {
			cases++
			useDirect = false
			want, werr := Decode(v, codec.DefaultLimits)
			useDirect = true
			got, gerr := Decode(v, codec.DefaultLimits)
			if (werr == nil) != (gerr == nil) || (werr != nil && werr.Error() != gerr.Error()) {
				t.Fatalf("file %d: error %v, stack path %v", i, gerr, werr)
			}
			if werr == nil && (!bytes.Equal(got.RGB, want.RGB) || !bytes.Equal(got.Index, want.Index)) {
				t.Fatalf("file %d: pixels differ from the stack path", i)
			}
		}
	}
	t.Logf("%d files, %d cases", len(files), cases)
}

func gifFiles(tb testing.TB) [][]byte {
	mod, err := testbin.ModuleRoot()
	if err != nil {
		tb.Fatal(err)
	}
	roots := []string{filepath.Join("testdata", "pillow")}
	for _, d := range []string{"corpus", "trainset"} {
		roots = append(roots, filepath.Join(mod, "..", "shared", d, "datasets"))
	}
	var out [][]byte
	for _, root := range roots {
		seen := 0
		filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() || !strings.HasSuffix(p, ".gif") {
				return nil
			}
			if seen++; strings.Contains(root, "trainset") && seen%4 != 0 {
				return nil
			}
			if b, err := os.ReadFile(p); err == nil && len(b) > 0 {
				out = append(out, b)
			}
			return nil
		})
	}
	if len(out) == 0 {
		tb.Fatal("no GIF files found")
	}
	return out
}
