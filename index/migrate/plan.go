// Package migrate rewrites legacy negatives manifests and old category
// folder names into the unified schema and layout of SPEC.md section 1:
// every negative at negatives/<category>/<filename>, its manifest line in
// the unified schema (schemas/negatives-manifest-line.schema.json). It
// plans first; Apply then keeps a backup, writes each manifest atomically
// and moves folders with a rename. A second run finds nothing to do.
package migrate

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/starlight/dataserver/index"
)

// Plan is what migrating a tree would do.
type Plan struct {
	// Root is the tree's root folder as given.
	Root string
	// Submissions lists the submissions with work to do or notes.
	Submissions []*Submission
	// Misplaced are the image folders outside the standard places; migrate
	// does not move them (their problems carry the command that does).
	Misplaced []index.Problem
}

// Submission is the plan for one submission's negatives/ folder.
type Submission struct {
	// Dir is the negatives folder relative to the root ("x_submission_2025/negatives").
	Dir string
	// Renames are the category folders renamed to their current names.
	Renames []Rename
	// Moves are the files moved to <category>/<filename>.
	Moves []Move
	// Manifest is the manifest rewrite, nil when the manifest stays as it is.
	Manifest *Rewrite
	// Notes are report lines: manifest entries not carried over and why,
	// collisions left alone.
	Notes []string
}

// Rename renames (or, when the target exists, merges) a category folder.
// Paths are relative to the submission's negatives/ folder.
type Rename struct {
	From, To string
	// Files counts the regular files below From.
	Files int
	// Merge is set when To exists (or another folder is renamed to it):
	// the entries of From are moved into To one by one.
	Merge bool
	// Skip lists entries of From left in place because To holds the same name.
	Skip []string
}

// Move moves one negative to <category>/<filename>. Paths are relative to
// the submission's negatives/ folder, From as it is after the renames.
type Move struct {
	From, To string
	// Line is the manifest line that names the file.
	Line int
}

// Rewrite is a manifest rewritten into the unified schema.
type Rewrite struct {
	// Path is the manifest's path relative to the root.
	Path string
	// Old and New are the manifest's bytes before and after.
	Old, New []byte
	// Lines counts the entries (non-blank lines) of the old manifest;
	// Legacy those rewritten from the legacy schema, Renamed the unified
	// ones whose category was renamed, Kept those carried over unchanged,
	// Dropped those not carried over (each has a note).
	Lines, Legacy, Renamed, Kept, Dropped int
	mode                                  fs.FileMode
}

// Empty reports whether the plan changes nothing.
func (p *Plan) Empty() bool {
	for _, s := range p.Submissions {
		if len(s.Renames) > 0 || len(s.Moves) > 0 || s.Manifest != nil {
			return false
		}
	}
	return true
}

// Make plans the migration of the tree at root. It reads manifests and
// image headers and lists folders; it changes nothing.
func Make(ctx context.Context, root string) (*Plan, error) {
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	defer r.Close()
	p := &Plan{Root: root}
	top, err := readDir(r, ".")
	if err != nil {
		return nil, fmt.Errorf("migrate: listing %s: %w", root, err)
	}
	for _, e := range top {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		name := e.Name()
		if !strings.Contains(name, "_submission_") || !e.IsDir() || !utf8.ValidString(name) {
			continue
		}
		neg := name + "/negatives"
		fi, err := r.Lstat(neg)
		if err != nil || !fi.IsDir() {
			continue
		}
		s, err := planSubmission(ctx, r, neg)
		if err != nil {
			return nil, err
		}
		if len(s.Renames)+len(s.Moves)+len(s.Notes) > 0 || s.Manifest != nil {
			p.Submissions = append(p.Submissions, s)
		}
	}
	if p.Misplaced, err = index.Misplaced(ctx, root); err != nil {
		return nil, err
	}
	return p, nil
}

// planner plans one negatives/ folder.
type planner struct {
	ctx context.Context
	r   *os.Root
	s   *Submission
	// target maps a folder of negatives/ to its current name (renamed folders only).
	target map[string]string
	// skip holds "<folder>/<entry>" left in place by a merge.
	skip map[string]bool
	// taken holds the post-migration paths claimed by manifest lines and moves.
	taken map[string]int
}

func planSubmission(ctx context.Context, r *os.Root, neg string) (*Submission, error) {
	pl := &planner{ctx: ctx, r: r, s: &Submission{Dir: neg}, target: map[string]string{}, skip: map[string]bool{}, taken: map[string]int{}}
	if err := pl.planFolders(); err != nil {
		return nil, err
	}
	if err := pl.planManifest(); err != nil {
		return nil, err
	}
	return pl.s, nil
}

// planFolders renames every category folder whose name is not its current
// one (old names, spaces, capitals, hyphens).
func (pl *planner) planFolders() error {
	ents, err := readDir(pl.r, pl.s.Dir)
	if err != nil {
		return fmt.Errorf("migrate: listing %s: %w", pl.s.Dir, err)
	}
	names := map[string]bool{}
	claimed := map[string]bool{}
	var dirs []string
	for _, e := range ents {
		n := e.Name()
		names[n] = true
		if !e.IsDir() || strings.HasPrefix(n, ".") || !utf8.ValidString(n) {
			continue
		}
		dirs = append(dirs, n)
		if index.NormalizeCategory(n) == n {
			claimed[n] = true
		}
	}
	for _, f := range dirs {
		t := index.NormalizeCategory(f)
		if t == f || t == "" {
			continue
		}
		if names[t] && !claimed[t] {
			pl.note("folder %s/ is not renamed to %s/: a file of that name is in the way", f, t)
			continue
		}
		rn := Rename{From: f, To: t, Files: pl.countFiles(pl.s.Dir + "/" + f), Merge: claimed[t]}
		if rn.Merge {
			src, _ := readDir(pl.r, pl.s.Dir+"/"+f)
			dst, _ := readDir(pl.r, pl.s.Dir+"/"+t)
			have := map[string]bool{}
			for _, d := range dst {
				have[d.Name()] = true
			}
			for _, pr := range pl.s.Renames { // earlier merges into the same folder
				if pr.To == t {
					sub, _ := readDir(pl.r, pl.s.Dir+"/"+pr.From)
					for _, d := range sub {
						have[d.Name()] = true
					}
				}
			}
			moving := 0
			for _, d := range src {
				if have[d.Name()] {
					rn.Skip = append(rn.Skip, d.Name())
					pl.skip[f+"/"+d.Name()] = true
					pl.note("%s/%s stays: %s/%s already exists", f, d.Name(), t, d.Name())
				} else {
					moving++
				}
			}
			if moving == 0 {
				continue
			}
		}
		claimed[t] = true
		pl.target[f] = t
		pl.s.Renames = append(pl.s.Renames, rn)
	}
	return nil
}

// countFiles counts the regular files below dir (bounded).
func (pl *planner) countFiles(dir string) int {
	n := 0
	var walk func(d string, depth int)
	walk = func(d string, depth int) {
		ents, _ := readDir(pl.r, d)
		for _, e := range ents {
			switch {
			case e.IsDir() && depth < 16:
				walk(d+"/"+e.Name(), depth+1)
			case e.Type().IsRegular():
				n++
			}
		}
	}
	walk(dir, 0)
	return n
}

// mapPath is where the file at p (relative to negatives/) is after the renames.
func (pl *planner) mapPath(p string) string {
	first, rest, ok := strings.Cut(p, "/")
	if !ok {
		return p
	}
	second, _, _ := strings.Cut(rest, "/")
	if t, renamed := pl.target[first]; renamed && !pl.skip[first+"/"+second] {
		return t + "/" + rest
	}
	return p
}

// isFile reports whether a regular file is at p (relative to negatives/) now.
func (pl *planner) isFile(p string) bool {
	fi, err := pl.r.Lstat(pl.s.Dir + "/" + p)
	return err == nil && fi.Mode().IsRegular()
}

func (pl *planner) note(format string, args ...any) {
	pl.s.Notes = append(pl.s.Notes, fmt.Sprintf(format, args...))
}

// readDir lists dir through the root, sorted by name.
func readDir(r *os.Root, dir string) ([]fs.DirEntry, error) {
	f, err := r.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ents, err := f.ReadDir(-1)
	sort.Slice(ents, func(i, j int) bool { return ents[i].Name() < ents[j].Name() })
	return ents, err
}
