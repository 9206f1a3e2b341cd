package index

import (
	"sort"
	"strings"
)

// manifestOf is one submission's parsed manifest.
type manifestOf struct {
	path    string
	entries map[string]*ManifestEntry // by path relative to negatives/
}

// labelNegatives gives each negative its category and constraint from its
// submission's manifest (or its folder), and checks the manifest against
// the files.
func (a *assembler) labelNegatives() {
	manifests := map[string]*manifestOf{}
	for i, e := range a.w.entries {
		if e.role != roleManifest || a.results[i] == nil {
			continue
		}
		m := &manifestOf{path: e.path, entries: map[string]*ManifestEntry{}}
		manifests[e.submission] = m
		base := e.submission + "/negatives/"
		for k := range a.results[i].manifest {
			me := &a.results[i].manifest[k]
			rel := ""
			for _, cand := range me.Paths {
				if a.w.seen[base+cand] {
					rel = cand
					break
				}
			}
			if rel == "" {
				a.addAt(errorf(CodeManifestMissingFile, "names %s, which is not in %snegatives", strings.Join(me.Paths, " or "), e.submission+"/"), e.path, me.Line, "")
				continue
			}
			if first, dup := m.entries[rel]; dup {
				a.addAt(warnf(CodeManifestDuplicate, "names %s again (first on line %d); this line is ignored", rel, first.Line), e.path, me.Line, "")
				continue
			}
			m.entries[rel] = me
		}
	}
	unknown := map[string]bool{}
	for i := range a.samples {
		s := &a.samples[i]
		if s.Kind != KindNegative {
			continue
		}
		rel := strings.TrimPrefix(s.Path, s.Submission+"/negatives/")
		folder := ""
		if j := strings.IndexByte(rel, '/'); j >= 0 {
			folder = rel[:j]
		}
		m := manifests[s.Submission]
		var me *ManifestEntry
		if m != nil {
			me = m.entries[rel]
			if me == nil {
				a.addAt(warnf(CodeManifestUnlisted, "not listed in %s; category taken from its folder", m.path), s.Path, 0, "")
			}
		}
		if me == nil {
			s.Category = NormalizeCategory(folder)
		} else {
			s.Category, s.MethodConstraint = me.Category, me.MethodConstraint
			if me.LabelInvalid != "" {
				a.addAt(errorf(CodeNegativeLabel, "declares label %q for %s; a negative is always clean (%s)", me.Label, rel, me.LabelInvalid), m.path, me.Line, s.Path)
			}
			if folder != "" && NormalizeCategory(folder) != me.Category {
				a.addAt(warnf(CodeCategoryMismatch, "category %q for %s, which lies in folder %q", me.Category, rel, folder), m.path, me.Line, "")
			}
			if me.FormatType != "" && a.headerOK[s.Path] && me.FormatType != string(s.Mode) {
				a.addAt(warnf(CodeFormatTypeMismatch, "format_type %q for %s, whose mode is %s", me.FormatType, rel, s.Mode), m.path, me.Line, "")
			}
		}
		switch {
		case s.Category == "":
			a.addAt(errorf(CodeNegativeUncategorized, "negative outside a category folder and not in a manifest"), s.Path, 0, s.Path)
		case !knownCategory(s.Category) && !unknown[s.Submission+"\x00"+s.Category]:
			unknown[s.Submission+"\x00"+s.Category] = true
			a.addAt(warnf(CodeCategoryUnknown, "category %q is not one of %s", s.Category, strings.Join(sortedCopy(KnownCategories), ", ")), s.Path, 0, "")
		}
	}
}

func sortedCopy(s []string) []string {
	c := append([]string(nil), s...)
	sort.Strings(c)
	return c
}
