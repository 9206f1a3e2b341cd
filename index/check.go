package index

import (
	"errors"
	"fmt"
	"os"
	"path"
	"strings"
	"time"

	"github.com/starlight/dataserver/codec"
	"github.com/starlight/dataserver/extract"
	"github.com/starlight/dataserver/payload"
)

// fileResult is what reading one file taught; Snapshots keep them so the
// next Build can reuse a file whose path, size and mtime have not changed.
type fileResult struct {
	size   int64
	mtime  time.Time
	change stamp
	id     string
	// image is true when the file is taken as an image (a Sample).
	image bool
	cfg   codec.Config
	// headerOK is true when cfg was parsed and the structure is complete.
	headerOK bool
	// probs are the file's own problems (Path set to the file).
	probs []Problem
	// checkKey names the checks run on the file: the payload check ("" none,
	// "negative", or "stego:<technique>:<order>:<ai42>"), then "+decoded"
	// when every image was decoded (Options.HeaderOnly unset).
	checkKey string
	// sidecar and sidecarOK hold a parsed sidecar.
	sidecar   Sidecar
	sidecarOK bool
	// manifest holds a parsed manifest's entries.
	manifest []ManifestEntry
}

// imageExts are the file name extensions taken as images even when the
// bytes say otherwise.
var imageExts = map[string]bool{".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".webp": true, ".bmp": true}

func imageExt(p string) bool {
	return imageExts[strings.ToLower(path.Ext(p))]
}

// checker reads and checks files through the root.
type checker struct {
	// open opens a file through the root without blocking.
	open    func(string) (*os.File, error)
	maxFile int64
	opts    extract.Options
	// headerOnly skips decoding the images no payload check decodes.
	headerOnly bool
	// extracted receives the streams of the images decoded without error
	// (Options.Extracted).
	extracted func(id string, s *extract.Streams)
}

func (c *checker) add(r *fileResult, p string, prob Problem) {
	prob.Path = p
	r.probs = append(r.probs, prob)
}

// sidecar reads and parses a stego sidecar.
func (c *checker) sidecar(e entry) *fileResult {
	r := &fileResult{size: e.size, mtime: e.mtime, change: e.change}
	rr := readFile(c.open, e.path, MaxSidecarSize, CodeSidecarTooLarge)
	if rr.prob != nil {
		c.add(r, e.path, *rr.prob)
		return r
	}
	sc, probs, err := ParseSidecar(rr.data)
	for _, p := range probs {
		c.add(r, e.path, p)
	}
	r.sidecar, r.sidecarOK = sc, err == nil
	return r
}

// manifest reads and parses a negatives manifest.
func (c *checker) manifest(e entry) *fileResult {
	r := &fileResult{size: e.size, mtime: e.mtime, change: e.change}
	f, err := c.open(e.path)
	if err != nil {
		c.add(r, e.path, errorf(CodeUnreadable, "cannot open: %v", unwrapPath(err)))
		return r
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		c.add(r, e.path, errorf(CodeNotRegular, "manifest is not a regular file; not read"))
		return r
	}
	entries, probs := readManifest(f, MaxManifestSize)
	for _, p := range probs {
		c.add(r, e.path, p)
	}
	r.manifest = entries
	return r
}

// image reads an image candidate: content id, header, structure, and the
// payload check named by key ("negative" or a stego key, see stegoKey).
func (c *checker) image(e entry, key string, sc *Sidecar) *fileResult {
	r := &fileResult{size: e.size, mtime: e.mtime, change: e.change, checkKey: key}
	rr := readFile(c.open, e.path, c.maxFile, CodeFileTooLarge)
	r.id = rr.id
	if rr.prob != nil {
		r.image = imageExt(e.path)
		c.add(r, e.path, *rr.prob)
		return r
	}
	data := rr.data
	f := codec.Sniff(data)
	r.image = f != "" || imageExt(e.path)
	if f == "" {
		if r.image {
			c.add(r, e.path, errorf(CodeNotImage, "no PNG, JPEG, GIF, WebP or BMP signature in %d bytes", len(data)))
		} else {
			c.add(r, e.path, warnf(CodeStrayFile, "not an image, sidecar or manifest; ignored"))
		}
		return r
	}
	r.cfg.Format = f
	cfg, err := extract.DecodeConfig(data, c.opts)
	if err != nil {
		code := CodeHeader
		if errors.Is(err, codec.ErrTooLarge) {
			code = CodeTooLarge
		}
		c.add(r, e.path, errorf(code, "%s header: %v", f, err))
		return r
	}
	r.cfg = cfg
	if _, err := payload.End(data); err != nil {
		code := CodeCorrupt
		if errors.Is(err, payload.ErrTruncated) {
			code = CodeTruncated
		}
		c.add(r, e.path, errorf(code, "%v", err))
		return r
	}
	r.headerOK = true
	var img *codec.Image
	decoded := false
	switch {
	case strings.HasPrefix(key, "negative"):
		img = c.negative(r, e.path, data)
		decoded = true
	case sc != nil && labelMismatch(cfg, sc.Method) == "":
		img = c.stego(r, e.path, data, sc)
		decoded = sc.Method.Pixel()
	}
	if !decoded && !c.headerOnly {
		// Every served image must extract: a file whose header and structure
		// pass but whose pixel data does not decode is refused here, by
		// name, rather than failing the streams that draw it.
		var err error
		if img, err = extract.Decode(data, c.opts); err != nil {
			c.add(r, e.path, errorf(CodeDecode, "%v", err))
		}
	}
	if img != nil && c.extracted != nil && !hasError(r.probs) {
		c.extracted(r.id, extract.FromImage(data, img))
	}
	return r
}

func hasError(probs []Problem) bool {
	for _, p := range probs {
		if p.Severity == SeverityError {
			return true
		}
	}
	return false
}

// negative runs the five extractors over a negative and returns the
// decoded image (nil when it does not decode).
func (c *checker) negative(r *fileResult, p string, data []byte) *codec.Image {
	img, err := extract.Decode(data, c.opts)
	if err != nil {
		c.add(r, p, errorf(CodeDecode, "%v", err))
		return nil
	}
	found := payload.Detect(data, img)
	if len(found) == 0 {
		return img
	}
	var parts []string
	for _, f := range found {
		parts = append(parts, describe(f))
	}
	c.add(r, p, errorf(CodePayloadInNegative, "payload found: %s", strings.Join(parts, "; ")))
	return img
}

// describe renders a finding for a report.
func describe(f payload.Finding) string {
	what := f.Method.String()
	if f.Method.Pixel() {
		what += " " + f.Order.String()
	}
	return fmt.Sprintf("%s: %s of %d bytes starting %q", what, f.Evidence, f.Length, f.Preview)
}
