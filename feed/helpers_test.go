package feed

import (
	"os"
	"testing"

	"github.com/starlight/dataserver/catalog"
	"github.com/starlight/dataserver/catalog/catalogtest"
	"github.com/starlight/dataserver/index"
	"github.com/starlight/dataserver/internal/corpustest"
	"github.com/starlight/dataserver/internal/demotree"
)

// corpus returns the corpus root and a catalog holding its snapshot.
func corpus(t testing.TB) (string, *catalog.Catalog) {
	t.Helper()
	root := corpustest.Datasets(t)
	cat := catalog.New(root, catalog.Options{Build: catalogtest.Build})
	cat.Set(catalogtest.MustBuild(t, root))
	return root, cat
}

// served returns pointers to the first n accepted samples of the catalog.
func served(cat *catalog.Catalog, n int) []*index.Sample {
	v := cat.Current()
	var out []*index.Sample
	for i := range v.Served {
		if len(out) == n {
			break
		}
		out = append(out, &v.Served[i])
	}
	return out
}

func TestMain(m *testing.M) {
	code := m.Run()
	demotree.Remove()
	os.Exit(code)
}

func newFeed(t testing.TB, cfg Config) *Feed {
	t.Helper()
	f, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
