package main

import (
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// stderrIsTerminal tells whether progress bars are drawn: only when a
// person watches stderr, never into a pipe or a log file.
func stderrIsTerminal() bool { return term.IsTerminal(int(os.Stderr.Fd())) }

// newBar returns a progress bar on w over total items named unit (files,
// images, batches), redrawn at most ten times a second and cleared when done.
func newBar(w io.Writer, total int, desc, unit string) *progressbar.ProgressBar {
	return progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString(unit),
		progressbar.OptionThrottle(100_000_000),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetRenderBlankState(true),
	)
}

// showProgress draws a bar on w over total items while done counts them up
// (workers add to it), and returns the function that finishes and clears it.
func showProgress(w io.Writer, total int, desc, unit string, done *atomic.Int64) (stop func()) {
	bar := newBar(w, total, desc, unit)
	quit, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-quit:
				_ = bar.Set(int(done.Load()))
				_ = bar.Finish()
				return
			case <-t.C:
				_ = bar.Set(int(done.Load()))
			}
		}
	}()
	return func() {
		close(quit)
		<-finished
	}
}
