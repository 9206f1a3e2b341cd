package reliability

import (
	"flag"
	"os"
	"sync"
	"testing"

	"github.com/starlight/dataserver/internal/testbin"
)

// long turns on the soak variants (more runs, more files, bigger bombs).
var long = flag.Bool("long", false, "run the long soak variants of the reliability tests (or set RELIABILITY_LONG=1)")

// binPath is the dataserver command built (once, by the first test that
// needs it) for the process-level tests, and binErr why it could not be.
var (
	binDir  string
	binPath string
	binErr  error
	binOnce sync.Once
)

// TestMain runs the tests and removes the server binary built by them.
func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// isLong reports whether the soak variants run.
func isLong() bool {
	return *long || os.Getenv("RELIABILITY_LONG") == "1"
}

// needBinary builds ./cmd/dataserver into a temporary folder on first use
// (or takes the binary RELIABILITY_SERVER_BIN names) and fails the test
// when it could not be built.
func needBinary(t testing.TB) {
	t.Helper()
	binOnce.Do(func() {
		if bin := os.Getenv("RELIABILITY_SERVER_BIN"); bin != "" {
			binPath = bin // another build, for before-and-after figures
			return
		}
		binDir, binErr = os.MkdirTemp("", "reliability-bin-")
		if binErr == nil {
			binPath, binErr = testbin.Build(binDir, raceEnabled)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
}
