package index

import (
	"context"
	"errors"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// baseTree writes a small valid submission: two clean covers, one stego
// image with its sidecar, and a negative.
func baseTree(t *testing.T) *tree {
	tr := newTree(t)
	tr.write("a_submission_2025/clean/c1.png", encPNG(t, opaque(picture(1, 48, 40))))
	tr.write("a_submission_2025/clean/c2.png", encPNG(t, opaque(picture(2, 40, 48))))
	tr.write("a_submission_2025/stego/s_lsb_000.png", lsbPNG(t, 1, "msb-first"))
	tr.json("a_submission_2025/stego/s_lsb_000.png.json", sidecarObj("lsb.rgb", "msb-first", "c1.png"))
	tr.write("a_submission_2025/negatives/rgb_no_alpha/n0.png", encPNG(t, opaque(picture(3, 32, 32))))
	return tr
}

// checkRest asserts the valid part of baseTree is still indexed and served:
// no hazard stops the scan.
func checkRest(t *testing.T, s *Snapshot) {
	t.Helper()
	for _, p := range []string{"a_submission_2025/clean/c1.png", "a_submission_2025/stego/s_lsb_000.png", "a_submission_2025/negatives/rgb_no_alpha/n0.png"} {
		if !accepted(t, s, p) {
			t.Errorf("%s not served next to the hazard:\n%s", p, dump(s))
		}
	}
}

func TestBaseTreeClean(t *testing.T) {
	s := baseTree(t).build(Options{})
	if len(s.Problems) != 0 {
		t.Fatalf("problems in a valid tree:\n%s", dump(s))
	}
	checkRest(t, s)
}

func TestHostileUnreadableFile(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root: permission bits do not stop root; TestHostileUnreadableInjected covers the path")
	}
	tr := baseTree(t)
	tr.write("a_submission_2025/clean/locked.png", encPNG(t, picture(4, 8, 8)))
	if err := os.Chmod(tr.path("a_submission_2025/clean/locked.png"), 0); err != nil {
		t.Fatal(err)
	}
	s := tr.build(Options{})
	requireProblem(t, s, CodeUnreadable, "a_submission_2025/clean/locked.png", 0)
	if accepted(t, s, "a_submission_2025/clean/locked.png") {
		t.Error("unreadable file served")
	}
	checkRest(t, s)
}

// TestHostileUnreadableInjected makes the open of one file fail with
// EACCES (as a real permission denial does for a non-root server).
func TestHostileUnreadableInjected(t *testing.T) {
	tr := baseTree(t)
	tr.write("a_submission_2025/clean/locked.png", encPNG(t, picture(4, 8, 8)))
	tr.write("a_submission_2025/stego/s_lsb_001.png", lsbPNG(t, 2, "lsb-first"))
	tr.json("a_submission_2025/stego/s_lsb_001.png.json", sidecarObj("lsb.rgb", "lsb-first", "c2.png"))
	openHook = func(open func(string) (*os.File, error)) func(string) (*os.File, error) {
		return func(n string) (*os.File, error) {
			if strings.HasSuffix(n, "locked.png") || strings.HasSuffix(n, "s_lsb_001.png.json") {
				return nil, &fs.PathError{Op: "open", Path: n, Err: syscall.EACCES}
			}
			return open(n)
		}
	}
	defer func() { openHook = nil }()
	s := tr.build(Options{})
	p := requireProblem(t, s, CodeUnreadable, "a_submission_2025/clean/locked.png", 0)
	if !strings.Contains(p.Message, "permission denied") {
		t.Errorf("message %q does not give the reason", p.Message)
	}
	if accepted(t, s, "a_submission_2025/clean/locked.png") {
		t.Error("unreadable file served")
	}
	requireProblem(t, s, CodeUnreadable, "a_submission_2025/stego/s_lsb_001.png.json", 0)
	if accepted(t, s, "a_submission_2025/stego/s_lsb_001.png") {
		t.Error("stego with an unreadable sidecar served")
	}
	checkRest(t, s)
}

func TestHostileTruncated(t *testing.T) {
	tr := baseTree(t)
	png := encPNG(t, opaque(picture(5, 64, 64)))
	jpg := encJPEG(t, picture(5, 64, 64))
	gif := encGIF(t, picture(5, 64, 64))
	bmp := encBMP(t, picture(5, 64, 64))
	tr.write("a_submission_2025/clean/half.png", png[:len(png)/2])
	tr.write("a_submission_2025/clean/noeoi.jpg", jpg[:len(jpg)-2])
	tr.write("a_submission_2025/clean/cut.gif", gif[:len(gif)-10])
	tr.write("a_submission_2025/clean/cut.bmp", bmp[:len(bmp)-100])
	tr.write("a_submission_2025/clean/header-only.png", png[:20])
	tr.write("a_submission_2025/negatives/rgb_no_alpha/half.png", png[:len(png)*3/4])
	s := tr.build(Options{})
	for _, p := range []string{"clean/half.png", "clean/noeoi.jpg", "clean/cut.gif", "clean/cut.bmp", "negatives/rgb_no_alpha/half.png"} {
		p = "a_submission_2025/" + p
		requireProblem(t, s, CodeTruncated, p, 0)
		if accepted(t, s, p) {
			t.Errorf("truncated %s served", p)
		}
	}
	requireProblem(t, s, CodeHeader, "a_submission_2025/clean/header-only.png", 0)
	checkRest(t, s)
}

// bombPNG is a complete, tiny PNG whose IHDR declares w x h.
func bombPNG(w, h uint32) []byte {
	b := []byte("\x89PNG\r\n\x1a\n")
	b = pngChunk(b, "IHDR", []byte{byte(w >> 24), byte(w >> 16), byte(w >> 8), byte(w), byte(h >> 24), byte(h >> 16), byte(h >> 8), byte(h), 8, 2, 0, 0, 0})
	b = pngChunk(b, "IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	return pngChunk(b, "IEND", nil)
}

func pngChunk(b []byte, typ string, data []byte) []byte {
	n := len(data)
	b = append(b, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	start := len(b)
	b = append(append(b, typ...), data...)
	crc := crc32.ChecksumIEEE(b[start:])
	return append(b, byte(crc>>24), byte(crc>>16), byte(crc>>8), byte(crc))
}

// bombGIF is a complete GIF whose screen is 65535 x 65535 with one 1x1 frame.
func bombGIF() []byte {
	b := []byte("GIF89a\xff\xff\xff\xff\x00\x00\x00")
	b = append(b, 0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0) // image descriptor, 1x1
	b = append(b, 2, 2, 0x44, 0x01, 0)             // LZW code size 2, one sub-block
	return append(b, 0x3B)
}

func TestHostileDimensionBomb(t *testing.T) {
	tr := baseTree(t)
	tr.write("a_submission_2025/clean/bomb.png", bombPNG(100000, 100000))
	tr.write("a_submission_2025/negatives/rgb_no_alpha/bomb.png", bombPNG(30000, 30000))
	tr.write("a_submission_2025/clean/bomb.gif", bombGIF())
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := tr.build(Options{})
	runtime.ReadMemStats(&after)
	for _, p := range []string{"clean/bomb.png", "negatives/rgb_no_alpha/bomb.png", "clean/bomb.gif"} {
		p = "a_submission_2025/" + p
		requireProblem(t, s, CodeTooLarge, p, 0)
		if accepted(t, s, p) {
			t.Errorf("bomb %s served", p)
		}
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
		t.Errorf("indexing three bombs allocated %d MiB: the header check came after an allocation", grew>>20)
	}
	checkRest(t, s)
}

func TestHostileHugeSidecar(t *testing.T) {
	tr := baseTree(t)
	tr.write("a_submission_2025/stego/s_lsb_001.png", lsbPNG(t, 2, "msb-first"))
	big := `{"embedding": {"technique": "lsb.rgb", "pad": "` + strings.Repeat("x", MaxSidecarSize) + `"}}`
	tr.write("a_submission_2025/stego/s_lsb_001.png.json", []byte(big))
	s := tr.build(Options{})
	p := requireProblem(t, s, CodeSidecarTooLarge, "a_submission_2025/stego/s_lsb_001.png.json", 0)
	if !strings.Contains(p.Message, "exceeds") {
		t.Errorf("message %q", p.Message)
	}
	if accepted(t, s, "a_submission_2025/stego/s_lsb_001.png") {
		t.Error("stego with an oversized sidecar served")
	}
	checkRest(t, s)
}

func TestHostileHugeManifestLine(t *testing.T) {
	tr := baseTree(t)
	tr.write("a_submission_2025/negatives/rgb_no_alpha/n1.png", encPNG(t, opaque(picture(6, 32, 32))))
	long := `{"filename": "n1.png", "category": "rgb_no_alpha", "pad": "` + strings.Repeat("y", 2*MaxManifestLine) + `"}`
	tr.lines("a_submission_2025/negatives/manifest.jsonl",
		map[string]any{"filename": "n0.png", "category": "rgb_no_alpha", "expected_behavior": "clean"},
		long,
		map[string]any{"filename": "n1.png", "category": "rgb_no_alpha", "expected_behavior": "clean"},
	)
	s := tr.build(Options{})
	p := requireProblem(t, s, CodeManifestLineTooLong, "a_submission_2025/negatives/manifest.jsonl", 2)
	if !strings.Contains(p.Message, "exceeds") {
		t.Errorf("message %q", p.Message)
	}
	// Line 3 is still read: n1 is listed, not unlisted.
	if hasProblem(s, CodeManifestUnlisted, "a_submission_2025/negatives/rgb_no_alpha/n1.png", 0) {
		t.Errorf("the line after the long one was not read:\n%s", dump(s))
	}
	checkRest(t, s)
}

func TestHostileManifestPaths(t *testing.T) {
	tr := baseTree(t)
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret.png"), encPNG(t, picture(7, 8, 8)), 0o644); err != nil {
		t.Fatal(err)
	}
	m := "a_submission_2025/negatives/manifest.jsonl"
	tr.lines(m,
		map[string]any{"method": "rgb_no_alpha", "label": "clean", "file_path": "rgb_no_alpha/n0.png"},
		map[string]any{"method": "rgb_no_alpha", "label": "clean", "file_path": "../../a_submission_2025/clean/c1.png"},
		map[string]any{"method": "rgb_no_alpha", "label": "clean", "file_path": filepath.Join(outside, "secret.png")},
		map[string]any{"filename": "../../clean/c1.png", "category": "rgb_no_alpha"},
		map[string]any{"filename": "x.png", "category": ".."},
		map[string]any{"filename": "x.png", "category": "/etc"},
	)
	s := tr.build(Options{})
	for line := 2; line <= 6; line++ {
		requireProblem(t, s, CodeManifestPath, m, line)
	}
	for _, x := range s.Samples {
		if x.Kind == KindNegative && x.Path != "a_submission_2025/negatives/rgb_no_alpha/n0.png" {
			t.Errorf("a manifest path made %s a negative", x.Path)
		}
	}
	checkRest(t, s)
}

func TestHostileCleanFilePath(t *testing.T) {
	tr := baseTree(t)
	for i, cf := range []string{"../../a_submission_2025/clean/c1.png", "/etc/passwd", "sub/../../c1.png"} {
		name := "a_submission_2025/stego/s_lsb_00" + string(rune('1'+i)) + ".png"
		tr.write(name, lsbPNG(t, uint64(10+i), "msb-first"))
		tr.json(name+".json", sidecarObj("lsb.rgb", "msb-first", cf))
		s := tr.build(Options{})
		requireProblem(t, s, CodeCleanFilePath, name+".json", 0)
		if x, _ := s.Sample(name); x.Accepted || x.CoverPath != "" {
			t.Errorf("clean_file %q: accepted %v, cover %q", cf, x.Accepted, x.CoverPath)
		}
	}
	checkRest(t, tr.build(Options{}))
}

func TestHostileSymlinkOutOfRoot(t *testing.T) {
	tr := baseTree(t)
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.png")
	if err := os.WriteFile(secret, encPNG(t, picture(8, 8, 8)), 0o644); err != nil {
		t.Fatal(err)
	}
	links := map[string]string{
		"a_submission_2025/clean/abs.png":                secret,
		"a_submission_2025/clean/rel.png":                "../../../" + filepath.Base(outside) + "/secret.png",
		"a_submission_2025/stego/s_lsb_000.json":         secret,
		"a_submission_2025/negatives/rgb_no_alpha/l.png": "../../../../etc/hostname",
	}
	for l, target := range links {
		if err := os.Symlink(target, tr.path(l)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(outside, tr.path("z_submission_2025")); err != nil {
		t.Fatal(err)
	}
	s := tr.build(Options{})
	for l := range links {
		requireProblem(t, s, CodeSymlinkEscape, l, 0)
		if _, ok := s.Sample(l); ok {
			t.Errorf("symlink out of the root %s became a sample", l)
		}
	}
	requireProblem(t, s, CodeSymlinkDir, "z_submission_2025", 0)
	for _, x := range s.Samples {
		if strings.HasPrefix(x.Path, "z_") {
			t.Errorf("followed a symlinked submission: %s", x.Path)
		}
	}
	checkRest(t, s)
}

func TestHostileSymlinkInsideRoot(t *testing.T) {
	tr := baseTree(t)
	if err := os.Symlink("c1.png", tr.path("a_submission_2025/clean/alias.png")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("missing.png", tr.path("a_submission_2025/clean/dangling.png")); err != nil {
		t.Fatal(err)
	}
	s := tr.build(Options{})
	alias, ok := s.Sample("a_submission_2025/clean/alias.png")
	c1, _ := s.Sample("a_submission_2025/clean/c1.png")
	if !ok || !alias.Accepted || alias.ID != c1.ID {
		t.Errorf("in-root symlink not followed: %+v", alias)
	}
	requireProblem(t, s, CodeSymlinkDangling, "a_submission_2025/clean/dangling.png", 0)
	checkRest(t, s)
}

func TestHostileSymlinkLoop(t *testing.T) {
	tr := baseTree(t)
	dir := tr.path("a_submission_2025/clean")
	for l, target := range map[string]string{"self.png": "self.png", "a.png": "b.png", "b.png": "a.png"} {
		if err := os.Symlink(target, filepath.Join(dir, l)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(".", filepath.Join(dir, "again")); err != nil { // a folder loop
		t.Fatal(err)
	}
	s := tr.build(Options{})
	for _, l := range []string{"self.png", "a.png", "b.png"} {
		requireProblem(t, s, CodeSymlinkLoop, "a_submission_2025/clean/"+l, 0)
	}
	requireProblem(t, s, CodeSymlinkDir, "a_submission_2025/clean/again", 0)
	checkRest(t, s)
}

func TestHostileNonUTF8Names(t *testing.T) {
	tr := baseTree(t)
	bad := "a_submission_2025/clean/bad\xff\xfe.png"
	tr.write(bad, encPNG(t, picture(9, 8, 8)))
	tr.write("a_submission_2025/negatives/cat\xc3/n.png", encPNG(t, picture(9, 8, 8)))
	s := tr.build(Options{})
	var n int
	for _, p := range s.Problems {
		if p.Code == CodeNameNotUTF8 {
			n++
			if !strings.Contains(p.Message, `\xff`) && !strings.Contains(p.Message, `\xc3`) {
				t.Errorf("message %q does not show the bad bytes", p.Message)
			}
		}
	}
	if n != 2 {
		t.Errorf("%d name-not-utf8 problems, want 2:\n%s", n, dump(s))
	}
	for _, x := range s.Samples {
		if strings.Contains(x.Path, "bad") || strings.Contains(x.Path, "cat") {
			t.Errorf("sample with a non-UTF-8 name: %q", x.Path)
		}
	}
	checkRest(t, s)
}

func TestHostileFIFO(t *testing.T) {
	tr := baseTree(t)
	for _, p := range []string{"a_submission_2025/clean/pipe.png", "a_submission_2025/stego/s_lsb_000.json", "a_submission_2025/negatives/manifest.jsonl"} {
		if err := syscall.Mkfifo(tr.path(p), 0o644); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
	}
	done := make(chan *Snapshot, 1)
	go func() {
		s, err := Build(context.Background(), tr.root, Options{})
		if err != nil {
			t.Error(err)
		}
		done <- s
	}()
	var s *Snapshot
	select {
	case s = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("Build blocked on a FIFO")
	}
	for _, p := range []string{"a_submission_2025/clean/pipe.png", "a_submission_2025/stego/s_lsb_000.json", "a_submission_2025/negatives/manifest.jsonl"} {
		requireProblem(t, s, CodeNotRegular, p, 0)
		if _, ok := s.Sample(p); ok {
			t.Errorf("FIFO %s became a sample", p)
		}
	}
	checkRest(t, s)
}

func TestHostileFileTooLarge(t *testing.T) {
	tr := baseTree(t)
	big := append(encPNG(t, picture(11, 8, 8)), make([]byte, 4096)...)
	tr.write("a_submission_2025/clean/big.png", big)
	s := tr.build(Options{MaxFileSize: 2048})
	requireProblem(t, s, CodeFileTooLarge, "a_submission_2025/clean/big.png", 0)
	if x, ok := s.Sample("a_submission_2025/clean/big.png"); !ok || x.Accepted || x.ID == "" {
		t.Errorf("oversized file: %+v (want a rejected sample with a content id)", x)
	}
}

func TestBuildFailsOnlyForRootOrContext(t *testing.T) {
	if _, err := Build(context.Background(), filepath.Join(t.TempDir(), "missing"), Options{}); err == nil {
		t.Error("missing root: no error")
	}
	tr := baseTree(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Build(ctx, tr.root, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	_, err := Build(ctx, tr.root, Options{Workers: 1, Progress: func(done, total int) {
		calls++
		if done == 2 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("context cancelled mid-scan: %v", err)
	}
}

func TestHiddenFilesIgnored(t *testing.T) {
	tr := baseTree(t)
	tr.write("a_submission_2025/clean/.DS_Store", []byte("junk"))
	tr.write("a_submission_2025/clean/._c1.png", []byte("AppleDouble"))
	tr.write("a_submission_2025/clean/.ipynb_checkpoints/c1-checkpoint.png", encPNG(t, opaque(picture(1, 48, 40))))
	s := tr.build(Options{})
	if len(s.Problems) != 0 || len(s.Samples) != 4 {
		t.Errorf("hidden files indexed: %d samples\n%s", len(s.Samples), dump(s))
	}
}
