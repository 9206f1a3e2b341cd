// Package testbin finds the module's root and builds the dataserver command
// for tests that run it as a process.
package testbin

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// ModuleRoot returns the nearest directory at or above the working
// directory that holds go.mod.
func ModuleRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("testbin: no go.mod above %s", wd)
		}
	}
}

// Build compiles ./cmd/dataserver into dir with the go tool of the running
// toolchain and returns the binary's path: CGO off, or with the race
// detector (which needs cgo) when race is set.
func Build(dir string, race bool) (string, error) {
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	gotool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(gotool); err != nil {
		if gotool, err = exec.LookPath("go"); err != nil {
			return "", fmt.Errorf("testbin: no go tool to build the server: %v", err)
		}
	}
	out := filepath.Join(dir, "dataserver")
	args, cgo := []string{"build", "-o", out}, "CGO_ENABLED=0"
	if race {
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
