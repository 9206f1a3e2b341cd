package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/starlight/dataserver/internal/benchrestart"
)

func init() {
	register(command{
		name:    "bench-restart",
		summary: "measure cold start and restarts (unchanged, some changed) over a generated tree",
		run:     runBenchRestart,
	})
}

func runBenchRestart(ctx context.Context, args []string) error {
	fl := flag.NewFlagSet("bench-restart", flag.ContinueOnError)
	fl.Usage = func() {
		fmt.Fprintln(fl.Output(), "usage: dataserver bench-restart --dir EMPTY_DIR [--images N] [--side PX] [--changed F] [--again]\n\nWrites N unique PNG and JPEG images under DIR/tree, then starts this binary's\nserve three times with DIR/cache as --cache-dir: cold, nothing changed, and\nwith a share F of the images rewritten; prints time to SERVING and CPU of each.\n\nflags:")
		fl.PrintDefaults()
	}
	dir := fl.String("dir", "", "empty work folder (required)")
	images := fl.Int("images", 20000, "images in the generated tree")
	side := fl.Int("side", 256, "image width and height in pixels (8 for a header-only tree)")
	changed := fl.Float64("changed", 0.01, "share of the images rewritten before the third start")
	again := fl.Bool("again", false, "only restart once more over the tree and cache dir a previous run left in --dir")
	if err := fl.Parse(args); err != nil {
		return exitCode(2)
	}
	if *dir == "" {
		fmt.Fprintln(fl.Output(), "bench-restart: --dir is required")
		fl.Usage()
		return exitCode(2)
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	_, err = benchrestart.Run(ctx, benchrestart.Options{Dir: *dir, Images: *images, Side: *side, Changed: *changed, Exe: exe, Again: *again}, os.Stdout)
	return err
}
