// Package demotree writes the demo dataset tree (package demo: real images
// of every kind, technique and format) once per test process, for the tests
// that need a real tree but not the reference corpus, so they run everywhere
// instead of skipping when ../shared/corpus is absent.
package demotree

import (
	"os"
	"sync"
	"testing"

	"github.com/starlight/dataserver/demo"
	"github.com/starlight/dataserver/internal/treetest"
)

var (
	once sync.Once
	dir  string
	sum  demo.Summary
	err  error
)

// Root returns the shared demo tree (seed 1), writing it on first use. Tests
// must not change it; Copy gives one to change.
func Root(tb testing.TB) string {
	tb.Helper()
	once.Do(func() {
		if dir, err = os.MkdirTemp("", "dataserver-demotree-"); err == nil {
			sum, err = demo.Write(dir, demo.Options{Seed: 1})
		}
	})
	if err != nil {
		tb.Fatalf("writing the demo tree: %v", err)
	}
	return dir
}

// Summary returns what the shared tree holds.
func Summary(tb testing.TB) demo.Summary {
	tb.Helper()
	Root(tb)
	return sum
}

// Copy returns a copy of the demo tree in a folder of the test's own.
func Copy(tb testing.TB) string {
	tb.Helper()
	return treetest.Copy(tb, Root(tb))
}

// Remove deletes the shared tree; TestMain calls it after the tests.
func Remove() {
	if dir != "" {
		os.RemoveAll(dir)
	}
}
