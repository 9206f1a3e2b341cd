package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/extract"
)

func init() {
	register(command{
		name:    "digest",
		summary: "print the sha256 of each stream of every image under a folder, one JSON line an image",
		run: func(ctx context.Context, args []string) error {
			var bar io.Writer
			if stderrIsTerminal() {
				bar = os.Stderr
			}
			return runDigest(ctx, args, os.Stdout, bar)
		},
	})
}

// digestLine is one line of digest output, in the layout of expected.jsonl.
type digestLine struct {
	Path    string           `json:"path"`
	Format  codec.Format     `json:"format,omitempty"`
	Mode    codec.Mode       `json:"mode,omitempty"`
	Size    []int            `json:"size,omitempty"`
	Streams *extract.Digests `json:"streams,omitempty"`
	Error   string           `json:"error,omitempty"`
}

// runDigest writes the digest lines to out and, when bar is not nil, a
// progress bar of the images digested to bar.
func runDigest(ctx context.Context, args []string, out, bar io.Writer) error {
	fl := newFlags("digest", "--root DIR [flags]")
	root := fl.String("root", "", "folder to walk (required)")
	workers := fl.Int("workers", runtime.GOMAXPROCS(0), "images extracted at once")
	if err := parseFlags(fl, args); err != nil {
		return err
	}
	if *root == "" {
		return missing(fl, "--root is required: the folder whose images to digest")
	}
	files, err := imageFiles(*root)
	if err != nil {
		return err
	}
	var done atomic.Int64
	stop := func() {}
	if bar != nil && len(files) > 0 {
		stop = showProgress(bar, len(files), "digesting", "images", &done)
	}
	defer stop()
	// Few images are in flight at once, so the heap stays small: fewer
	// collections cost less CPU (3-4 % of a run at the default).
	debug.SetGCPercent(400)
	return digestTree(ctx, *root, files, *workers, out, &done)
}

// digestTree writes the digest line of each file, in the order of files.
// It is a pipeline: decoders extract the streams, hashers digest them
// while the decoders go on with the next images, and the writer prints
// each line as soon as the lines before it are out. Each stage runs on
// workers goroutines; at most a few images per worker are in flight.
// written, when not nil, counts the lines written (for a progress bar).
func digestTree(ctx context.Context, root string, files []string, workers int, w io.Writer, written *atomic.Int64) error {
	workers = max(1, workers)
	type extracted struct {
		i    int
		line digestLine
		s    *extract.Streams
	}
	type done struct {
		i    int
		line digestLine
	}
	next := make(chan int)
	toHash := make(chan extracted, workers)
	toWrite := make(chan done, 2*workers)
	var decoders, hashers sync.WaitGroup
	for range workers {
		decoders.Add(1)
		go func() {
			defer decoders.Done()
			for i := range next {
				line, s := extractFile(root, files[i])
				toHash <- extracted{i, line, s}
			}
		}()
		hashers.Add(1)
		go func() {
			defer hashers.Done()
			for e := range toHash {
				if e.s != nil {
					d := e.s.Digest()
					e.line.Streams = &d
				}
				toWrite <- done{e.i, e.line}
			}
		}()
	}
	go func() {
		defer close(next)
		for i := range files {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		decoders.Wait()
		close(toHash)
		hashers.Wait()
		close(toWrite)
	}()
	// Lines finishing out of order wait here; the window of work in flight
	// is bounded by the channels, so this map stays small.
	enc := json.NewEncoder(w)
	pending := map[int]digestLine{}
	out := 0
	var werr error
	for d := range toWrite {
		pending[d.i] = d.line
		for {
			l, ok := pending[out]
			if !ok {
				break
			}
			delete(pending, out)
			out++
			if werr == nil {
				werr = enc.Encode(l)
			}
			if written != nil {
				written.Add(1)
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return werr
}

// extractFile reads and extracts one image; the line has everything but
// the stream digests, and the streams are nil when the file failed.
func extractFile(root, rel string) (digestLine, *extract.Streams) {
	line := digestLine{Path: rel}
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		line.Error = err.Error()
		return line, nil
	}
	s, err := extract.Extract(data, extract.Options{})
	if err != nil {
		line.Error = err.Error()
		return line, nil
	}
	line.Format, line.Mode, line.Size = s.Format, s.Mode, []int{s.Width, s.Height}
	return line, s
}

// imageExts are the extensions walked as images; other files count only when
// their magic bytes say image.
var imageExts = map[string]bool{".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".webp": true, ".bmp": true}

// imageFiles returns the slash-separated paths under root, sorted, of regular
// files that are images by extension or by magic bytes.
func imageFiles(root string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("walk %s: %w", p, err)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if imageExts[strings.ToLower(path.Ext(rel))] || sniffFile(p) != "" {
			out = append(out, rel)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

func sniffFile(p string) codec.Format {
	f, err := os.Open(p)
	if err != nil {
		return ""
	}
	defer f.Close()
	var head [16]byte
	n, _ := f.Read(head[:])
	return codec.Sniff(head[:n])
}
