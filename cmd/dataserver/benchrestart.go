package main

import (
	"context"
	"os"

	"github.com/starlight/dataserver/internal/benchrestart"
)

func init() {
	register(command{
		name:    "bench-restart",
		summary: "time serve's cold start and restarts (nothing changed, some images rewritten) over a generated tree",
		run:     runBenchRestart,
	})
}

func runBenchRestart(ctx context.Context, args []string) error {
	fl := newFlags("bench-restart", "--dir EMPTY_DIR [--images N] [--side PX] [--changed F] [--again]")
	dir := fl.String("dir", "", "empty work folder (required)")
	images := fl.Int("images", 20000, "images in the generated tree")
	side := fl.Int("side", 256, "image width and height in pixels (8 for a header-only tree)")
	changed := fl.Float64("changed", 0.01, "share of the images rewritten before the third start")
	again := fl.Bool("again", false, "only restart once more over the tree and cache dir a previous run left in --dir")
	if err := parseFlags(fl, args); err != nil {
		return err
	}
	if *dir == "" {
		return missing(fl, "--dir is required: an empty work folder")
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	_, err = benchrestart.Run(ctx, benchrestart.Options{Dir: *dir, Images: *images, Side: *side, Changed: *changed, Exe: exe, Again: *again}, os.Stdout)
	return err
}
