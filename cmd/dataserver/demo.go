package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/starlight/dataserver/demo"
	"github.com/starlight/dataserver/server"
)

func init() {
	register(command{
		name:    "demo",
		summary: "write a small synthetic dataset tree and serve it (Ctrl-C stops)",
		run:     runDemo,
	})
}

// demoHints are the commands the demo suggests, runnable as printed with
// self (how to run this program) from the folder the demo was started in.
func demoHints(self, addr string) string {
	return fmt.Sprintf("  %[1]s stats --addr %[2]s\n  %[1]s pull --addr %[2]s --batches 50 --batch-size 16\n"+
		"  grpcurl -plaintext -d '{\"batch_size\": 4, \"max_batches\": 1}' %[2]s dataserver.v1.DataService/StreamBatches\n", self, addr)
}

// selfCommand says how to run this program again: "dataserver" when that
// name on PATH is this executable, "go run ./cmd/dataserver" when it was
// built by go run (a throwaway binary in the build cache), else its path.
func selfCommand(exe string, lookPath func(string) (string, error)) string {
	if p, err := lookPath("dataserver"); err == nil && exe != "" {
		if a, b := resolve(p), resolve(exe); a == b {
			return "dataserver"
		}
	}
	if exe == "" || strings.Contains(filepath.ToSlash(exe), "/go-build") {
		return "go run ./cmd/dataserver"
	}
	return exe
}

// resolve returns p with its symbolic links followed, or p itself.
func resolve(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}

func runDemo(ctx context.Context, args []string) error {
	fl := newFlags("demo", "[--addr HOST:PORT] [--dir DIR] [flags]")
	addr := fl.String("addr", server.DefaultAddr, "gRPC listen address")
	dir := fl.String("dir", "", "write the tree into this folder and keep it (default: a temporary folder, removed at exit)")
	seed := fl.Uint64("seed", 1, "seed of the generated pictures")
	metrics := fl.String("metrics-addr", "", "HTTP address of /metrics; empty disables it")
	logLevel := fl.String("log-level", "warn", "log level: debug, info, warn or error")
	if err := parseFlags(fl, args); err != nil {
		return err
	}
	log, err := newLogger(*logLevel)
	if err != nil {
		return err
	}
	defer log.Sync()
	root := *dir
	if root == "" {
		if root, err = os.MkdirTemp("", "dataserver-demo-"); err != nil {
			return err
		}
		defer func() {
			os.RemoveAll(root)
			fmt.Fprintf(os.Stderr, "removed %s\n", root)
		}()
	}
	sum, err := demo.Write(root, demo.Options{Seed: *seed})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote the demo tree: %s", sum)
	exe, _ := os.Executable()
	fmt.Fprintf(os.Stderr, "serving %s on %s (Ctrl-C stops); in another terminal, try:\n%s", root, *addr,
		demoHints(selfCommand(exe, exec.LookPath), *addr))
	return server.Run(ctx, server.Config{Root: root, Addr: *addr, MetricsAddr: *metrics}, log)
}
