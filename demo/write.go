package demo

import (
	"errors"
	"fmt"
	"image"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Options tune Write.
type Options struct {
	// Seed chooses every picture; the same seed writes the same bytes.
	Seed uint64
}

// Summary tells what Write wrote.
type Summary struct {
	// Dir is the root of the tree (the folder holding the submissions).
	Dir string
	// Submissions are the submission folder names, in order.
	Submissions []string
	// Images is the number of image files; Bytes their total size.
	Images int
	Bytes  int64
	// Kinds counts images by kind: "clean", "stego", "negative".
	Kinds map[string]int
	// Techniques counts stego images by sidecar technique.
	Techniques map[string]int
	// Categories counts negatives by (current) category name.
	Categories map[string]int
	// Formats counts images by container: "png", "jpeg", "gif", "bmp".
	Formats map[string]int
	// Sidecars counts sidecars by naming: "<name>.<ext>.json" or "<stem>.json".
	Sidecars map[string]int
	// Manifests gives each submission's negatives manifest schema:
	// "unified", "legacy" or "none".
	Manifests map[string]string
}

// String lists the summary on a few lines.
func (s Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d images (%d bytes) in %s\n", s.Images, s.Bytes, s.Dir)
	for _, sub := range s.Submissions {
		fmt.Fprintf(&b, "  %s (negatives manifest: %s)\n", sub, s.Manifests[sub])
	}
	for _, part := range []struct {
		name string
		m    map[string]int
	}{{"kinds", s.Kinds}, {"techniques", s.Techniques}, {"categories", s.Categories}, {"formats", s.Formats}, {"sidecars", s.Sidecars}} {
		fmt.Fprintf(&b, "  %s:", part.name)
		for _, k := range slices.Sorted(maps.Keys(part.m)) {
			fmt.Fprintf(&b, " %s=%d", k, part.m[k])
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// Write writes the demo tree into dir (created if needed): three submissions
// with clean covers, stego images of all five techniques with their sidecars,
// payload texts under seeds/, and negatives in both manifest schemas. It
// refuses to write over an existing submission folder.
func Write(dir string, opt Options) (Summary, error) {
	sum := Summary{
		Dir:        dir,
		Kinds:      map[string]int{},
		Techniques: map[string]int{},
		Categories: map[string]int{},
		Formats:    map[string]int{},
		Sidecars:   map[string]int{},
		Manifests:  map[string]string{},
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return sum, fmt.Errorf("demo: create %s: %w", dir, err)
	}
	for _, p := range plans {
		path := filepath.Join(dir, p.name)
		if _, err := os.Lstat(path); err == nil {
			return sum, fmt.Errorf("demo: %s already exists: write into an empty folder", path)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return sum, fmt.Errorf("demo: %s: %w", path, err)
		}
	}
	for _, p := range plans {
		files, err := build(p, opt.Seed, &sum)
		if err != nil {
			return sum, err
		}
		for _, f := range files {
			path := filepath.Join(dir, p.name, filepath.FromSlash(f.path))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return sum, fmt.Errorf("demo: create %s: %w", filepath.Dir(path), err)
			}
			if err := os.WriteFile(path, f.data, 0o644); err != nil {
				return sum, fmt.Errorf("demo: write %s: %w", path, err)
			}
		}
		sum.Submissions = append(sum.Submissions, p.name)
		sum.Manifests[p.name] = string(p.schema)
	}
	return sum, nil
}

// file is one file of a submission, its path relative to the submission.
type file struct {
	path string
	data []byte
}

// cover is a clean cover in memory: its picture and its encoded bytes.
type cover struct {
	plan coverPlan
	rgb  *image.NRGBA
	pal  *image.Paletted
	data []byte
}

// build makes every file of one submission and counts them into sum.
func build(p submissionPlan, seed uint64, sum *Summary) ([]file, error) {
	var files []file
	addImage := func(path string, data []byte, f form, kind string) {
		files = append(files, file{path, data})
		sum.Images++
		sum.Bytes += int64(len(data))
		sum.Kinds[kind]++
		sum.Formats[f.format()]++
	}
	// Every picture has its own generator, so they are drawn in parallel
	// and the bytes do not depend on the schedule.
	coverList := make([]*cover, len(p.covers))
	negData := make([][]byte, len(p.negatives))
	negForm := make([]form, len(p.negatives))
	err := parallel(len(p.covers)+len(p.negatives), func(i int) error {
		var err error
		if i < len(p.covers) {
			coverList[i], err = makeCover(seed, p.name, p.covers[i])
			return err
		}
		i -= len(p.covers)
		negData[i], negForm[i], err = negative(seed, p.name, p.negatives[i])
		return err
	})
	if err != nil {
		return nil, err
	}
	covers := map[string]*cover{}
	for _, c := range coverList {
		covers[c.plan.name] = c
		addImage("clean/"+c.plan.name, c.data, c.plan.form, "clean")
	}
	stegoData := make([][]byte, len(p.stego))
	err = parallel(len(p.stego), func(i int) error {
		st := p.stego[i]
		c, ok := covers[st.cover]
		if !ok {
			return fmt.Errorf("demo: %s: stego plan names unknown cover %s", p.name, st.cover)
		}
		data, err := makeStego(c, st)
		if err != nil {
			return fmt.Errorf("demo: %s: %s from %s: %w", p.name, st.technique, st.cover, err)
		}
		stegoData[i] = data
		return nil
	})
	if err != nil {
		return nil, err
	}
	poems := map[string]poem{}
	counters := map[string]int{}
	for i, st := range p.stego {
		c, data := covers[st.cover], stegoData[i]
		method := techniques[st.technique].method
		prefix := st.poem.slug + "_" + method
		name := fmt.Sprintf("%s_%03d%s", prefix, counters[prefix], c.plan.form.ext())
		counters[prefix]++
		addImage("stego/"+name, data, c.plan.form, "stego")
		sum.Techniques[st.technique]++
		side, err := sidecar(st)
		if err != nil {
			return nil, err
		}
		sideName, naming := name+".json", "<name>.<ext>.json"
		if p.stemSidecars {
			sideName, naming = strings.TrimSuffix(name, filepath.Ext(name))+".json", "<stem>.json"
		}
		sum.Sidecars[naming]++
		files = append(files, file{"stego/" + sideName, side})
		poems[st.poem.slug] = st.poem
	}
	for _, slug := range slices.Sorted(maps.Keys(poems)) {
		files = append(files, file{"seeds/" + slug + ".md", []byte(poems[slug].text + "\n")})
	}
	var manifest []byte
	for i, n := range p.negatives {
		data, f := negData[i], negForm[i]
		addImage("negatives/"+n.folder+"/"+n.file, data, f, "negative")
		sum.Categories[n.category]++
		if p.schema == schemaNone {
			continue
		}
		line, err := manifestLine(p.schema, n, f, seed)
		if err != nil {
			return nil, err
		}
		manifest = append(append(manifest, line...), '\n')
	}
	if manifest != nil {
		files = append(files, file{"negatives/manifest.jsonl", manifest})
	}
	return files, nil
}

// makeCover draws and encodes one clean cover.
func makeCover(seed uint64, sub string, cp coverPlan) (*cover, error) {
	r := newRNG(seed, sub+"/clean/"+cp.name)
	c := &cover{plan: cp, rgb: scene(r, cp.w, cp.h, 6)}
	if cp.form == formRGBAPNG {
		softAlpha(r, c.rgb)
	}
	if cp.form.paletted() {
		c.pal = quantize(c.rgb)
	}
	data, err := cp.form.encode(c.rgb, c.pal)
	if err != nil {
		return nil, fmt.Errorf("demo: encode %s/clean/%s: %w", sub, cp.name, err)
	}
	c.data = data
	return c, nil
}

// makeStego hides the poem in a copy of the cover with the planned technique.
func makeStego(c *cover, st stegoPlan) ([]byte, error) {
	f := c.plan.form
	text := st.poem.text
	switch st.technique {
	case "alpha":
		if f != formRGBAPNG {
			return nil, errors.New("alpha needs an RGBA cover")
		}
		img, err := embedAlpha(c.rgb, text)
		if err != nil {
			return nil, err
		}
		return f.encode(img, nil)
	case "lsb.rgb":
		if f != formRGBPNG && f != formBMP24 {
			return nil, errors.New("lsb.rgb needs an RGB PNG or 24-bit BMP cover")
		}
		img, err := embedRGB(c.rgb, text, st.order)
		if err != nil {
			return nil, err
		}
		return f.encode(img, nil)
	case "palette":
		if !f.paletted() {
			return nil, errors.New("palette needs a paletted cover")
		}
		img, err := embedPalette(c.pal, text, st.order)
		if err != nil {
			return nil, err
		}
		return f.encode(nil, img)
	case "exif":
		switch f {
		case formJPEG:
			return withJPEGExif(c.data, exifBlock(text))
		case formRGBPNG, formRGBAPNG, formPalettePNG:
			return withPNGExif(c.data, exifBlock(text))
		}
		return nil, errors.New("exif needs a JPEG or PNG cover")
	case "raw":
		return append(slices.Clip(c.data), text...), nil
	}
	return nil, fmt.Errorf("unknown technique %q", st.technique)
}
