package index

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Bounds of the search for misplaced data outside the standard places.
const (
	// misplacedDepth is how many folders below the root the search goes.
	misplacedDepth = 10
	// misplacedEntries bounds the folder entries the search lists in all.
	misplacedEntries = 1 << 21
)

// looks is what an image folder outside the standard places looks like.
type looks int

const (
	looksNothing looks = iota
	looksNegatives
	looksStego
	looksClean
	// looksSubmission is a folder holding clean/, stego/ or negatives/
	// whose name lacks _submission_.
	looksSubmission
	// looksUnknown is an image folder inside a submission that is none of
	// the three sets.
	looksUnknown
)

func (l looks) String() string {
	return [...]string{"", "negatives", "stego images", "clean images", "a submission", "images"}[l]
}

// survey is what a folder tree holds, counted without opening a file.
type survey struct {
	// images counts files with an image extension, the whole subtree.
	images int
	// direct counts the images directly in the folder.
	direct int
	// manifest is true when the folder holds manifest.jsonl.
	manifest bool
	// sidecars counts the .json files directly in the folder.
	sidecars int
	// standard lists the clean, stego and negatives subfolders.
	standard []string
	// capped is true when a bound stopped the count.
	capped bool
}

// misplacedScan finds image folders outside the standard places.
type misplacedScan struct {
	w       *walker
	entries int
	// year is the year suggested for new submission folders.
	year string
}

var (
	submissionYear = regexp.MustCompile(`_submission_(\d{4})$`)
	// ownerYear splits a folder name such as alpha_2025 or alpha-2025.
	ownerYear = regexp.MustCompile(`^(.+?)[_-]((?:19|20)\d\d)$`)
)

// newMisplacedScan picks the year of new submission folders: the latest
// year among the root's submissions, else the current year.
func newMisplacedScan(w *walker, topNames []string) *misplacedScan {
	best := 0
	for _, n := range topNames {
		if m := submissionYear.FindStringSubmatch(n); m != nil {
			if y, _ := strconv.Atoi(m[1]); y > best {
				best = y
			}
		}
	}
	if best == 0 {
		best = time.Now().Year()
	}
	return &misplacedScan{w: w, year: strconv.Itoa(best)}
}

// list returns the entries of dir sorted, nil when it cannot be listed or
// the entry bound is reached. Folders outside the standard places are not
// the contributors' data, so a folder that cannot be listed is skipped.
func (m *misplacedScan) list(dir string) ([]string, []bool, bool) {
	if m.entries >= misplacedEntries || m.w.ctx.Err() != nil {
		return nil, nil, false
	}
	f, err := m.w.root.Open(dir)
	if err != nil {
		return nil, nil, true
	}
	ents, _ := f.ReadDir(-1)
	f.Close()
	m.entries += len(ents)
	sort.Slice(ents, func(i, j int) bool { return ents[i].Name() < ents[j].Name() })
	var names []string
	var dirs []bool
	for _, e := range ents {
		n := e.Name()
		if strings.HasPrefix(n, ".") || !validName(n) {
			continue
		}
		t := e.Type()
		if !t.IsDir() && !t.IsRegular() {
			continue // symbolic links are not followed; FIFOs are no data
		}
		names = append(names, n)
		dirs = append(dirs, t.IsDir())
	}
	return names, dirs, true
}

// folder is one folder of a surveyed tree.
type folder struct {
	path string
	// s is what the folder and its subtree hold.
	s    survey
	kids []*folder
}

// load lists dir and its subfolders once each (depth folders below the
// root, within the bounds) and counts what they hold.
func (m *misplacedScan) load(dir string, depth int) *folder {
	f := &folder{path: dir}
	names, dirs, ok := m.list(dir)
	if !ok {
		f.s.capped = true
		return f
	}
	for i, n := range names {
		switch {
		case dirs[i]:
			switch n {
			case "clean", "stego", "negatives":
				f.s.standard = append(f.s.standard, n)
			}
			if depth+1 >= misplacedDepth {
				f.s.capped = true
				continue
			}
			k := m.load(dir+"/"+n, depth+1)
			f.kids = append(f.kids, k)
			f.s.images += k.s.images
			f.s.capped = f.s.capped || k.s.capped
		case imageExt(n):
			f.s.images++
			f.s.direct++
		case n == "manifest.jsonl":
			f.s.manifest = true
		case strings.HasSuffix(strings.ToLower(n), ".json"):
			f.s.sidecars++
		}
	}
	return f
}

// survey counts what the tree under dir holds.
func (m *misplacedScan) survey(dir string, depth int) survey {
	return m.load(dir, depth).s
}

// outside searches a top-level folder whose name lacks _submission_.
func (m *misplacedScan) outside(dir string, depth int) {
	m.outsideFolder(m.load(dir, depth), depth)
}

// outsideFolder reports the topmost folders of f's tree that look like a
// set (or a submission), with the images of their whole subtree.
func (m *misplacedScan) outsideFolder(f *folder, depth int) {
	if f.s.images == 0 {
		return
	}
	name := baseName(f.path)
	if depth == 0 && len(f.s.standard) > 0 {
		m.report(f.path, looksSubmission, f.s, "its "+strings.Join(f.s.standard, "/, ")+"/ folders", m.submissionName(name))
		return
	}
	if l, why := classify(name, f.s); l != looksNothing {
		m.report(f.path, l, f.s, why, m.submissionName(strings.SplitN(f.path, "/", 2)[0]))
		return
	}
	for _, k := range f.kids {
		m.outsideFolder(k, depth+1)
	}
}

// inside checks a folder directly in submission sub that is not one of
// clean/, stego/, negatives/ (nor seeds/): the topmost folders of its tree
// that look like a set are reported; when none does, the folder itself is.
func (m *misplacedScan) inside(sub, dir string) {
	f := m.load(dir, 1)
	if f.s.images == 0 {
		return
	}
	if m.insideFolder(sub, f) == 0 {
		m.report(dir, looksUnknown, f.s, "its place", sub)
	}
}

// insideFolder reports the topmost folders of f's tree that look like a
// set and returns how many images they hold.
func (m *misplacedScan) insideFolder(sub string, f *folder) int {
	if f.s.images == 0 {
		return 0
	}
	if l, why := classify(baseName(f.path), f.s); l != looksNothing {
		m.report(f.path, l, f.s, why, sub)
		return f.s.images
	}
	n := 0
	for _, k := range f.kids {
		n += m.insideFolder(sub, k)
	}
	return n
}

// stegoSubfolder reports a folder below stego/: stego images belong
// directly in stego/.
func (m *misplacedScan) stegoSubfolder(sub, dir string) {
	s := m.survey(dir, 2)
	if s.images == 0 {
		return
	}
	count := countText(s)
	cmd := fmt.Sprintf("mv -n %s/* %s/ && rmdir %s", shellQuote(dir), shellQuote(sub+"/stego"), shellQuote(dir))
	if i := strings.LastIndexByte(dir, '/'); i > 0 && dir[:i] != sub+"/stego" {
		cmd += fmt.Sprintf(" && { rmdir -p %s 2>/dev/null || true; }", shellQuote(dir[:i]))
	}
	m.w.problem(warnf(CodeMisplacedFolder, "holds %s in a subfolder of stego/; they are served, but stego images and their sidecars belong directly in stego/ (<payload>_<method>_<NNN>.<ext>); to move them, from the root run: %s", count, cmd), dir)
}

// classify says what an image folder looks like, from its name and then
// its contents, and why.
func classify(name string, s survey) (looks, string) {
	toks := tokens(name)
	has := func(pred func(string) bool) bool {
		for _, t := range toks {
			if pred(t) {
				return true
			}
		}
		return false
	}
	switch {
	case has(func(t string) bool { return t == "neg" || t == "negs" || strings.HasPrefix(t, "negative") }):
		return looksNegatives, "its name"
	case knownCategory(NormalizeCategory(name)):
		return looksNegatives, "its name, a negative category"
	case has(func(t string) bool { return strings.HasPrefix(t, "steg") }):
		return looksStego, "its name"
	case has(func(t string) bool {
		return t == "clean" || t == "cleans" || strings.HasPrefix(t, "cover") || strings.HasPrefix(t, "original")
	}):
		return looksClean, "its name"
	case s.manifest:
		return looksNegatives, "its manifest.jsonl"
	case s.sidecars > 0 && s.direct > 0:
		return looksStego, "its .json sidecars"
	}
	return looksNothing, ""
}

// report records a misplaced folder with the command that moves it into
// submission sub (an existing one, or the name suggested for a new one).
func (m *misplacedScan) report(dir string, l looks, s survey, why, sub string) {
	count := countText(s)
	q := shellQuote
	where := "outside any submission"
	if strings.HasPrefix(dir, sub+"/") {
		where = "in " + sub + " but outside clean/, stego/ and negatives/"
	}
	var cmd string
	run := "to move them into place, from the root run"
	switch l {
	case looksSubmission:
		m.w.problem(warnf(CodeMisplacedFolder, "holds %s and looks like a submission (%s), but only folders named <owner>_submission_<year> are indexed; to rename it, from the root run: mv -n %s %s", count, why, q(dir), q(sub)), dir)
		return
	case looksUnknown:
		m.w.problem(warnf(CodeMisplacedFolder, "holds %s %s, where nothing indexes them; move covers to %s/, stego images with their sidecars to %s/, negatives to %s/<category>/ (for example: mkdir -p %s && mv -n %s/* %s/)",
			count, where, sub+"/clean", sub+"/stego", sub+"/negatives", q(sub+"/clean"), q(dir), q(sub+"/clean")), dir)
		return
	case looksNegatives:
		// Every negative needs a category: a folder named after one is
		// that category; a manifest or category subfolders give theirs
		// under negatives/; loose images need the contributor's choice.
		target := sub + "/negatives"
		switch cat := NormalizeCategory(baseName(dir)); {
		case knownCategory(cat):
			target += "/" + cat
		case s.manifest || s.direct == 0:
		default:
			target += "/" + categoryPlaceholder
			run = fmt.Sprintf("their category cannot be told from the folder: replace %s by one of %s (section 3 of CONTRIBUTING-DATA.md; one folder per category), then from the root run",
				categoryPlaceholder, strings.Join(KnownCategories, ", "))
		}
		cmd = moveCommand(dir, target, sub)
	case looksStego:
		cmd = moveCommand(dir, sub+"/stego", sub)
	case looksClean:
		cmd = moveCommand(dir, sub+"/clean", sub)
	}
	m.w.problem(warnf(CodeMisplacedFolder, "holds %s that look like %s (%s) %s, where nothing indexes them; %s: %s", count, l, why, where, run, cmd), dir)
}

// categoryPlaceholder stands for the category the contributor chooses; the
// shell refuses the command (a syntax error) until it is replaced.
const categoryPlaceholder = "<category>"

// moveCommand is the shell command that moves the contents of dir into
// target (created when missing), never overwriting, then removes dir and
// the folders above it that the move left empty (up to the root, never the
// submission sub).
func moveCommand(dir, target, sub string) string {
	q := shellQuote
	t := q(target)
	if pre, ok := strings.CutSuffix(target, "/"+categoryPlaceholder); ok {
		t = q(pre) + "/" + categoryPlaceholder // left unquoted, so that it cannot run as is
	}
	cmd := fmt.Sprintf("mkdir -p %s && mv -n %s/* %s/ && rmdir %s", t, q(dir), t, q(dir))
	if i := strings.LastIndexByte(dir, '/'); i > 0 && dir[:i] != sub {
		// rmdir -p stops, silently here, at the first folder not empty.
		cmd += fmt.Sprintf(" && { rmdir -p %s 2>/dev/null || true; }", q(dir[:i]))
	}
	return cmd
}

// countText renders the image count of s: "5000 images", "at least 12 images".
func countText(s survey) string {
	n := fmt.Sprintf("%d image", s.images)
	if s.images != 1 {
		n += "s"
	}
	if s.capped {
		n = "at least " + n
	}
	return n
}

// submissionName suggests a submission folder for data found under the
// top-level folder top: <owner>_submission_<year>, the owner taken from
// the folder's name without the words that name a set.
func (m *misplacedScan) submissionName(top string) string {
	if match := ownerYear.FindStringSubmatch(top); match != nil {
		return ownerName(match[1]) + "_submission_" + match[2]
	}
	return ownerName(top) + "_submission_" + m.year
}

// ownerName cleans a folder name into an owner: lower case, letters and
// digits joined by "_", set words dropped; "unsorted" when nothing is left.
func ownerName(s string) string {
	var keep []string
	for _, t := range tokens(s) {
		switch {
		case t == "neg" || t == "negs" || strings.HasPrefix(t, "negative"), strings.HasPrefix(t, "steg"),
			t == "clean", t == "hard", strings.HasPrefix(t, "cover"), t == "images", t == "data", strings.HasPrefix(t, "dataset"):
			continue
		}
		keep = append(keep, t)
	}
	if len(keep) == 0 {
		return "unsorted"
	}
	return strings.Join(keep, "_")
}

// tokens splits a name into lower-case runs of letters and digits.
func tokens(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// shellQuote quotes s for a POSIX shell when it needs quoting.
func shellQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("_./-+:,=@%", r))) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// validName is false for names that are not valid UTF-8 (reported by the
// walk where it matters, skipped here).
func validName(n string) bool {
	return utf8.ValidString(n) && !strings.ContainsRune(n, 0)
}

// Misplaced returns the misplaced-folder problems of the tree at root (the
// image folders outside the standard places, with their image counts and
// the commands that move them), from a walk that opens no file.
func Misplaced(ctx context.Context, root string) ([]Problem, error) {
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	defer r.Close()
	w, err := walkTree(ctx, r, root)
	if err != nil {
		return nil, err
	}
	var out []Problem
	for _, p := range w.probs {
		if p.Code == CodeMisplacedFolder {
			out = append(out, p)
		}
	}
	sortProblems(out)
	return out, nil
}
