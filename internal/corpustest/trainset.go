package corpustest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/internal/testbin"
)

// Trainset returns the datasets root of ../shared/trainset (a real
// training tree of 1,840 images), or skips the test or benchmark loudly
// when it is absent.
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

// TrainsetFiles returns every file of the training tree whose magic bytes
// say format, in path order; it skips loudly when the tree is absent.
func TrainsetFiles(tb testing.TB, format codec.Format) []File {
	tb.Helper()
	out, err := walk(Trainset(tb), format)
	if err != nil {
		tb.Fatalf("walking the trainset for %s files: %v", format, err)
	}
	return out
}
