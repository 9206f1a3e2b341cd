package index

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/bmp"

	"github.com/starlight/dataserver/internal/treetest"
)

// tree writes a dataset tree under a temporary root.
type tree struct {
	t    testing.TB
	root string
}

func newTree(t testing.TB) *tree {
	return &tree{t: t, root: t.TempDir()}
}

// path returns the OS path of rel under the root.
func (tr *tree) path(rel string) string {
	return filepath.Join(tr.root, filepath.FromSlash(rel))
}

// write writes data at rel, creating folders.
func (tr *tree) write(rel string, data []byte) {
	tr.t.Helper()
	treetest.WriteFile(tr.t, tr.root, rel, data)
}

// json writes v as JSON at rel.
func (tr *tree) json(rel string, v any) {
	tr.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tr.t.Fatal(err)
	}
	tr.write(rel, b)
}

// lines writes a JSONL manifest of the given objects at rel.
func (tr *tree) lines(rel string, objs ...any) {
	tr.t.Helper()
	tr.write(rel, treetest.JSONL(tr.t, objs...))
}

// build indexes the tree and fails on a Build error.
func (tr *tree) build(opts Options) *Snapshot {
	tr.t.Helper()
	s, err := Build(context.Background(), tr.root, opts)
	if err != nil {
		tr.t.Fatalf("Build: %v", err)
	}
	return s
}

// sidecar returns a sidecar object.
func sidecarObj(technique, bitOrder, cleanFile string) map[string]any {
	emb := map[string]any{"category": techniqueCategory[technique], "technique": technique, "ai42": technique == "alpha"}
	if bitOrder != "" {
		emb["bit_order"] = bitOrder
	}
	o := map[string]any{"embedding": emb}
	if cleanFile != "" {
		o["clean_file"] = cleanFile
	}
	return o
}

// picture is a smooth test picture with mild noise, like a photograph.
func picture(seed uint64, w, h int) *image.NRGBA {
	rng := rand.New(rand.NewPCG(seed, 99))
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			n := uint8(rng.IntN(5))
			m.SetNRGBA(x, y, color.NRGBA{uint8(x*255/w) + n, uint8(y*255/h) + n, uint8((x+y)*127/(w+h)) + n, 255})
		}
	}
	return m
}

// noise is an image of uniform random bytes (alpha included).
func noise(seed uint64, w, h int) *image.NRGBA {
	rng := rand.New(rand.NewPCG(seed, 7))
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range m.Pix {
		m.Pix[i] = uint8(rng.Uint32())
	}
	return m
}

// opaque returns m as an RGB image (so PNG writes colour type 2).
func opaque(m *image.NRGBA) *image.RGBA {
	o := image.NewRGBA(m.Rect)
	for i := 0; i < len(m.Pix); i += 4 {
		copy(o.Pix[i:i+3], m.Pix[i:i+3])
		o.Pix[i+3] = 255
	}
	return o
}

func encPNG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encJPEG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encGIF(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gif.Encode(&b, m, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encBMP(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := bmp.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// embedBits writes payload into the LSBs of vals (one bit per value) in
// the given order ("lsb-first" or "msb-first").
func embedBits(vals []uint8, payload []byte, order string) {
	for i, b := range payload {
		for k := 0; k < 8; k++ {
			bit := b >> k & 1
			if order == "msb-first" {
				bit = b >> (7 - k) & 1
			}
			vals[8*i+k] = vals[8*i+k]&^1 | bit
		}
	}
}

const secret = "In darkness deep, we carry light, a single candle against the night.\n"

// lsbPNG returns an RGB PNG whose R,G,B LSBs carry text+NUL in order.
func lsbPNG(t testing.TB, seed uint64, order string) []byte {
	m := opaque(picture(seed, 64, 64))
	var rgb []uint8
	for i := 0; i < len(m.Pix); i += 4 {
		rgb = append(rgb, m.Pix[i:i+3]...)
	}
	embedBits(rgb, []byte(secret+"\x00"), order)
	for i := 0; i < len(rgb)/3; i++ {
		copy(m.Pix[4*i:4*i+3], rgb[3*i:3*i+3])
	}
	return encPNG(t, m)
}

// alphaPNG returns an RGBA PNG whose alpha LSBs carry "AI42"+text+NUL, LSB-first.
func alphaPNG(t testing.TB, seed uint64) []byte {
	m := picture(seed, 64, 64)
	alpha := make([]uint8, 64*64)
	for i := range alpha {
		alpha[i] = 200 + uint8(i%7)
	}
	embedBits(alpha, []byte("AI42"+secret+"\x00"), "lsb-first")
	for i, a := range alpha {
		m.Pix[4*i+3] = a
	}
	return encPNG(t, m)
}

// exifJPEG returns a JPEG carrying an EXIF UserComment "ASCII\0\0\0"+text.
func exifJPEG(t testing.TB, seed uint64, text string) []byte {
	jpg := encJPEG(t, picture(seed, 32, 32))
	le := binary.LittleEndian
	comment := []byte("ASCII\x00\x00\x00" + text)
	tiff := []byte("II*\x00\x08\x00\x00\x00")
	ifd := make([]byte, 18)
	le.PutUint16(ifd, 1)
	le.PutUint16(ifd[2:], 0x8769)
	le.PutUint16(ifd[4:], 4)
	le.PutUint32(ifd[6:], 1)
	le.PutUint32(ifd[10:], 26)
	tiff = append(tiff, ifd...)
	sub := make([]byte, 18)
	le.PutUint16(sub, 1)
	le.PutUint16(sub[2:], 0x9286)
	le.PutUint16(sub[4:], 7)
	le.PutUint32(sub[6:], uint32(len(comment)))
	le.PutUint32(sub[10:], 44)
	tiff = append(append(tiff, sub...), comment...)
	seg := append([]byte("Exif\x00\x00"), tiff...)
	out := []byte{0xFF, 0xD8, 0xFF, 0xE1, byte((len(seg) + 2) >> 8), byte(len(seg) + 2)}
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// codes returns the problem codes found at path (any line), sorted as the snapshot has them.
func codes(s *Snapshot, path string) []string {
	var out []string
	for _, p := range s.Problems {
		if p.Path == path {
			out = append(out, p.Code)
		}
	}
	return out
}

// hasProblem reports whether s has a problem with code at path (line 0 = any).
func hasProblem(s *Snapshot, code, path string, line int) bool {
	for _, p := range s.Problems {
		if p.Code == code && p.Path == path && (line == 0 || p.Line == line) {
			return true
		}
	}
	return false
}

// requireProblem fails unless s has the problem; it returns it.
func requireProblem(t testing.TB, s *Snapshot, code, path string, line int) Problem {
	t.Helper()
	for _, p := range s.Problems {
		if p.Code == code && p.Path == path && (line == 0 || p.Line == line) {
			return p
		}
	}
	t.Fatalf("no %s problem at %s:%d; problems:\n%s", code, path, line, dump(s))
	return Problem{}
}

func dump(s *Snapshot) string {
	var b strings.Builder
	for _, p := range s.Problems {
		b.WriteString("  " + p.String() + "\n")
	}
	return b.String()
}

// accepted reports whether the sample at path exists and is served.
func accepted(t testing.TB, s *Snapshot, path string) bool {
	t.Helper()
	x, ok := s.Sample(path)
	if !ok {
		t.Fatalf("no sample %s", path)
	}
	return x.Accepted
}
