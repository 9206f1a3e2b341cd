package e2e

import (
	"fmt"
	"os"
	"testing"

	"github.com/starlight/dataserver/internal/demotree"
	"github.com/starlight/dataserver/internal/testbin"
)

// binary is the dataserver command built once for the process tests, and
// buildErr why it could not be built.
var (
	binary   string
	buildErr error
)

// TestMain builds ./cmd/dataserver into a temporary folder, runs the tests
// and removes the folder.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dataserver-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	binary, buildErr = testbin.Build(dir, false)
	code := m.Run()
	os.RemoveAll(dir)
	demotree.Remove()
	os.Exit(code)
}

// needBinary fails the test when the command could not be built.
func needBinary(t *testing.T) {
	t.Helper()
	if buildErr != nil {
		t.Fatal(buildErr)
	}
}
