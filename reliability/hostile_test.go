package reliability

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path"
	"runtime"
	"runtime/metrics"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/extract"
	"github.com/starlight/dataserver/index"
	"github.com/starlight/dataserver/payload"
)

// Bounds the hostile corpus must stay under.
const (
	// fileCPUBound is the CPU time one file may take to classify (header,
	// structure, decode, streams, the five extractors). It only catches
	// hangs; the measured figures are far below it.
	fileCPUBound = 2 * time.Second
	// bombAllocBound is the most a decoder may allocate while refusing a
	// dimension bomb: limits are checked before any large allocation.
	bombAllocBound = 1 << 20
)

// buildHeapBound is the bound on the live heap during index.Build over the
// hostile tree, and validateRSSBound the bound on the peak RSS of
// `dataserver validate` over it. The long variant holds an 8192x8192
// decompression bomb among the negatives (192 MiB of RGB once decoded).
func buildHeapBound() uint64 {
	if isLong() {
		return 1 << 30
	}
	return 256 << 20
}

func validateRSSBound() uint64 {
	if isLong() {
		return 1536 << 20
	}
	return 384 << 20
}

// servedPaths indexes root and returns its accepted sample paths.
func servedPaths(t *testing.T, root string) []string {
	t.Helper()
	s, err := index.Build(context.Background(), root, index.Options{})
	if err != nil {
		t.Fatalf("indexing %s: %v", root, err)
	}
	var out []string
	for _, x := range s.Served() {
		out = append(out, x.Path)
	}
	return out
}

// TestHostileCorpus indexes the real corpus next to several thousand
// hostile files and checks that the index finishes, every hostile file is
// named with a reason or served, every good file is served, no panic
// escapes, and memory and CPU time stay bounded.
func TestHostileCorpus(t *testing.T) {
	good := servedPaths(t, corpusRoot(t))
	if len(good) == 0 {
		t.Fatal("the corpus alone serves nothing")
	}
	h := buildHostileTree(t, good)
	t.Logf("hostile tree: %d hostile files (%d images) next to %d good corpus samples", len(h.exp), len(h.images), len(good))

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	heap := watchHeap()
	cpu0, wall0 := processCPU(), time.Now()
	snap, err := index.Build(ctx, h.root, index.Options{})
	cpu, wall := processCPU()-cpu0, time.Since(wall0)
	peak, base := heap.Stop()
	if err != nil {
		t.Fatalf("index.Build over the hostile tree failed: %v", err)
	}
	runtime.GC()
	retained := heapNow() - base
	runtime.KeepAlive(snap)
	files := len(h.exp) + len(good)
	t.Logf("FIGURE hostile index: %d files in %s wall, %s CPU (%s CPU a file on average), peak live heap %s above a base of %s (bound %s)",
		files, wall.Round(time.Millisecond), cpu.Round(time.Millisecond), (cpu / time.Duration(files)).Round(time.Microsecond),
		mib(peak-base), mib(base), mib(buildHeapBound()))
	t.Logf("FIGURE hostile index: the snapshot retains %s after a GC (%.1f KiB a file)", mib(retained), float64(retained)/1024/float64(files))
	t.Logf("FIGURE hostile index: %d samples, %d served, %d problems (%d errors); by code: %s",
		len(snap.Samples), len(snap.Served()), len(snap.Problems), snap.Errors(), codeCounts(snap.Problems))
	if peak-base > buildHeapBound() {
		t.Errorf("live heap rose by %s during the build, over the %s bound", mib(peak-base), mib(buildHeapBound()))
	}

	t.Run("classified", func(t *testing.T) { checkClassified(t, h, snap) })
	t.Run("good-served", func(t *testing.T) { checkGoodServed(t, h, snap) })
	t.Run("per-file-cpu", func(t *testing.T) { measurePerFile(t, h) })
	t.Run("served-extract", func(t *testing.T) { checkServedExtract(t, h, snap) })
	t.Run("validate-process", func(t *testing.T) { validateProcess(t, h, snap) })
}

// codeCounts renders the number of problems of each code.
func codeCounts(probs []index.Problem) string {
	n := map[string]int{}
	for _, p := range probs {
		n[p.Code]++
	}
	keys := make([]string, 0, len(n))
	for k := range n {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%d ", k, n[k])
	}
	return strings.TrimSpace(b.String())
}

// sidecarPaths are the paths whose problems may explain why stego image p
// is not served.
func sidecarPaths(p string) []string {
	return []string{p + ".json", strings.TrimSuffix(p, path.Ext(p)) + ".json"}
}

// checkClassified checks every hostile file's fate and every manifest line
// expectation, and that no panic was caught.
func checkClassified(t *testing.T, h *hostileTree, snap *index.Snapshot) {
	byPath := map[string][]index.Problem{}
	for _, p := range snap.Problems {
		byPath[p.Path] = append(byPath[p.Path], p)
		if p.Code == index.CodeInternal {
			t.Errorf("a panic or internal error was caught: %s", p)
		}
	}
	reasons := func(p string) []index.Problem {
		out := append([]index.Problem{}, byPath[p]...)
		for _, s := range sidecarPaths(p) {
			out = append(out, byPath[s]...)
		}
		return out
	}
	hasCode := func(ps []index.Problem, codes []string, errorsOnly bool) bool {
		for _, p := range ps {
			if errorsOnly && p.Severity != index.SeverityError {
				continue
			}
			if len(codes) == 0 {
				return true
			}
			for _, c := range codes {
				if p.Code == c {
					return true
				}
			}
		}
		return false
	}
	groups := map[string][3]int{} // served, rejected, not a sample
	paths := make([]string, 0, len(h.exp))
	for p := range h.exp {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		e := h.exp[p]
		s, isSample := snap.Sample(p)
		g := groups[e.group]
		switch {
		case isSample && s.Accepted:
			g[0]++
			if e.reject {
				t.Errorf("%s (%s) is served; it must be rejected with one of %v; problems: %v", p, e.group, e.codes, reasons(p))
			}
		case isSample:
			g[1]++
			if !e.reject && e.group != "truncation" && e.group != "bitflip" {
				t.Logf("%s (%s) not served: %v", p, e.group, reasons(p))
			}
			if !hasCode(reasons(p), nil, true) {
				t.Errorf("%s (%s) is not served and no error names it or its sidecar; problems: %v", p, e.group, reasons(p))
			} else if e.reject && !hasCode(reasons(p), e.codes, false) {
				t.Errorf("%s (%s) is rejected for %v, want one of %v", p, e.group, reasons(p), e.codes)
			}
		default:
			g[2]++
			if !hasCode(byPath[p], e.codes, false) {
				t.Errorf("%s (%s) is not a sample and no problem with one of %v names it; problems: %v", p, e.group, e.codes, byPath[p])
			}
		}
		groups[e.group] = g
	}
	for _, l := range h.lines {
		found := false
		for _, p := range byPath[l.path] {
			if (l.line == 0 || p.Line == l.line) && hasCode([]index.Problem{p}, l.codes, false) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s line %d: no problem with one of %v; problems of the file: %v", l.path, l.line, l.codes, byPath[l.path])
		}
	}
	// Every sample of the tree not served has an error naming it.
	for _, s := range snap.Samples {
		if !s.Accepted && !hasCode(reasons(s.Path), nil, true) && !negativeLabelled(snap, s.Path) {
			t.Errorf("%s is not served and no error names it", s.Path)
		}
	}
	names := make([]string, 0, len(groups))
	for g := range groups {
		names = append(names, g)
	}
	sort.Strings(names)
	for _, g := range names {
		c := groups[g]
		t.Logf("FIGURE group %-19s served %4d, rejected with a reason %4d, reported and not a sample %3d", g, c[0], c[1], c[2])
	}
}

// negativeLabelled reports whether a manifest problem names sample p in its message.
func negativeLabelled(snap *index.Snapshot, p string) bool {
	for _, x := range snap.Problems {
		if x.Code == index.CodeNegativeLabel && strings.Contains(x.Message, path.Base(p)) {
			return true
		}
	}
	return false
}

// checkGoodServed checks that the corpus samples served alone are still
// served next to the hostile files.
func checkGoodServed(t *testing.T, h *hostileTree, snap *index.Snapshot) {
	missing := 0
	for _, p := range h.good {
		if s, ok := snap.Sample(p); !ok || !s.Accepted {
			missing++
			t.Errorf("good corpus sample %s is not served next to the hostile files", p)
		}
	}
	t.Logf("FIGURE good corpus samples served: %d of %d", len(h.good)-missing, len(h.good))
}

// allocated returns the bytes allocated on the heap since the program started.
func allocated() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// classify runs everything the index and the feed do with one image's
// bytes: header, structure, full decode, the six streams, the five
// extractors. A panic is returned as an error naming it.
func classify(data []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("PANIC escaped: %v", r)
		}
	}()
	opts := extract.Options{}
	if _, err := extract.DecodeConfig(data, opts); err != nil {
		return err
	}
	payload.End(data)
	img, err := extract.Decode(data, opts)
	if err != nil {
		return err
	}
	extract.FromImage(data, img)
	payload.Detect(data, img)
	return nil
}

// measurePerFile classifies every hostile image in process, one at a time
// on a locked thread, and measures the CPU time and the bytes allocated.
func measurePerFile(t *testing.T, h *hostileTree) {
	byGroup := map[string]*durations{}
	allocMax := map[string]uint64{}
	all := &durations{}
	paths := make([]string, 0, len(h.images))
	for p := range h.images {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		data, e := h.images[p], h.exp[p]
		var err error
		a0 := allocated()
		d := cpuOf(func() { err = classify(data) })
		a := allocated() - a0
		if err != nil && strings.HasPrefix(err.Error(), "PANIC") {
			t.Errorf("%s: %v", p, err)
		}
		if d > fileCPUBound {
			t.Errorf("%s (%s) took %s of CPU to classify, over the %s bound", p, e.group, d, fileCPUBound)
		}
		if e.group == "dimension-bomb" && e.reject {
			if err == nil {
				t.Errorf("%s decodes; want a too-large or header error", p)
			} else if !errors.Is(err, codec.ErrTooLarge) && !errors.Is(err, codec.ErrFormat) {
				t.Errorf("%s: error %v wraps neither ErrTooLarge nor ErrFormat", p, err)
			}
			if a > bombAllocBound {
				t.Errorf("%s: %s allocated while refusing a dimension bomb (bound %s)", p, mib(a), mib(bombAllocBound))
			}
		}
		if byGroup[e.group] == nil {
			byGroup[e.group] = &durations{}
		}
		byGroup[e.group].add(path.Base(p), d)
		all.add(path.Base(p), d)
		allocMax[e.group] = max(allocMax[e.group], a)
	}
	groups := make([]string, 0, len(byGroup))
	for g := range byGroup {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	t.Logf("FIGURE per-file CPU, all %d images: %s (bound %s)", len(paths), all, fileCPUBound)
	for _, g := range groups {
		t.Logf("FIGURE per-file CPU %-19s %s; most allocated by one file %s", g, byGroup[g], mib(allocMax[g]))
	}
}

// checkServedExtract extracts every served sample of the hostile tree, as
// the feed will when a batch draws it: a served sample that cannot be
// extracted fails every stream that draws it.
func checkServedExtract(t *testing.T, h *hostileTree, snap *index.Snapshot) {
	var failed []string
	served := 0
	kinds := map[string]int{}
	for _, s := range snap.Served() {
		data, ok := h.images[s.Path]
		if !ok {
			continue
		}
		served++
		if err := classify(data); err != nil {
			failed = append(failed, fmt.Sprintf("%s (%s): %v", s.Path, h.exp[s.Path].group, err))
			kinds[fmt.Sprintf("%s %s %s", h.exp[s.Path].group, s.Kind, s.Format)]++
			if testing.Verbose() {
				t.Logf("served, fails extraction: %s: %v", s.Path, err)
			}
		}
	}
	t.Logf("FIGURE served hostile samples that fail extraction: %d of %d served; by group, kind and format: %v", len(failed), served, kinds)
	if len(failed) > 0 {
		show := failed
		if len(show) > 15 {
			show = show[:15]
		}
		t.Errorf("%d served samples cannot be extracted (each ends every stream that draws it with FAILED_PRECONDITION); first ones:\n  %s",
			len(failed), strings.Join(show, "\n  "))
	}
}

// validateProcess runs `dataserver validate --json` over the hostile tree
// and measures its peak RSS and CPU time.
func validateProcess(t *testing.T, h *hostileTree, snap *index.Snapshot) {
	needBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, "validate", "--root", h.root, "--json")
	var out strings.Builder
	cmd.Stdout = &out
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("dataserver validate: %v", err)
	}
	if cmd.ProcessState.ExitCode() != 1 {
		t.Errorf("dataserver validate exited %d over a tree with errors, want 1", cmd.ProcessState.ExitCode())
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if ru == nil {
		t.Fatal("no rusage for the child")
	}
	rss := uint64(ru.Maxrss) << 10
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	t.Logf("FIGURE dataserver validate over the hostile tree: peak RSS %s (bound %s), %s CPU, %s wall, GOMAXPROCS %d here",
		mib(rss), mib(validateRSSBound()), cpu.Round(time.Millisecond), wall.Round(time.Millisecond), runtime.GOMAXPROCS(0))
	if rss > validateRSSBound() && !raceEnabled {
		t.Errorf("peak RSS %s over the %s bound", mib(rss), mib(validateRSSBound()))
	}
	if want := fmt.Sprintf(`"errors": %d,`, snap.Errors()); !strings.Contains(out.String(), want) {
		t.Errorf("validate's report does not hold %s as the in-process index does", want)
	}
}
