package index

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/starlight/dataserver/codec"
)

// assembler turns the walk and the per-file results into a snapshot:
// labels, pairs, manifests, duplicates, acceptance.
type assembler struct {
	w        *walker
	results  []*fileResult
	sidecars map[string]*fileResult
	probs    []Problem
	reject   map[string]bool
	samples  []Sample
	byPath   map[string]int
	// headerOK marks samples whose header and structure were read.
	headerOK map[string]bool
	// splits assigns the samples to splits.
	splits SplitConfig
}

func newAssembler(w *walker, results []*fileResult, sidecars map[string]*fileResult) *assembler {
	return &assembler{w: w, results: results, sidecars: sidecars, reject: map[string]bool{}, byPath: map[string]int{}, headerOK: map[string]bool{}}
}

// add records a problem; an error also keeps sample (when set) from being served.
func (a *assembler) add(p Problem, sample string) {
	a.probs = append(a.probs, p)
	if sample != "" && p.Severity == SeverityError {
		a.reject[sample] = true
	}
}

func (a *assembler) addAt(p Problem, at string, line int, sample string) {
	p.Path, p.Line = at, line
	a.add(p, sample)
}

func (a *assembler) assemble() *Snapshot {
	a.probs = append(a.probs, a.w.probs...)
	files := map[string]*fileResult{}
	for i, e := range a.w.entries {
		r := a.results[i]
		if r == nil {
			continue
		}
		files[e.path] = r
		sample := ""
		if e.role == roleImage && r.image {
			sample = e.path
			a.byPath[e.path] = len(a.samples)
			a.samples = append(a.samples, Sample{
				ID: r.id, Path: e.path, Submission: e.submission, Kind: e.kind,
				Class: ClassNone, BitOrder: BitOrderNone,
				Format: r.cfg.Format, Mode: r.cfg.Mode, Width: r.cfg.Width, Height: r.cfg.Height,
				Size: r.size, ModTime: e.mtime,
			})
			a.headerOK[e.path] = r.headerOK
		}
		for _, p := range r.probs {
			a.add(p, sample)
		}
	}
	a.labelStego()
	a.labelNegatives()
	dups := a.duplicates()
	for i := range a.samples {
		a.samples[i].Accepted = !a.reject[a.samples[i].Path]
	}
	a.balance()
	a.coversServed()
	sort.Slice(a.samples, func(i, j int) bool { return a.samples[i].Path < a.samples[j].Path })
	a.probs = append(a.probs, splitProblems(a.samples, a.splits)...)
	sortProblems(a.probs)
	return &Snapshot{ID: snapshotID(a.samples, a.splits), Samples: a.samples, Problems: a.probs, Duplicates: dups, Splits: a.splits, files: files}
}

// labelStego pairs each stego image with its sidecar and cover.
func (a *assembler) labelStego() {
	claims := map[string][]int{}
	for i, s := range a.samples {
		if s.Kind != KindStego {
			continue
		}
		p := sidecarFor(s.Path, a.sidecars)
		if p == "" {
			a.addAt(errorf(CodeSidecarMissing, "no sidecar (%s.json or %s.json)", baseName(s.Path), baseName(strings.TrimSuffix(s.Path, extOf(s.Path)))), s.Path, 0, s.Path)
			continue
		}
		claims[p] = append(claims[p], i)
	}
	for p, r := range a.sidecars {
		idx := claims[p]
		switch {
		case len(idx) == 0:
			a.addAt(warnf(CodeSidecarOrphan, "no stego image for this sidecar"), p, 0, "")
			continue
		case len(idx) > 1:
			var names []string
			for _, i := range idx {
				names = append(names, baseName(a.samples[i].Path))
			}
			for _, i := range idx {
				a.addAt(errorf(CodeSidecarAmbiguous, "sidecar %s would label %s; name it <image>.json", baseName(p), strings.Join(names, " and ")), a.samples[i].Path, 0, a.samples[i].Path)
			}
			continue
		}
		s := &a.samples[idx[0]]
		for _, pr := range r.probs {
			if pr.Severity == SeverityError {
				a.reject[s.Path] = true
			}
		}
		if !r.sidecarOK {
			continue
		}
		sc := r.sidecar
		s.Technique, s.Class, s.BitOrder, s.AI42 = sc.Technique, int(sc.Method), sc.BitOrder, sc.AI42
		if a.headerOK[s.Path] {
			if why := labelMismatch(codec.Config{Format: s.Format, Mode: s.Mode}, sc.Method); why != "" {
				a.addAt(errorf(CodeLabelMismatch, "%s (sidecar %s)", why, baseName(p)), s.Path, 0, s.Path)
			}
		}
		if sc.CleanFile != "" {
			cp := s.Submission + "/clean/" + sc.CleanFile
			if j, ok := a.byPath[cp]; ok {
				s.CoverPath, s.CoverID = cp, a.samples[j].ID
			} else {
				a.addAt(warnf(CodeCoverMissing, "clean_file %q is not in %s/clean", sc.CleanFile, s.Submission), p, 0, "")
			}
		}
	}
}

// coversServed warns about stego samples whose cover is not served.
func (a *assembler) coversServed() {
	for _, s := range a.samples {
		if s.CoverPath == "" {
			continue
		}
		if c := a.samples[a.byPath[s.CoverPath]]; !c.Accepted {
			a.addAt(warnf(CodeCoverRejected, "cover %s is not served (see its problems)", s.CoverPath), s.Path, 0, "")
		}
	}
}

// duplicates groups samples by content id: different labels on the same
// bytes are errors; the same label returns the group.
func (a *assembler) duplicates() [][]string {
	groups := map[string][]int{}
	for i, s := range a.samples {
		if s.ID != "" {
			groups[s.ID] = append(groups[s.ID], i)
		}
	}
	var dups [][]string
	for _, idx := range groups {
		if len(idx) < 2 {
			continue
		}
		labels := map[string]bool{}
		var paths []string
		for _, i := range idx {
			labels[labelKey(a.samples[i])] = true
			paths = append(paths, a.samples[i].Path)
		}
		sort.Strings(paths)
		if len(labels) == 1 {
			dups = append(dups, paths)
			continue
		}
		for _, i := range idx {
			s := a.samples[i]
			var others []string
			for _, j := range idx {
				if j != i {
					others = append(others, fmt.Sprintf("%s (%s)", a.samples[j].Path, labelKey(a.samples[j])))
				}
			}
			a.addAt(errorf(CodeDuplicateConflict, "same bytes labelled %s here and %s", labelKey(s), strings.Join(others, ", ")), s.Path, 0, s.Path)
		}
	}
	sort.Slice(dups, func(i, j int) bool { return dups[i][0] < dups[j][0] })
	return dups
}

// labelKey is the training label of a sample: clean (clean and negatives) or stego/<technique>.
func labelKey(s Sample) string {
	if s.Kind == KindStego {
		if s.Technique == "" {
			return "stego"
		}
		return "stego/" + s.Technique
	}
	return "clean"
}

// balance warns when a submission has stego images of a format none of its
// clean images or negatives has: a detector could learn the format.
func (a *assembler) balance() {
	type counts struct{ clean, stego map[codec.Format]int }
	subs := map[string]*counts{}
	for _, s := range a.samples {
		if !s.Accepted || s.Format == "" {
			continue
		}
		c := subs[s.Submission]
		if c == nil {
			c = &counts{map[codec.Format]int{}, map[codec.Format]int{}}
			subs[s.Submission] = c
		}
		if s.Kind == KindStego {
			c.stego[s.Format]++
		} else {
			c.clean[s.Format]++
		}
	}
	for sub, c := range subs {
		for f, n := range c.stego {
			if c.clean[f] == 0 {
				a.addAt(warnf(CodeFormatImbalance, "%d stego image(s) in %s but no clean image or negative in that format: a detector can learn the format instead of the payload", n, f), sub, 0, "")
			}
		}
	}
}

// sortProblems orders problems by path, line, code, message.
func sortProblems(ps []Problem) {
	slices.SortFunc(ps, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Code, b.Code), cmp.Compare(a.Message, b.Message))
	})
}

func baseName(p string) string {
	return p[strings.LastIndexByte(p, '/')+1:]
}

func extOf(p string) string {
	b := baseName(p)
	if i := strings.LastIndexByte(b, '.'); i > 0 {
		return b[i:]
	}
	return ""
}
