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
	lines := make([]digestLine, len(files))
	var done atomic.Int64
	stop := func() {}
	if bar != nil && len(files) > 0 {
		stop = showProgress(bar, len(files), "digesting", "images", &done)
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < max(1, *workers); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				lines[i] = digestFile(*root, files[i])
				done.Add(1)
			}
		}()
	}
	for i := range files {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	stop()
	if err := ctx.Err(); err != nil {
		return err
	}
	enc := json.NewEncoder(out)
	for _, l := range lines {
		if err := enc.Encode(l); err != nil {
			return err
		}
	}
	return nil
}

func digestFile(root, rel string) digestLine {
	line := digestLine{Path: rel}
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		line.Error = err.Error()
		return line
	}
	s, err := extract.Extract(data, extract.Options{})
	if err != nil {
		line.Error = err.Error()
		return line
	}
	d := s.Digest()
	line.Format, line.Mode, line.Size, line.Streams = s.Format, s.Mode, []int{s.Width, s.Height}, &d
	return line
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
