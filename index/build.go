package index

import (
	"context"
	"fmt"
	"os"
	"path"
	"strings"
	"time"

	"github.com/starlight/dataserver/extract"
	"github.com/starlight/dataserver/internal/guard"
)

// build is Build: walk, read sidecars and manifests, read images, assemble.
func build(ctx context.Context, root string, opts Options) (*Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := opts.Splits.Validate(); err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	defer r.Close()
	w, err := walkTree(ctx, r, root)
	if err != nil {
		return nil, err
	}
	c := &checker{open: func(n string) (*os.File, error) { return r.OpenFile(n, openFlags, 0) }, maxFile: opts.MaxFileSize, headerOnly: opts.HeaderOnly, extracted: opts.Extracted}
	if openHook != nil {
		c.open = openHook(c.open)
	}
	if c.maxFile <= 0 {
		c.maxFile = extract.DefaultMaxFileSize
	}
	c.opts = extract.Options{Limits: opts.Limits, MaxFileSize: c.maxFile}
	var prev map[string]*fileResult
	switch {
	case opts.Previous != nil:
		prev = opts.Previous.files
	case opts.Store != nil:
		prev = opts.Store.load()
	}

	results := make([]*fileResult, len(w.entries))
	fresh := make([]bool, len(w.entries))
	done, total := 0, len(w.entries)
	tick := func() {
		done++
		if opts.Progress != nil {
			opts.Progress(done, total)
		}
	}
	var meta, images []int
	for i, e := range w.entries {
		if e.role == roleImage {
			images = append(images, i)
		} else {
			meta = append(meta, i)
		}
	}
	err = parallel(ctx, opts.Workers, len(meta), func(k int) {
		i := meta[k]
		e := w.entries[i]
		if old := reusable(prev, e, ""); old != nil {
			results[i] = old
			return
		}
		fresh[i] = true
		results[i] = safely(e, func() *fileResult {
			if e.role == roleSidecar {
				return c.sidecar(e)
			}
			return c.manifest(e)
		})
	}, tick)
	if err != nil {
		return nil, err
	}
	sidecars := map[string]*fileResult{}
	for _, i := range meta {
		if w.entries[i].role == roleSidecar {
			sidecars[w.entries[i].path] = results[i]
		}
	}
	err = parallel(ctx, opts.Workers, len(images), func(k int) {
		i := images[k]
		e := w.entries[i]
		var sc *Sidecar
		key := ""
		switch e.kind {
		case KindNegative:
			key = "negative"
		case KindStego:
			if p := sidecarFor(e.path, sidecars); p != "" && sidecars[p].sidecarOK {
				sc = &sidecars[p].sidecar
				key = stegoKey(sc)
			}
		}
		if !opts.HeaderOnly {
			key += "+decoded"
		}
		if old := reusable(prev, e, key); old != nil {
			results[i] = old
			return
		}
		fresh[i] = true
		results[i] = safely(e, func() *fileResult { return c.image(e, key, sc) })
	}, tick)
	if err != nil {
		return nil, err
	}

	a := newAssembler(w, results, sidecars)
	a.splits = opts.Splits
	snap := a.assemble()
	snap.Root = root
	snap.Created = time.Now()
	if opts.Store != nil {
		changed := map[string]bool{}
		for i, f := range fresh {
			if f {
				changed[w.entries[i].path] = true
			}
		}
		opts.Store.save(snap.files, changed)
	}
	return snap, nil
}

// reusable returns the previous result for e when its path, size, mtime,
// change stamp (inode, ctime) and payload check are unchanged.
func reusable(prev map[string]*fileResult, e entry, key string) *fileResult {
	r := prev[e.path]
	if r == nil || r.size != e.size || !r.mtime.Equal(e.mtime) || r.change != e.change || r.checkKey != key {
		return nil
	}
	return r
}

// safely runs fn, the index's boundary for one file: a panic becomes an
// internal problem on e (counted and reported by guard), the rest goes on.
func safely(e entry, fn func() *fileResult) (r *fileResult) {
	defer func() {
		if p := guard.Recovered("index", recover()); p != nil {
			r = &fileResult{size: e.size, mtime: e.mtime, change: e.change, image: e.role == roleImage && imageExt(e.path)}
			r.probs = []Problem{{Severity: SeverityError, Code: CodeInternal, Path: e.path, Message: p.Error()}}
		}
	}()
	return fn()
}

// sidecarFor returns the sidecar path of stego image p: <p>.json, else
// <stem>.json; "" when neither exists.
func sidecarFor(p string, sidecars map[string]*fileResult) string {
	if _, ok := sidecars[p+".json"]; ok {
		return p + ".json"
	}
	stem := strings.TrimSuffix(p, path.Ext(p)) + ".json"
	if _, ok := sidecars[stem]; ok {
		return stem
	}
	return ""
}
