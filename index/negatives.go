package index

import (
	"fmt"
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
		legacy := 0
		for k := range a.results[i].manifest {
			if a.results[i].manifest[k].Schema == SchemaLegacy {
				legacy++
			}
		}
		if legacy > 0 {
			a.addAt(warnf(CodeLegacyLayout, "%s of %d in the legacy schema (file_path, method, label); they are read, but %s rewrites the manifest in the unified schema",
				plural(legacy, "line"), len(a.results[i].manifest), migrateCommand), e.path, 0, "")
		}
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
	// An unknown category is reported once, at its first negative, with the
	// number of negatives that have it.
	type unknownCat struct {
		first, cat string
		n          int
	}
	unknown := map[string]*unknownCat{}
	var unknownOrder []string
	oldFolders := map[string]bool{}
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
		if now, old := oldCategory(folder); old && !oldFolders[s.Submission+"/"+folder] {
			oldFolders[s.Submission+"/"+folder] = true
			a.addAt(warnf(CodeLegacyLayout, "old category folder name %q; its negatives are served as %q, but %s renames the folder (and the manifest's categories)",
				folder, now, migrateCommand), s.Submission+"/negatives/"+folder, 0, "")
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
		case !knownCategory(s.Category):
			key := s.Submission + "\x00" + s.Category
			if unknown[key] == nil {
				unknown[key] = &unknownCat{first: s.Path, cat: s.Category}
				unknownOrder = append(unknownOrder, key)
			}
			unknown[key].n++
		}
	}
	for _, key := range unknownOrder {
		u := unknown[key]
		a.addAt(warnf(CodeCategoryUnknown, "category %q (%s in this submission) is not one of %s", u.cat, plural(u.n, "negative"), strings.Join(sortedCopy(KnownCategories), ", ")), u.first, 0, "")
	}
}

// migrateCommand is the command that upgrades a legacy layout.
const migrateCommand = "dataserver migrate --root <datasets folder> (a dry run; add --write to apply, see CONTRIBUTING-DATA.md section 6)"

// plural writes n and noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func sortedCopy(s []string) []string {
	c := append([]string(nil), s...)
	sort.Strings(c)
	return c
}
