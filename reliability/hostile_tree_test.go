package reliability

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/starlight/dataserver/index"
	"github.com/starlight/dataserver/internal/treetest"
	"github.com/starlight/dataserver/payload"
)

// The hostile submissions of the tree.
const (
	hostileSub  = "hostile_submission_2025"
	fifoSub     = "fifo_submission_2025"
	bigManSub   = "bigmanifest_submission_2025"
	badNameSub  = "bad\xff_submission_2025"
	hostileNeg  = hostileSub + "/negatives/special_cases/"
	hostileClip = hostileSub + "/clean/"
)

// Problem codes a truncated image may be rejected with.
var truncCodes = []string{index.CodeTruncated, index.CodeHeader, index.CodeNotImage, index.CodeCorrupt}

// expect is what must become of one hostile file.
type expect struct {
	// group names the hazard ("truncation", "bitflip", "bomb", ...).
	group string
	// reject is true when the file must not be served.
	reject bool
	// codes are the problem codes accepted as the reason when reject is set
	// (any error when empty). The reason may name the file itself or, for a
	// stego image, its sidecar.
	codes []string
}

// lineExpect is a problem that must be reported on one manifest line.
type lineExpect struct {
	path  string
	line  int
	codes []string
}

// hostileTree is the real corpus plus hostile submissions, written into a
// temporary folder.
type hostileTree struct {
	root string
	// exp holds every hostile file by path relative to root (names that are
	// not UTF-8 are keyed by the name the report uses, invalid bytes
	// replaced by U+FFFD).
	exp   map[string]expect
	lines []lineExpect
	// images holds the bytes of the hostile image files written.
	images map[string][]byte
	// good lists the corpus samples served when the corpus is indexed alone.
	good []string
}

func (h *hostileTree) add(t testing.TB, rel string, data []byte, e expect) {
	t.Helper()
	treetest.WriteFile(t, h.root, rel, data)
	h.exp[rel] = e
	h.images[rel] = data
}

// truncSources are corpus files cut at every header byte and at strided
// offsets beyond; the long variant adds more files.
var truncSources = []string{
	"gamma_submission_2025/clean/edge-1-png-small-64.png",
	"gamma_submission_2025/clean/edge-1-png-bilevel.png",
	"gamma_submission_2025/clean/edge-1-jpeg-small-97x61.jpeg",
	"gamma_submission_2025/clean/edge-1-jpeg-progressive.jpg",
	"gamma_submission_2025/clean/edge-1-gif-animated.gif",
	"gamma_submission_2025/clean/edge-1-webp-lossy.webp",
	"gamma_submission_2025/clean/edge-1-webp-lossy-alpha.webp",
	"alpha_submission_2025/clean/clean-0450.webp",
	"gamma_submission_2025/clean/edge-1-bmp-8-palette.bmp",
}

var truncSourcesLong = []string{
	"gamma_submission_2025/clean/edge-1-png-p-trns.png",
	"gamma_submission_2025/clean/edge-1-jpeg-gray.jpg",
	"gamma_submission_2025/clean/edge-1-jpeg-cmyk.jpg",
	"alpha_submission_2025/clean/clean-0410.gif",
	"gamma_submission_2025/clean/edge-1-bmp-24.bmp",
	"gamma_submission_2025/clean/edge-1-png-la.png",
}

// truncOffsets returns the lengths a file of n bytes is cut to: every
// length below header, then strided ones up to n-1, and the last two.
func truncOffsets(n, header, strided int) []int {
	var out []int
	seen := map[int]bool{}
	put := func(k int) {
		if k >= 0 && k < n && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for k := 0; k < min(n, header); k++ {
		put(k)
	}
	if n > header && strided > 0 {
		step := max(1, (n-header)/strided)
		for k := header; k < n; k += step {
			put(k)
		}
	}
	put(n - 1)
	put(n - 2)
	return out
}

// flipSources are corpus images whose single-bit flips are indexed as
// clean images (header and structure checked) and as negatives (decoded,
// five extractors run).
var flipSources = []string{
	"gamma_submission_2025/clean/edge-1-png-small-64.png",
	"gamma_submission_2025/clean/edge-1-png-p-trns.png",
	"gamma_submission_2025/clean/edge-1-jpeg-small-97x61.jpeg",
	"gamma_submission_2025/clean/edge-1-jpeg-progressive.jpg",
	"gamma_submission_2025/clean/edge-1-gif-animated.gif",
	"gamma_submission_2025/clean/edge-1-webp-lossy-alpha.webp",
	"alpha_submission_2025/clean/clean-0450.webp",
	"gamma_submission_2025/clean/edge-1-bmp-8-palette.bmp",
}

// stegoFlipSources are stego images of the pixel techniques whose flips,
// with a copy of the sidecar, are decoded by the payload check.
var stegoFlipSources = []string{
	"alpha_submission_2025/stego/humanity_light_lsb_002.png",
	"alpha_submission_2025/stego/humanity_light_alpha_002.png",
}

// flip returns data with bit b of byte i inverted.
func flip(data []byte, i, b int) []byte {
	out := append([]byte{}, data...)
	out[i] ^= 1 << b
	return out
}

// flipPlaces draws n (offset, bit) pairs: half in the first 256 bytes, half anywhere.
func flipPlaces(r *rand.Rand, size, n int) [][2]int {
	out := make([][2]int, n)
	for i := range out {
		lim := size
		if i%2 == 0 {
			lim = min(size, 256)
		}
		out[i] = [2]int{r.IntN(lim), r.IntN(8)}
	}
	return out
}

// buildHostileTree writes the corpus and the hostile submissions into a
// temporary folder. good is the list of corpus samples served when the
// corpus is indexed alone.
func buildHostileTree(t *testing.T, good []string) *hostileTree {
	t.Helper()
	h := &hostileTree{root: filepath.Join(t.TempDir(), "datasets"), exp: map[string]expect{}, images: map[string][]byte{}, good: good}
	treetest.CopyTo(t, corpusRoot(t), h.root)
	h.addTruncations(t)
	h.addFlips(t)
	h.addBombs(t)
	h.addSpecial(t)
	h.addEXIF(t)
	h.addSidecars(t)
	h.addManifests(t)
	h.addLinksAndFIFOs(t)
	h.addBadNames(t)
	return h
}

func (h *hostileTree) addTruncations(t *testing.T) {
	srcs, header, strided := truncSources, 2048, 256
	if isLong() {
		srcs, header, strided = append(append([]string{}, truncSources...), truncSourcesLong...), 16384, 4096
	}
	for _, src := range srcs {
		data := readCorpus(t, src)
		end, err := payload.End(data)
		if err != nil {
			t.Fatalf("corpus file %s: %v", src, err)
		}
		base, ext := baseName(src)
		for _, k := range truncOffsets(len(data), header, strided) {
			e := expect{group: "truncation"}
			if k < end {
				e.reject, e.codes = true, truncCodes
			}
			h.add(t, fmt.Sprintf("%strunc/%s.%06d%s", hostileClip, base, k, ext), data[:k], e)
		}
	}
}

func (h *hostileTree) addFlips(t *testing.T) {
	n := 40
	if isLong() {
		n = 400
	}
	r := rand.New(rand.NewPCG(7, 11))
	for _, src := range flipSources {
		data := readCorpus(t, src)
		base, ext := baseName(src)
		for _, at := range flipPlaces(r, len(data), n) {
			h.add(t, fmt.Sprintf("%sflip/%s.%06d.%d%s", hostileClip, base, at[0], at[1], ext), flip(data, at[0], at[1]), expect{group: "bitflip"})
		}
		for _, at := range flipPlaces(r, len(data), n/2) {
			h.add(t, fmt.Sprintf("%sflip-%s.%06d.%d%s", hostileNeg, base, at[0], at[1], ext), flip(data, at[0], at[1]), expect{group: "bitflip"})
		}
	}
	for _, src := range stegoFlipSources {
		data := readCorpus(t, src)
		sc := readCorpus(t, src+".json")
		base, ext := baseName(src)
		for _, at := range flipPlaces(r, len(data), n/2) {
			rel := fmt.Sprintf("%s/stego/%s_%06d%d%s", hostileSub, strings.ReplaceAll(base, "_", "-"), at[0], at[1], ext)
			h.add(t, rel, flip(data, at[0], at[1]), expect{group: "bitflip"})
			treetest.WriteFile(t, h.root, rel+".json", sc)
		}
	}
}

func (h *hostileTree) addBombs(t *testing.T) {
	big := []string{index.CodeTooLarge, index.CodeHeader}
	bombs := []struct {
		name string
		data []byte
	}{
		{"png-100000x100000.png", bombPNG(100000, 100000)},
		{"png-30000x30000.png", bombPNG(30000, 30000)},
		{"png-2p31x1.png", bombPNG(1<<31-1, 1)},
		{"png-0x0.png", bombPNG(0, 0)},
		{"gif-screen-65535.gif", gifScreenBomb(65535, 65535)},
		{"gif-frame-65535-in-1x1.gif", gifFrameBomb(65535, 65535)},
		{"webp-vp8x-2p24.webp", webpVP8XBomb()},
		{"webp-vp8-16383.webp", webpVP8Bomb(16383, 16383)},
		{"webp-vp8l-16384.webp", webpVP8LBomb(16384, 16384)},
		{"jpeg-sof-65535.jpg", sofBombJPEG(65535, 65535)},
		{"jpeg-sof-65500x1.jpg", sofBombJPEG(65500, 1)},
		{"bmp-100000.bmp", bmpBomb(100000, -100000, 24)},
		{"bmp-overflow.bmp", bmpBomb(0x40000000, 4, 32)},
		{"bmp-negative-width.bmp", bmpBomb(-5, 5, 24)},
	}
	for _, b := range bombs {
		h.add(t, hostileClip+"bomb/"+b.name, b.data, expect{group: "dimension-bomb", reject: true, codes: big})
	}
	// Within the limits but far larger decoded than on disk: may be served;
	// the memory it takes is measured.
	side := 2048
	if isLong() {
		side = 8192
	}
	h.add(t, fmt.Sprintf("%sbomb/png-deflate-%dx%d.png", hostileNeg, side, side), deflatePNG(side, side), expect{group: "decompression-bomb"})
}

func (h *hostileTree) addSpecial(t *testing.T) {
	side, frames := 1024, 5000
	if isLong() {
		side, frames = 2048, 20000
	}
	// 300 scans is libjpeg-turbo's usual scan limit; 896 is the most a
	// greyscale progression can hold.
	for _, n := range []int{300, maxScans} {
		jpg := manyScanJPEG(side, side, n)
		h.add(t, fmt.Sprintf("%sspecial/progressive-%dscans-%dx%d.jpg", hostileClip, n, side, side), jpg, expect{group: "scan-bomb"})
		h.add(t, fmt.Sprintf("%sprogressive-%dscans-%dx%d.jpg", hostileNeg, n, side, side), jpg, expect{group: "scan-bomb"})
	}
	g := manyFrameGIF(frames)
	h.add(t, fmt.Sprintf("%sspecial/animated-%dframes.gif", hostileClip, frames), g, expect{group: "frame-bomb"})
	h.add(t, fmt.Sprintf("%sanimated-%dframes.gif", hostileNeg, frames), g, expect{group: "frame-bomb"})
}

func (h *hostileTree) addEXIF(t *testing.T) {
	jpg := readCorpus(t, "gamma_submission_2025/clean/edge-1-jpeg-small-97x61.jpeg")
	png := readCorpus(t, "gamma_submission_2025/clean/edge-1-png-small-64.png")
	webp := readCorpus(t, "gamma_submission_2025/clean/edge-1-webp-lossy-alpha.webp")
	for name, ex := range hostileEXIF() {
		h.add(t, hostileNeg+"exif-"+name+".jpg", withAPP1(jpg, ex), expect{group: "exif"})
		h.add(t, hostileNeg+"exif-"+name+".png", withEXIfPNG(png, ex), expect{group: "exif"})
		if w := withEXIFWebP(webp, ex); w != nil {
			h.add(t, hostileNeg+"exif-"+name+".webp", w, expect{group: "exif"})
		} else {
			t.Fatalf("%s is not an extended WebP", "edge-1-webp-lossy-alpha.webp")
		}
	}
}

// sidecarJSON is a valid lsb.rgb sidecar naming cleanFile.
func sidecarJSON(cleanFile string) []byte {
	b, _ := json.Marshal(map[string]any{
		"embedding":  map[string]any{"category": "pixel", "technique": "lsb.rgb", "ai42": false, "bit_order": "msb-first"},
		"clean_file": cleanFile,
	})
	return b
}

func (h *hostileTree) addSidecars(t *testing.T) {
	img := readCorpus(t, "alpha_submission_2025/stego/humanity_light_lsb_002.png")
	stego := hostileSub + "/stego/"
	// Each pair holds its own bytes (one byte appended after IEND): the
	// same bytes under two labels would be a duplicate conflict that also
	// rejects the corpus original.
	n := byte(0)
	unique := func() []byte {
		n++
		return append(append([]byte{}, img...), n)
	}
	pair := func(name string, sidecar []byte, codes ...string) {
		rel := stego + name + ".png"
		h.add(t, rel, unique(), expect{group: "sidecar", reject: true, codes: codes})
		treetest.WriteFile(t, h.root, rel+".json", sidecar)
	}
	// A sparse 64 MiB sidecar: read only up to its bound.
	rel := stego + "giant_lsb_000.png"
	h.add(t, rel, unique(), expect{group: "sidecar", reject: true, codes: []string{index.CodeSidecarTooLarge}})
	sparse(t, filepath.Join(h.root, filepath.FromSlash(rel+".json")), 64<<20)
	pad := bytes.Repeat([]byte(" "), index.MaxSidecarSize)
	pair("padded_lsb_000", append(append([]byte{}, pad...), sidecarJSON("clean-0416.png")...), index.CodeSidecarTooLarge)
	pair("nested_lsb_000", bytes.Repeat([]byte("["), index.MaxSidecarSize-1), index.CodeSidecarJSON)
	pair("dotdot_lsb_000", sidecarJSON("../../../../etc/passwd"), index.CodeCleanFilePath)
	pair("absolute_lsb_000", sidecarJSON("/etc/passwd"), index.CodeCleanFilePath)
	pair("nul_lsb_000", sidecarJSON("clean\x00.png"), index.CodeCleanFilePath)
	pair("notutf8_lsb_000", []byte("{\"embedding\":{\"technique\":\"lsb.rgb\"},\"clean_file\":\"\xff\"}"), index.CodeSidecarJSON)
}

// sparse creates a file of size bytes that holds no data blocks.
func sparse(t testing.TB, p string, size int64) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
}

func (h *hostileTree) addManifests(t *testing.T) {
	neg := readCorpus(t, "alpha_submission_2025/negatives/rgb_no_alpha/rgb_no_alpha_0000.png")
	h.add(t, hostileNeg+"listed-first.png", neg, expect{group: "manifest"})
	h.add(t, hostileNeg+"listed-last.png", zeroTail(neg, 1), expect{group: "manifest"})
	man := hostileSub + "/negatives/manifest.jsonl"
	unified := func(name string) string {
		b, _ := json.Marshal(map[string]any{"filename": name, "category": "special_cases", "method_constraint": "none", "expected_behavior": "clean"})
		return string(b)
	}
	lines := []string{
		unified("listed-first.png"),
		`{"filename": "` + strings.Repeat("x", 10<<20) + `.png", "category": "special_cases"}`,
		`{"method": "special_cases", "label": "clean", "file_path": "../../../../etc/passwd"}`,
		`{"method": "special_cases", "label": "clean", "file_path": "/etc/passwd"}`,
		`{"filename": "../../x.png", "category": "special_cases"}`,
		`{"filename": "x.png", "category": "../.."}`,
		strings.Repeat("[", 60000),
		"{\"filename\": \"\xff\xfe.png\", \"category\": \"special_cases\"}",
		unified("listed-last.png"),
	}
	treetest.WriteFile(t, h.root, man, []byte(strings.Join(lines, "\n")+"\n"))
	h.lines = append(h.lines,
		lineExpect{man, 2, []string{index.CodeManifestLineTooLong}},
		lineExpect{man, 3, []string{index.CodeManifestPath}},
		lineExpect{man, 4, []string{index.CodeManifestPath}},
		lineExpect{man, 5, []string{index.CodeManifestPath}},
		lineExpect{man, 6, []string{index.CodeManifestPath}},
		lineExpect{man, 7, []string{index.CodeManifestJSON}},
		lineExpect{man, 8, []string{index.CodeManifestJSON}},
	)
	// A sparse manifest over the 64 MiB bound, next to one negative.
	big := bigManSub + "/negatives/manifest.jsonl"
	sparse(t, filepath.Join(h.root, filepath.FromSlash(big)), index.MaxManifestSize+(16<<20))
	h.add(t, bigManSub+"/negatives/rgb_no_alpha/n.png", zeroTail(neg, 2), expect{group: "manifest"})
	h.lines = append(h.lines, lineExpect{big, 0, []string{index.CodeManifestTooLarge, index.CodeManifestLineTooLong}})
}

// zeroTail returns data with n NUL bytes appended: new bytes (a distinct
// content id) whose tail carries nothing.
func zeroTail(data []byte, n int) []byte {
	return append(append([]byte{}, data...), make([]byte, n)...)
}

// mkfifo makes a named pipe at root/rel.
func mkfifo(t testing.TB, root, rel string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Fatalf("mkfifo %s: %v", p, err)
	}
}

// symlink makes root/rel a symbolic link to target.
func symlink(t testing.TB, root, rel, target string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, p); err != nil {
		t.Fatal(err)
	}
}

func (h *hostileTree) addLinksAndFIFOs(t *testing.T) {
	img := readCorpus(t, "gamma_submission_2025/clean/edge-1-png-small-64.png")
	outside := filepath.Join(filepath.Dir(h.root), "outside.png")
	if err := os.WriteFile(outside, img, 0o644); err != nil {
		t.Fatal(err)
	}
	links := hostileClip + "links/"
	reject := func(rel string, codes ...string) {
		h.exp[rel] = expect{group: "symlink", reject: true, codes: codes}
	}
	symlink(t, h.root, links+"escape-abs.png", outside)
	reject(links+"escape-abs.png", index.CodeSymlinkEscape)
	symlink(t, h.root, links+"escape-rel.png", "../../../../outside.png")
	reject(links+"escape-rel.png", index.CodeSymlinkEscape)
	symlink(t, h.root, links+"etc-passwd.png", "/etc/passwd")
	reject(links+"etc-passwd.png", index.CodeSymlinkEscape)
	symlink(t, h.root, links+"loop-a.png", "loop-b.png")
	symlink(t, h.root, links+"loop-b.png", "loop-a.png")
	symlink(t, h.root, links+"self.png", "self.png")
	for _, l := range []string{"loop-a.png", "loop-b.png", "self.png"} {
		reject(links+l, index.CodeSymlinkLoop)
	}
	symlink(t, h.root, links+"dangling.png", "nothing-here.png")
	reject(links+"dangling.png", index.CodeSymlinkDangling)
	symlink(t, h.root, links+"folder.png", "../trunc")
	reject(links+"folder.png", index.CodeSymlinkDir)
	symlink(t, h.root, links+"in-root.png", "../../../gamma_submission_2025/clean/edge-1-png-small-64.png")
	h.exp[links+"in-root.png"] = expect{group: "symlink"}
	// A submission that is a link, and a sample folder that is one.
	symlink(t, h.root, "linked_submission_2025", "alpha_submission_2025")
	reject("linked_submission_2025", index.CodeSymlinkDir)
	symlink(t, h.root, "linkpart_submission_2025/clean", "../alpha_submission_2025/clean")
	reject("linkpart_submission_2025/clean", index.CodeSymlinkDir)

	fifo := expect{group: "fifo", reject: true, codes: []string{index.CodeNotRegular}}
	for _, rel := range []string{hostileClip + "fifo.png", hostileNeg + "fifo.png", hostileClip + "fifo.jpg"} {
		mkfifo(t, h.root, rel)
		h.exp[rel] = fifo
	}
	// A FIFO as a sidecar, and one as a manifest.
	stego := readCorpus(t, "alpha_submission_2025/stego/humanity_light_lsb_002.png")
	h.add(t, hostileSub+"/stego/fifo_lsb_000.png", append(stego, 0xFF), expect{group: "fifo", reject: true, codes: []string{index.CodeNotRegular, index.CodeSidecarMissing}})
	mkfifo(t, h.root, hostileSub+"/stego/fifo_lsb_000.png.json")
	mkfifo(t, h.root, fifoSub+"/negatives/manifest.jsonl")
	h.lines = append(h.lines, lineExpect{fifoSub + "/negatives/manifest.jsonl", 0, []string{index.CodeNotRegular}})
	neg := readCorpus(t, "alpha_submission_2025/negatives/rgb_no_alpha/rgb_no_alpha_0001.png")
	h.add(t, fifoSub+"/negatives/rgb_no_alpha/n.png", zeroTail(neg, 3), expect{group: "fifo"})
	// A unix socket named as an image.
	sock := filepath.Join(h.root, filepath.FromSlash(hostileClip+"socket.png"))
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		t.Fatalf("unix socket %s: %v", sock, err)
	}
	l.SetUnlinkOnClose(false)
	l.Close()
	h.exp[hostileClip+"socket.png"] = fifo
}

func (h *hostileTree) addBadNames(t *testing.T) {
	img := readCorpus(t, "gamma_submission_2025/clean/edge-1-png-small-64.png")
	bad := expect{group: "name-not-utf8", reject: true, codes: []string{index.CodeNameNotUTF8}}
	for _, rel := range []string{
		hostileClip + "bad\xff.png",
		hostileNeg + "\xfe\xfe.png",
		hostileClip + "dir\xff/inside.png",
		badNameSub + "/clean/a.png",
	} {
		treetest.WriteFile(t, h.root, rel, flip(img, len(img)-30, 3))
		key := strings.ToValidUTF8(rel, "\uFFFD")
		if strings.Contains(rel, "dir\xff/") {
			key = strings.ToValidUTF8(hostileClip+"dir\xff", "\uFFFD")
		}
		if strings.HasPrefix(rel, badNameSub) {
			key = strings.ToValidUTF8(badNameSub, "\uFFFD")
		}
		h.exp[key] = bad
	}
}
