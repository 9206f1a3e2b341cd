package corpustest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/starlight/dataserver/internal/testbin"
)

// Trainset returns the datasets root of ../shared/trainset (a real
// training tree of 1,840 images), or skips the test loudly when it is absent.
func Trainset(tb testing.TB) string {
	tb.Helper()
	mod, err := testbin.ModuleRoot()
	if err != nil {
		tb.Fatal(err)
	}
	dir := filepath.Join(mod, "..", "shared", "trainset", "datasets")
	if _, err := os.Stat(filepath.Join(dir, "train_submission_2025")); err != nil {
		tb.Skipf("TRAINSET NOT FOUND at %s: skipping trainset test (%v)", dir, err)
	}
	return dir
}
