package reliability

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
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

// buildBinary compiles ./cmd/dataserver with CGO off into dir; under the
// race detector it builds the server with -race (which needs cgo), so the
// process-level tests race-check the server as well.
func buildBinary(dir string) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	gotool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(gotool); err != nil {
		if gotool, err = exec.LookPath("go"); err != nil {
			return "", fmt.Errorf("no go tool to build the server: %v", err)
		}
	}
	out := filepath.Join(dir, "dataserver")
	args, cgo := []string{"build", "-o", out}, "CGO_ENABLED=0"
	if raceEnabled {
		args, cgo = append(args, "-race"), "CGO_ENABLED=1"
	}
	cmd := exec.Command(gotool, append(args, "./cmd/dataserver")...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), cgo)
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/dataserver: %v\n%s", err, b)
	}
	return out, nil
}

// needBinary builds ./cmd/dataserver into a temporary folder on first use
// and fails the test when it could not be built.
func needBinary(t testing.TB) {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "reliability-bin-")
		if binErr == nil {
			binPath, binErr = buildBinary(binDir)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
}

// moduleRoot is the folder holding go.mod at or above the working directory.
func moduleRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod above %s", wd)
		}
	}
}
