package migrate

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/starlight/dataserver/extract"
	"github.com/starlight/dataserver/index"
)

// maxHeaderRead bounds the bytes read from an image to learn its mode.
const maxHeaderRead = 64 << 20

// defaultConstraint is the method_constraint a migrated line gets when
// the legacy line has none, per category (as the unified corpus writes them).
var defaultConstraint = map[string]string{
	"rgb_no_alpha":        "alpha_detection_should_fail",
	"uniform_alpha":       "alpha_detection_should_fail",
	"natural_noise":       "palette_detection_should_fail",
	"repetitive_patterns": "lsb_detection_should_fail",
}

// planManifest maps every line of negatives/manifest.jsonl to the unified
// schema and plans the moves that put each file at <category>/<filename>.
func (pl *planner) planManifest() error {
	mp := pl.s.Dir + "/manifest.jsonl"
	fi, err := pl.r.Lstat(mp)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("migrate: %s: %w", mp, err)
	case !fi.Mode().IsRegular():
		pl.note("manifest.jsonl is not a regular file; not migrated")
		return nil
	case fi.Size() > index.MaxManifestSize:
		pl.note("manifest.jsonl of %d bytes exceeds the %d byte bound; not migrated", fi.Size(), index.MaxManifestSize)
		return nil
	}
	f, err := pl.r.Open(mp)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	old, err := io.ReadAll(io.LimitReader(f, index.MaxManifestSize+1))
	f.Close()
	if err != nil {
		return fmt.Errorf("migrate: reading %s: %w", mp, err)
	}
	if len(old) > index.MaxManifestSize {
		pl.note("manifest.jsonl grew past the %d byte bound while being read; not migrated", index.MaxManifestSize)
		return nil
	}
	rw := &Rewrite{Path: mp, Old: old, mode: fi.Mode().Perm()}
	var out [][]byte
	// notes are the report lines of the manifest, in line order; a dropped
	// line's note is finished once it is known whether the manifest is rewritten.
	type lineNote struct {
		text string
		drop bool
	}
	var notes []lineNote
	drop := func(n int, format string, args ...any) {
		rw.Dropped++
		notes = append(notes, lineNote{fmt.Sprintf("line %d: %s", n, fmt.Sprintf(format, args...)), true})
	}
	for i, raw := range bytes.Split(old, []byte("\n")) {
		if err := pl.ctx.Err(); err != nil {
			return err
		}
		n := i + 1
		text := bytes.TrimSpace(raw)
		if len(text) == 0 {
			continue
		}
		rw.Lines++
		if len(text) > index.MaxManifestLine {
			drop(n, "line of %d bytes exceeds the %d byte bound", len(text), index.MaxManifestLine)
			continue
		}
		e, probs, perr := index.ParseManifestLine(text)
		if perr != nil {
			drop(n, "%s", lastError(probs, perr))
			continue
		}
		if e.Category == "" {
			drop(n, "no category: no method and no folder in file_path %q", e.Paths[0])
			continue
		}
		base := path.Base(e.Paths[0])
		target := e.Category + "/" + base
		if first, dup := pl.taken[target]; dup {
			drop(n, "names %s again (first on line %d)", target, first)
			continue
		}
		loc, pre := pl.locate(e, base)
		switch {
		case loc == "":
			notes = append(notes, lineNote{fmt.Sprintf("line %d: %s is not in %s/; entry kept (validate reports it as manifest-missing-file)", n, strings.Join(e.Paths, " or "), pl.s.Dir), false})
		case loc != target && pl.willExistAt(target):
			drop(n, "%s cannot move to %s: a file is already there", loc, target)
			continue
		case loc != target:
			pl.s.Moves = append(pl.s.Moves, Move{From: loc, To: target, Line: n})
		}
		pl.taken[target] = n
		switch {
		case e.Schema == index.SchemaLegacy:
			line, err := unifiedFromLegacy(text, e, base, n, pl.mode(pre))
			if err != nil {
				drop(n, "%v", err)
				delete(pl.taken, target)
				continue
			}
			out = append(out, line)
			rw.Legacy++
		default:
			kvs, err := orderedObject(text)
			if err != nil {
				drop(n, "%v", err)
				delete(pl.taken, target)
				continue
			}
			if cat, _ := stringValue(kvs, "category"); cat != e.Category {
				line := emitObject(setValue(kvs, "category", jsonText(e.Category)))
				if _, probs, err := index.ParseManifestLine(line); err != nil {
					drop(n, "category %q cannot be renamed to %q: %s", cat, e.Category, lastError(probs, err))
					delete(pl.taken, target)
					continue
				}
				out = append(out, line)
				rw.Renamed++
			} else {
				out = append(out, text)
				rw.Kept++
			}
		}
	}
	rewrite := rw.Legacy+rw.Renamed > 0
	for _, nt := range notes {
		switch {
		case !nt.drop:
			pl.note("%s", nt.text)
		case rewrite:
			pl.note("%s; not carried over (the old manifest is in the backup)", nt.text)
		default:
			pl.note("%s; left as it is (validate reports it)", nt.text)
		}
	}
	if !rewrite {
		rw.Dropped = 0
		return nil
	}
	rw.New = []byte{}
	if len(out) > 0 {
		rw.New = append(bytes.Join(out, []byte("\n")), '\n')
	}
	pl.s.Manifest = rw
	return nil
}

// locate finds where the file a manifest entry names will be once the
// folders are renamed: loc relative to negatives/ after, pre before ("" when
// the file is nowhere).
func (pl *planner) locate(e index.ManifestEntry, base string) (loc, pre string) {
	var cands []string
	for _, c := range e.Paths {
		cands = append(cands, pl.mapPath(c))
	}
	for _, c := range e.Paths {
		if first, rest, ok := strings.Cut(c, "/"); ok {
			cands = append(cands, index.NormalizeCategory(first)+"/"+rest)
		}
	}
	cands = append(cands, e.Category+"/"+base)
	for _, c := range cands {
		if p, ok := pl.where(c); ok {
			return c, p
		}
	}
	return "", ""
}

// where returns the path, now, of the file that will be at post after the
// renames.
func (pl *planner) where(post string) (string, bool) {
	first, rest, ok := strings.Cut(post, "/")
	if _, renamedAway := pl.target[first]; !renamedAway && pl.isFile(post) {
		return post, true
	}
	if !ok {
		return "", false
	}
	second, _, _ := strings.Cut(rest, "/")
	for f, t := range pl.target {
		if t == first && !pl.skip[f+"/"+second] && pl.isFile(f+"/"+rest) {
			return f + "/" + rest, true
		}
	}
	return "", false
}

// willExistAt reports whether a file will be at post after the renames and
// the moves planned so far.
func (pl *planner) willExistAt(post string) bool {
	if _, ok := pl.where(post); ok {
		return true
	}
	for _, m := range pl.s.Moves {
		if m.To == post {
			return true
		}
	}
	return false
}

// mode returns the Pillow mode of the image at pre (relative to
// negatives/), "" when its header cannot be read.
func (pl *planner) mode(pre string) string {
	if pre == "" {
		return ""
	}
	f, err := pl.r.Open(pl.s.Dir + "/" + pre)
	if err != nil {
		return ""
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxHeaderRead))
	if err != nil {
		return ""
	}
	cfg, err := extract.DecodeConfig(data, extract.Options{})
	if err != nil {
		return ""
	}
	return string(cfg.Mode)
}

// lastError is the message of the fatal problem of a line.
func lastError(probs []index.Problem, err error) string {
	for i := len(probs) - 1; i >= 0; i-- {
		if probs[i].Severity == index.SeverityError {
			return probs[i].Code + ": " + probs[i].Message
		}
	}
	return err.Error()
}

// unifiedFromLegacy writes the unified line of a legacy one: label becomes
// expected_behavior, constraint method_constraint, file_path category and
// filename; the rest gets defaults, and the whole legacy line is kept under
// metadata.legacy.
func unifiedFromLegacy(text []byte, e index.ManifestEntry, base string, line int, mode string) ([]byte, error) {
	orig, err := orderedObject(text)
	if err != nil {
		return nil, err
	}
	constraint := e.MethodConstraint
	if constraint == "" {
		constraint = defaultConstraint[e.Category]
	}
	label := e.Label
	if label == "" && e.LabelInvalid == "" { // absent or null: clean
		label = "clean"
	}
	out := []kv{
		{"filename", jsonText(base)},
		{"category", jsonText(e.Category)},
	}
	if constraint != "" {
		out = append(out, kv{"method_constraint", jsonText(constraint)})
	}
	out = append(out, kv{"expected_behavior", jsonText(label)})
	if mode != "" {
		out = append(out, kv{"format_type", jsonText(mode)})
	}
	out = append(out,
		kv{"generation_method", jsonText("unknown")},
		kv{"validation_status", jsonText("unverified")},
		kv{"metadata", emitObject([]kv{
			{"original_source", jsonText("unknown")},
			{"generation_params", []byte("{}")},
			{"extraction_results", []byte("[]")},
			{"legacy_line", []byte(fmt.Sprint(line))},
			{"legacy", emitObject(orig)},
		})},
	)
	unified := emitObject(out)
	if _, probs, err := index.ParseManifestLine(unified); err != nil {
		return nil, fmt.Errorf("cannot be written in the unified schema: %s", lastError(probs, err))
	}
	return unified, nil
}
