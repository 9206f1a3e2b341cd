package demo

import (
	"bytes"
	"encoding/json"
	"image"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// readTree returns every file under dir by slash path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		data, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func writeTree(t *testing.T, dir string, seed uint64) (Summary, map[string][]byte) {
	t.Helper()
	sum, err := Write(dir, Options{Seed: seed})
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	return sum, readTree(t, dir)
}

// The tree of seed 7, written once for the tests that only read it
// (writing is slow under the race detector).
var shared struct {
	once    sync.Once
	dir     string
	sum     Summary
	files   map[string][]byte
	decoded sync.Map // path -> decodedImage
}

type decodedImage struct {
	img image.Image
	err error
}

// decodeShared decodes a file of the shared tree once.
func decodeShared(p string, data []byte) (image.Image, error) {
	if v, ok := shared.decoded.Load(p); ok {
		d := v.(decodedImage)
		return d.img, d.err
	}
	img, _, err := decodeImage(data)
	shared.decoded.Store(p, decodedImage{img, err})
	return img, err
}

func sharedTree(t *testing.T) (string, Summary, map[string][]byte) {
	t.Helper()
	shared.once.Do(func() {
		dir, err := os.MkdirTemp("", "demo-test-")
		if err != nil {
			t.Fatal(err)
		}
		shared.dir = filepath.Join(dir, "datasets")
		shared.sum, shared.files = writeTree(t, shared.dir, 7)
	})
	if shared.files == nil {
		t.Fatal("the shared tree could not be written")
	}
	return shared.dir, shared.sum, shared.files
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.dir != "" {
		os.RemoveAll(filepath.Dir(shared.dir))
	}
	os.Exit(code)
}

var (
	submissionRe = regexp.MustCompile(`^[a-z]+_submission_[0-9]{4}$`)
	stegoNameRe  = regexp.MustCompile(`^(.+)_(alpha|lsb|palette|exif|eoi)_([0-9]{3})\.(png|jpg|gif|bmp)$`)
	imageExtRe   = regexp.MustCompile(`\.(png|jpg|gif|bmp)$`)
)

// TestTreeHoldsEveryTechniqueWithReadablePayloads reads the written tree back
// as an indexer would and recovers every payload with independent decoders.
func TestTreeHoldsEveryTechniqueWithReadablePayloads(t *testing.T) {
	_, sum, files := sharedTree(t)
	kinds := map[string]int{}
	techniques := map[string]int{}
	namings := map[string]int{}
	stegoFormats := map[string]bool{}
	for p, data := range files {
		parts := strings.Split(p, "/")
		if !submissionRe.MatchString(parts[0]) {
			t.Errorf("%s: top folder is not <owner>_submission_<year>", p)
		}
		if len(parts) == 3 && parts[1] == "clean" {
			kinds["clean"]++
			if _, err := decodeShared(p, data); err != nil {
				t.Errorf("%s: clean cover does not decode: %v", p, err)
			}
		}
		if len(parts) != 3 || parts[1] != "stego" || !imageExtRe.MatchString(p) {
			continue
		}
		kinds["stego"]++
		m := stegoNameRe.FindStringSubmatch(parts[2])
		if m == nil {
			t.Errorf("%s: not named <payload>_<method>_<NNN>.<ext>", p)
			continue
		}
		stegoFormats[m[4]] = true
		side, naming := findSidecar(t, files, p)
		if side == nil {
			continue
		}
		namings[naming]++
		techniques[side.technique]++
		seed, ok := files[path.Join(parts[0], "seeds", m[1]+".md")]
		if !ok {
			t.Errorf("%s: no seeds/%s.md", p, m[1])
			continue
		}
		text := strings.TrimSuffix(string(seed), "\n")
		cover, ok := files[path.Join(parts[0], "clean", side.cleanFile)]
		if !ok {
			t.Errorf("%s: clean_file %q not in clean/", p, side.cleanFile)
			continue
		}
		checkPayload(t, p, data, path.Join(parts[0], "clean", side.cleanFile), cover, side, text)
	}
	for _, tech := range []string{"alpha", "palette", "lsb.rgb", "exif", "raw"} {
		if techniques[tech] == 0 {
			t.Errorf("no stego image uses %s", tech)
		}
		if techniques[tech] != sum.Techniques[tech] {
			t.Errorf("%s: found %d, summary says %d", tech, techniques[tech], sum.Techniques[tech])
		}
	}
	for _, f := range []string{"png", "jpg", "gif", "bmp"} {
		if !stegoFormats[f] {
			t.Errorf("no stego image in .%s", f)
		}
	}
	if namings["<name>.<ext>.json"] == 0 || namings["<stem>.json"] == 0 {
		t.Errorf("sidecar namings %v: want both", namings)
	}
	if !maps.Equal(namings, sum.Sidecars) {
		t.Errorf("sidecars found %v, summary %v", namings, sum.Sidecars)
	}
	kinds["negative"] = checkNegatives(t, files, sum)
	if !maps.Equal(kinds, sum.Kinds) {
		t.Errorf("kinds found %v, summary %v", kinds, sum.Kinds)
	}
	if total := kinds["clean"] + kinds["stego"] + kinds["negative"]; total != sum.Images || total < 60 || total > 120 {
		t.Errorf("%d images found, summary %d, want 60..120", total, sum.Images)
	}
}

// sidecarInfo is what a test reads from a sidecar.
type sidecarInfo struct {
	technique, order, cleanFile string
}

// findSidecar finds the one sidecar of a stego file, in either naming, and
// checks it has exactly the reference shape.
func findSidecar(t *testing.T, files map[string][]byte, p string) (*sidecarInfo, string) {
	t.Helper()
	long, short := p+".json", strings.TrimSuffix(p, path.Ext(p))+".json"
	a, okA := files[long]
	b, okB := files[short]
	if okA == okB {
		t.Errorf("%s: want exactly one of %s and %s", p, path.Base(long), path.Base(short))
		return nil, ""
	}
	data, naming := a, "<name>.<ext>.json"
	if okB {
		data, naming = b, "<stem>.json"
	}
	var raw map[string]json.RawMessage
	var emb map[string]any
	if err := json.Unmarshal(data, &raw); err != nil || json.Unmarshal(raw["embedding"], &emb) != nil {
		t.Errorf("%s: sidecar is not the expected JSON: %v", p, err)
		return nil, ""
	}
	if keys := slices.Sorted(maps.Keys(raw)); !slices.Equal(keys, []string{"clean_file", "embedding"}) {
		t.Errorf("%s: sidecar keys %v", p, keys)
	}
	info := &sidecarInfo{}
	json.Unmarshal(raw["clean_file"], &info.cleanFile)
	info.technique, _ = emb["technique"].(string)
	info.order, _ = emb["bit_order"].(string)
	wantCategory := map[string]string{"alpha": "pixel", "palette": "pixel", "lsb.rgb": "pixel", "exif": "metadata", "raw": "eoi"}[info.technique]
	if emb["category"] != wantCategory || emb["ai42"] != (info.technique == "alpha") {
		t.Errorf("%s: embedding %v", p, emb)
	}
	_, hasOrder := emb["bit_order"]
	if pixel := wantCategory == "pixel"; hasOrder != pixel || len(emb) != 3+btoi(pixel) {
		t.Errorf("%s: embedding fields %v", p, emb)
	}
	if info.technique == "alpha" && info.order != lsbFirst {
		t.Errorf("%s: alpha with bit order %q", p, info.order)
	}
	return info, naming
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// checkPayload recovers the payload of one stego file and compares the file
// with its cover: pixel methods change only LSBs, the others add bytes only.
func checkPayload(t *testing.T, p string, data []byte, coverPath string, cover []byte, side *sidecarInfo, text string) {
	t.Helper()
	img, err := decodeShared(p, data)
	if err != nil {
		t.Errorf("%s: does not decode: %v", p, err)
		return
	}
	var got []byte
	var want string
	switch side.technique {
	case "alpha":
		want = ai42 + text + "\x00"
		got = pack(alphaBits(img), lsbFirst)
	case "lsb.rgb":
		if _, isRGB := img.(*image.RGBA); !isRGB {
			t.Errorf("%s: lsb.rgb image decodes as %T, want an RGB image", p, img)
		}
		want = text + "\x00"
		got = pack(rgbBits(img), side.order)
	case "palette":
		want = text + "\x00"
		got = pack(indexBits(img), side.order)
	case "exif":
		want = "ASCII\x00\x00\x00" + text
		var rest []byte
		got, rest, err = exifPayload(data)
		if err != nil {
			t.Errorf("%s: %v", p, err)
		}
		if !bytes.Equal(rest, cover) {
			t.Errorf("%s: without its EXIF block the file is not its cover", p)
		}
	case "raw":
		want = text
		end, err := imageEnd(data)
		if err != nil || end != len(cover) {
			t.Errorf("%s: image ends at %d (%v), cover has %d bytes", p, end, err, len(cover))
			return
		}
		if !bytes.Equal(data[:end], cover) {
			t.Errorf("%s: bytes before the end of image are not the cover", p)
		}
		got = data[end:]
	}
	if !bytes.HasPrefix(got, []byte(want)) || (side.technique != "alpha" && side.technique != "lsb.rgb" && side.technique != "palette" && len(got) != len(want)) {
		t.Errorf("%s (%s %s): payload %.60q..., want %.60q...", p, side.technique, side.order, got, want)
	}
	if side.technique == "alpha" || side.technique == "lsb.rgb" || side.technique == "palette" {
		coverImg, err := decodeShared(coverPath, cover)
		if err != nil {
			t.Errorf("%s: cover does not decode: %v", p, err)
			return
		}
		checkOnlyLSBs(t, p, img, coverImg, side.technique)
	}
}

// checkOnlyLSBs checks that stego and cover differ only in the LSBs the technique uses.
func checkOnlyLSBs(t *testing.T, p string, stego, cover image.Image, technique string) {
	t.Helper()
	if stego.Bounds() != cover.Bounds() {
		t.Errorf("%s: bounds %v, cover %v", p, stego.Bounds(), cover.Bounds())
		return
	}
	if technique == "palette" {
		s, okS := stego.(*image.Paletted)
		c, okC := cover.(*image.Paletted)
		if !okS || !okC || !slices.Equal(s.Palette, c.Palette) {
			t.Errorf("%s: not paletted like its cover, or another palette", p)
			return
		}
		for i := range s.Pix {
			if s.Pix[i]|1 != c.Pix[i]|1 {
				t.Fatalf("%s: index %d differs from the cover beyond the LSB", p, i)
			}
		}
		return
	}
	s, c := toNRGBA(stego), toNRGBA(cover)
	changed := 0
	for i := 0; i < len(s.Pix); i += 4 {
		ps, pc := s.Pix[i:i+4], c.Pix[i:i+4]
		var ok bool
		if technique == "alpha" {
			ok = ps[0] == pc[0] && ps[1] == pc[1] && ps[2] == pc[2] && ps[3]|1 == pc[3]|1
		} else {
			ok = ps[0]|1 == pc[0]|1 && ps[1]|1 == pc[1]|1 && ps[2]|1 == pc[2]|1 && ps[3] == pc[3]
		}
		if !ok {
			t.Fatalf("%s: pixel %d %v differs from cover %v beyond the %s LSBs", p, i/4, ps, pc, technique)
		}
		if !bytes.Equal(ps, pc) {
			changed++
		}
	}
	if changed == 0 {
		t.Errorf("%s: identical to its cover", p)
	}
}

// oldCategories maps the old negative folder names to the current categories (SPEC.md).
var oldCategories = map[string]string{"dithered_gif": "natural_noise", "repetitive_hex": "repetitive_patterns"}

// checkNegatives checks the manifests against the files and that no negative
// carries a payload in any of the five places; it returns the number of negatives.
func checkNegatives(t *testing.T, files map[string][]byte, sum Summary) int {
	t.Helper()
	schemas := map[string]bool{}
	folders := map[string]bool{}
	categories := map[string]int{}
	count := 0
	for _, sub := range sum.Submissions {
		listed := map[string]bool{}
		manifest, hasManifest := files[sub+"/negatives/manifest.jsonl"]
		for i, line := range strings.Split(strings.TrimSuffix(string(manifest), "\n"), "\n") {
			if !hasManifest {
				break
			}
			var obj map[string]any
			if err := json.Unmarshal([]byte(line), &obj); err != nil {
				t.Errorf("%s manifest line %d: %v", sub, i+1, err)
				continue
			}
			var rel string
			switch {
			case obj["file_path"] != nil:
				schemas["legacy"] = true
				rel, _ = obj["file_path"].(string)
				if obj["label"] != "clean" || obj["method"] != strings.Split(rel, "/")[0] {
					t.Errorf("%s manifest line %d: %v", sub, i+1, obj)
				}
			case obj["filename"] != nil:
				schemas["unified"] = true
				meta, _ := obj["metadata"].(map[string]any)
				if obj["expected_behavior"] != "clean" || meta == nil || meta["extraction_results"] == nil {
					t.Errorf("%s manifest line %d: %v", sub, i+1, obj)
				}
				rel = obj["category"].(string) + "/" + obj["filename"].(string)
			default:
				t.Errorf("%s manifest line %d fits neither schema: %s", sub, i+1, line)
			}
			if _, ok := files[sub+"/negatives/"+rel]; !ok {
				t.Errorf("%s manifest line %d names missing %s", sub, i+1, rel)
			}
			listed[rel] = true
		}
		if !hasManifest {
			schemas["none"] = true
		}
		for p, data := range files {
			rel, ok := strings.CutPrefix(p, sub+"/negatives/")
			if !ok || !imageExtRe.MatchString(p) {
				continue
			}
			count++
			folder := strings.Split(rel, "/")[0]
			folders[folder] = true
			category := folder
			if cur, ok := oldCategories[folder]; ok {
				category = cur
			}
			categories[category]++
			if hasManifest && !listed[rel] {
				t.Errorf("%s: negative %s not in its manifest", sub, rel)
			}
			checkNoPayload(t, p, data)
		}
	}
	if !maps.Equal(categories, sum.Categories) {
		t.Errorf("categories found %v, summary %v", categories, sum.Categories)
	}
	for _, s := range []string{"legacy", "unified", "none"} {
		if !schemas[s] {
			t.Errorf("no submission with manifest schema %s", s)
		}
	}
	for _, f := range []string{"dithered_gif", "repetitive_hex", "natural_noise", "repetitive_patterns", "rgb_no_alpha", "uniform_alpha"} {
		if !folders[f] {
			t.Errorf("no negatives folder %s", f)
		}
	}
	return count
}

// checkNoPayload reads a negative with all five methods, both bit orders.
func checkNoPayload(t *testing.T, p string, data []byte) {
	t.Helper()
	img, err := decodeShared(p, data)
	if err != nil {
		t.Errorf("%s: does not decode: %v", p, err)
		return
	}
	if _, _, err := exifPayload(data); err == nil {
		t.Errorf("%s: negative has an EXIF comment", p)
	}
	if end, err := imageEnd(data); err != nil || end != len(data) {
		t.Errorf("%s: %d bytes after the end of the image (%v)", p, len(data)-end, err)
	}
	streams := map[string][]byte{"alpha": pack(alphaBits(img), lsbFirst)}
	for _, order := range []string{lsbFirst, msbFirst} {
		streams["lsb.rgb "+order] = pack(rgbBits(img), order)
		streams["palette "+order] = pack(indexBits(img), order)
	}
	for name, s := range streams {
		if bytes.Contains(s, []byte(ai42)) {
			t.Errorf("%s: %s stream holds the AI42 marker", p, name)
		}
		if n := printablePrefix(s); n >= 8 {
			t.Errorf("%s: %s stream starts with %d printable bytes %.20q", p, name, n, s[:n])
		}
	}
}

// printablePrefix counts the leading bytes that look like text.
func printablePrefix(s []byte) int {
	for i, c := range s {
		if (c < 32 || c > 126) && c != '\n' && c != '\t' {
			return i
		}
	}
	return len(s)
}

func TestWriteIsDeterministic(t *testing.T) {
	_, _, a := sharedTree(t)
	_, b := writeTree(t, t.TempDir(), 7)
	if !slices.Equal(slices.Sorted(maps.Keys(a)), slices.Sorted(maps.Keys(b))) {
		t.Fatal("same seed, different file lists")
	}
	for p := range a {
		if !bytes.Equal(a[p], b[p]) {
			t.Errorf("%s: same seed, different bytes", p)
		}
	}
	// Another seed changes every picture (checked on one submission, to keep the test short).
	var sum7, sum8 Summary
	for _, m := range []*Summary{&sum7, &sum8} {
		*m = Summary{Kinds: map[string]int{}, Techniques: map[string]int{}, Categories: map[string]int{}, Formats: map[string]int{}, Sidecars: map[string]int{}}
	}
	x, err := build(plans[2], 7, &sum7)
	if err != nil {
		t.Fatal(err)
	}
	y, err := build(plans[2], 8, &sum8)
	if err != nil {
		t.Fatal(err)
	}
	differ, images := 0, 0
	for i := range x {
		if !bytes.Equal(x[i].data, a[plans[2].name+"/"+x[i].path]) {
			t.Errorf("%s: build and Write disagree", x[i].path)
		}
		if imageExtRe.MatchString(x[i].path) {
			images++
			if !bytes.Equal(x[i].data, y[i].data) {
				differ++
			}
		}
	}
	if differ != images || images == 0 {
		t.Errorf("seeds 7 and 8 give %d differing images of %d", differ, images)
	}
}

func TestWriteRefusesExistingTree(t *testing.T) {
	dir, _, before := sharedTree(t)
	if _, err := Write(dir, Options{Seed: 1}); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("second Write into the same folder: %v", err)
	}
	if after := readTree(t, dir); !maps.EqualFunc(before, after, bytes.Equal) {
		t.Error("refused Write still changed the tree")
	}
}

func TestMostImagesAre256(t *testing.T) {
	_, _, files := sharedTree(t)
	sizes := map[image.Point]int{}
	for p, data := range files {
		if !imageExtRe.MatchString(p) {
			continue
		}
		img, err := decodeShared(p, data)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		sizes[img.Bounds().Size()]++
	}
	total := 0
	for _, n := range sizes {
		total += n
	}
	if n := sizes[image.Pt(256, 256)]; 2*n <= total || len(sizes) < 4 {
		t.Errorf("sizes %v: want mostly 256x256 and a few others", sizes)
	}
}

func BenchmarkWrite(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Write(b.TempDir(), Options{Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
