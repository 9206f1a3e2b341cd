package webp

import (
	"bytes"
	"fmt"
	"image"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/vp8l"

	"github.com/starlight/dataserver/internal/testbin"
)

// xImageLossless decodes a VP8L stream (header included) with
// x/image/vp8l, the decoder the lossless decoder replaced, kept here as
// its oracle, and returns ARGB words.
func xImageLossless(stream []byte) ([]uint32, int, int, error) {
	m, err := vp8l.Decode(bytes.NewReader(stream))
	if err != nil {
		return nil, 0, 0, err
	}
	img, ok := m.(*image.NRGBA)
	if !ok {
		return nil, 0, 0, fmt.Errorf("not NRGBA")
	}
	w, h := img.Rect.Dx(), img.Rect.Dy()
	out := make([]uint32, 0, w*h)
	for y := 0; y < h; y++ {
		row := img.Pix[y*img.Stride : y*img.Stride+4*w]
		for x := 0; x < 4*w; x += 4 {
			out = append(out, uint32(row[x+3])<<24|uint32(row[x])<<16|uint32(row[x+1])<<8|uint32(row[x+2]))
		}
	}
	return out, w, h, nil
}

// diffXImage compares the lossless decoder with x/image/vp8l on one
// stream (header included) and describes any difference.
func diffXImage(stream []byte) string {
	want, w, h, werr := xImageLossless(stream)
	var got []uint32
	var gerr error
	if werr == nil {
		got, gerr = decodeVP8LStream(stream, w, h)
	} else if len(stream) >= 5 {
		// Decode at the size the header states, or any size when the
		// header is cut short.
		b := lbits{data: stream}
		b.read(8)
		w, h = int(b.read(14))+1, int(b.read(14))+1
		if w*h > 1<<22 {
			return ""
		}
		got, gerr = decodeVP8LStream(stream, w, h)
	} else {
		got, gerr = decodeVP8LStream(stream, 1, 1)
	}
	switch {
	case (werr == nil) != (gerr == nil):
		return fmt.Sprintf("error %v, x/image/vp8l's %v", gerr, werr)
	case werr == nil && len(got) != len(want):
		return fmt.Sprintf("%d pixels, x/image/vp8l %d", len(got), len(want))
	case werr == nil:
		for i := range got {
			if got[i] != want[i] {
				return fmt.Sprintf("pixel %d (of %dx%d) %08x, x/image/vp8l %08x", i, w, h, got[i], want[i])
			}
		}
	}
	return ""
}

// losslessStreams returns the VP8L streams (header included) of the
// WebP files of testdata and of ../shared/corpus when present (and of
// every eighth file of ../shared/trainset), and lossless ALPH streams with
// a header made for them.
func losslessStreams(tb testing.TB) [][]byte {
	mod, err := testbin.ModuleRoot()
	if err != nil {
		tb.Fatal(err)
	}
	var out [][]byte
	roots := []string{"testdata"}
	for _, d := range []string{"corpus", "trainset"} {
		roots = append(roots, filepath.Join(mod, "..", "shared", d, "datasets"))
	}
	for _, root := range roots {
		seen := 0
		filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() || !strings.HasSuffix(p, ".webp") {
				return nil
			}
			if seen++; strings.Contains(root, "trainset") && seen%8 != 0 {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return nil
			}
			c, err := parse(data)
			if err != nil {
				return nil
			}
			f := &c.frame
			if f.lossless {
				out = append(out, f.bits)
			}
			if len(f.alph) > 1 && f.alph[0]&3 == alphaLossless {
				wm, hm := uint32(f.info.width-1), uint32(f.info.height-1)
				hdr := []byte{0x2f, byte(wm), byte(wm>>8) | byte(hm<<6), byte(hm >> 2), byte(hm >> 10)}
				out = append(out, append(hdr, f.alph[1:]...))
			}
			return nil
		})
	}
	if len(out) == 0 {
		tb.Fatal("no lossless streams found")
	}
	return out
}

// TestLosslessMatchesXImage compares the lossless decoder with
// x/image/vp8l on every lossless stream found and on damaged copies of
// the small ones: cut short and with bits flipped.
func TestLosslessMatchesXImage(t *testing.T) {
	streams := losslessStreams(t)
	r := rand.New(rand.NewPCG(16, 3))
	damaged := 0
	for i, s := range streams {
		if d := diffXImage(s); d != "" {
			t.Errorf("stream %d: %s", i, d)
		}
		tries := 40
		if len(s) > 4000 {
			tries = 2
		}
		for k := 0; k < tries; k++ {
			damaged += 2
			cut := s[:r.IntN(len(s))]
			if d := diffXImage(cut); d != "" {
				t.Errorf("stream %d cut at %d: %s", i, len(cut), d)
			}
			m := bytes.Clone(s)
			for j := 0; j <= k%4; j++ {
				m[5+r.IntN(len(m)-5)] ^= byte(1 << r.IntN(8))
			}
			if d := diffXImage(m); d != "" {
				t.Errorf("stream %d damaged (%d): %s", i, k, d)
			}
		}
	}
	t.Logf("%d streams, %d damaged copies", len(streams), damaged)
}

// FuzzLosslessMatchesXImage compares the two decoders on arbitrary
// streams.
func FuzzLosslessMatchesXImage(f *testing.F) {
	for _, s := range losslessStreams(f) {
		if len(s) < 4000 {
			f.Add(s)
		}
	}
	f.Fuzz(func(t *testing.T, s []byte) {
		if d := diffXImage(s); d != "" {
			t.Fatal(d)
		}
	})
}
