package sampling

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/starlight/dataserver/index"
	"github.com/starlight/dataserver/internal/testbin"
)

var trainset struct {
	once    sync.Once
	samples []index.Sample
	err     error
	dir     string
}

// trainsetSamples indexes ../shared/trainset once per test binary, or skips
// the test loudly when it is absent.
func trainsetSamples(tb testing.TB) []index.Sample {
	tb.Helper()
	mod, err := testbin.ModuleRoot()
	if err != nil {
		tb.Fatal(err)
	}
	dir := filepath.Join(mod, "..", "shared", "trainset", "datasets")
	if _, err := os.Stat(dir); err != nil {
		tb.Skipf("TRAINSET NOT FOUND at %s: skipping trainset test (%v)", dir, err)
	}
	trainset.once.Do(func() {
		s, err := index.Build(context.Background(), dir, index.Options{HeaderOnly: true})
		if err == nil {
			trainset.samples = s.Samples
		}
		trainset.err = err
	})
	if trainset.err != nil {
		tb.Fatalf("indexing %s: %v", dir, trainset.err)
	}
	return trainset.samples
}
