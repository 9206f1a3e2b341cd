package main

import (
	"context"
	"fmt"
	"os"

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
	fmt.Fprintf(os.Stderr, "serving %s on %s (Ctrl-C stops); try:\n  dataserver stats --addr %s\n  dataserver pull --addr %s --batches 50 --batch-size 16\n",
		root, *addr, *addr, *addr)
	return server.Run(ctx, server.Config{Root: root, Addr: *addr, MetricsAddr: *metrics}, log)
}
