package index

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"
)

// maxDepth bounds how deep folders under clean/, stego/ and negatives/ are scanned.
const maxDepth = 16

// role is what a file found by the walk is taken to be.
type role int

const (
	roleImage role = iota
	roleSidecar
	roleManifest
)

// entry is one regular file (or in-root symlink to one) found by the walk.
type entry struct {
	path       string
	submission string
	kind       Kind
	role       role
	// folder is a negative's category folder as on disk, "" when the file
	// lies directly in negatives/.
	folder string
	size   int64
	mtime  time.Time
	change stamp
}

// walker lists the tree through the root; it never follows a symlink out of
// it and never opens anything but directories.
type walker struct {
	ctx     context.Context
	root    *os.Root
	entries []entry
	probs   []Problem
	// seen holds every path the walk met under a sample folder, files of
	// any type included, for manifest lookups.
	seen map[string]bool
	// mis searches for image folders outside the standard places.
	mis *misplacedScan
}

// isSubmission reports whether a top-level folder is a submission.
func isSubmission(name string) bool {
	return strings.Contains(name, "_submission_")
}

func (w *walker) problem(p Problem, at string) {
	p.Path = at
	w.probs = append(w.probs, p)
}

// list returns the sorted entries of dir, or nil after reporting why not.
func (w *walker) list(dir string) []os.DirEntry {
	f, err := w.root.Open(dir)
	if err != nil {
		w.problem(errorf(CodeUnreadableDir, "cannot open folder: %v", unwrapPath(err)), dir)
		return nil
	}
	defer f.Close()
	ents, err := f.ReadDir(-1)
	if err != nil {
		w.problem(errorf(CodeUnreadableDir, "cannot list folder: %v", unwrapPath(err)), dir)
	}
	sort.Slice(ents, func(i, j int) bool { return ents[i].Name() < ents[j].Name() })
	return ents
}

// walkTree lists the tree under r (which the caller closes); root names it
// in errors.
func walkTree(ctx context.Context, r *os.Root, root string) (*walker, error) {
	w := &walker{ctx: ctx, root: r, seen: map[string]bool{}}
	if err := w.walkRoot(); err != nil {
		return nil, fmt.Errorf("index: scanning %s: %w", root, err)
	}
	return w, nil
}

// walkRoot lists the submissions and their three sample folders.
func (w *walker) walkRoot() error {
	f, err := w.root.Open(".")
	if err != nil {
		return err
	}
	top, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		return err
	}
	sort.Slice(top, func(i, j int) bool { return top[i].Name() < top[j].Name() })
	names := make([]string, len(top))
	for i, e := range top {
		names[i] = e.Name()
	}
	w.mis = newMisplacedScan(w, names)
	if p, bad := rootProblem(top); bad {
		w.probs = append(w.probs, p)
		if p.Code == CodeRootIsSubmission {
			return nil // its clean/ and stego/ are not misplaced data
		}
	}
	for _, sub := range top {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		name := sub.Name()
		if !isSubmission(name) {
			if sub.IsDir() && !strings.HasPrefix(name, ".") && name != "lost+found" && validName(name) {
				w.mis.outside(name, 0)
			}
			continue
		}
		if !utf8.ValidString(name) {
			w.problem(errorf(CodeNameNotUTF8, "folder name %q is not valid UTF-8; skipped", name), safeName(name))
			continue
		}
		if sub.Type()&fs.ModeSymlink != 0 {
			w.problem(warnf(CodeSymlinkDir, "submission folder is a symbolic link; not followed"), name)
			continue
		}
		if !sub.IsDir() {
			continue
		}
		for _, part := range w.list(name) {
			var kind Kind
			switch part.Name() {
			case "clean":
				kind = KindClean
			case "stego":
				kind = KindStego
			case "negatives":
				kind = KindNegative
			default:
				// seeds, scripts, READMEs; image folders here are misplaced
				if n := part.Name(); part.IsDir() && n != "seeds" && !strings.HasPrefix(n, ".") && validName(n) {
					w.mis.inside(name, name+"/"+n)
				}
				continue
			}
			dir := name + "/" + part.Name()
			if part.Type()&fs.ModeSymlink != 0 {
				w.problem(warnf(CodeSymlinkDir, "sample folder is a symbolic link; not followed"), dir)
				continue
			}
			if !part.IsDir() {
				continue
			}
			if err := w.walkDir(dir, name, kind, 0); err != nil {
				return err
			}
		}
	}
	return w.ctx.Err()
}

// walkDir records the files under dir, depth folders below its sample folder.
// Names starting with "." are hidden files and folders and are skipped.
func (w *walker) walkDir(dir, sub string, kind Kind, depth int) error {
	for _, de := range w.list(dir) {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		name := de.Name()
		p := dir + "/" + name
		if strings.HasPrefix(name, ".") {
			continue // hidden: .DS_Store, ._AppleDouble, .ipynb_checkpoints, .git
		}
		if !utf8.ValidString(name) {
			w.problem(errorf(CodeNameNotUTF8, "name %q is not valid UTF-8; skipped", p), safeName(p))
			continue
		}
		if !de.IsDir() {
			w.seen[p] = true
		}
		var info fs.FileInfo
		switch t := de.Type(); {
		case t.IsDir():
			if kind == KindStego && depth == 0 && w.mis != nil {
				w.mis.stegoSubfolder(sub, p)
			}
			if depth+1 >= maxDepth {
				w.problem(errorf(CodeTooDeep, "folder nested %d deep; not scanned", depth+1), p)
				continue
			}
			if err := w.walkDir(p, sub, kind, depth+1); err != nil {
				return err
			}
			continue
		case t&fs.ModeSymlink != 0:
			fi, ok := w.symlink(p)
			if !ok {
				continue
			}
			info = fi
		case t.IsRegular():
			fi, err := de.Info()
			if err != nil {
				w.problem(errorf(CodeUnreadable, "cannot stat: %v", unwrapPath(err)), p)
				continue
			}
			info = fi
		default:
			w.problem(errorf(CodeNotRegular, "%s, not a regular file; not opened", typeName(t)), p)
			continue
		}
		e := entry{path: p, submission: sub, kind: kind, size: info.Size(), mtime: info.ModTime(), change: changeStamp(info)}
		rel := strings.TrimPrefix(p, sub+"/negatives/")
		switch {
		case kind == KindStego && strings.HasSuffix(strings.ToLower(name), ".json"):
			e.role = roleSidecar
		case kind == KindNegative && depth == 0 && name == "manifest.jsonl":
			e.role = roleManifest
		case kind == KindNegative:
			if i := strings.IndexByte(rel, '/'); i >= 0 {
				e.folder = rel[:i]
			}
		}
		w.entries = append(w.entries, e)
	}
	return nil
}

// symlink resolves a symbolic link through the root and reports links that
// escape it, loop, dangle or name a folder; ok is false for all of those.
func (w *walker) symlink(p string) (fs.FileInfo, bool) {
	target, err := w.root.Readlink(p)
	if err != nil {
		w.problem(errorf(CodeUnreadable, "cannot read symbolic link: %v", unwrapPath(err)), p)
		return nil, false
	}
	if path.IsAbs(target) || strings.HasPrefix(path.Join(path.Dir(p), target), "..") {
		w.problem(errorf(CodeSymlinkEscape, "symbolic link to %q points out of the root; not followed", target), p)
		return nil, false
	}
	fi, err := w.root.Stat(p)
	switch {
	case err == nil:
	case errors.Is(err, syscall.ELOOP):
		w.problem(errorf(CodeSymlinkLoop, "symbolic link to %q loops", target), p)
		return nil, false
	case errors.Is(err, fs.ErrNotExist):
		w.problem(errorf(CodeSymlinkDangling, "symbolic link to %q points to nothing", target), p)
		return nil, false
	case strings.Contains(err.Error(), "escapes"):
		w.problem(errorf(CodeSymlinkEscape, "symbolic link to %q points out of the root; not followed", target), p)
		return nil, false
	default:
		w.problem(errorf(CodeUnreadable, "cannot resolve symbolic link to %q: %v", target, unwrapPath(err)), p)
		return nil, false
	}
	switch {
	case fi.IsDir():
		w.problem(warnf(CodeSymlinkDir, "symbolic link to folder %q; not followed", target), p)
		return nil, false
	case !fi.Mode().IsRegular():
		w.problem(errorf(CodeNotRegular, "symbolic link to a %s; not opened", typeName(fi.Mode())), p)
		return nil, false
	}
	return fi, true
}

// safeName replaces invalid UTF-8 in a name so reports stay valid text.
func safeName(s string) string {
	return strings.ToValidUTF8(s, "\uFFFD")
}

// typeName names the type of a non-regular file for a report.
func typeName(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeDevice != 0:
		return "block device"
	case m&fs.ModeDir != 0:
		return "folder"
	}
	return "irregular file"
}
