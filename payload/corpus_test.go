package payload

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/starlight/dataserver/extract"
	"github.com/starlight/dataserver/internal/corpustest"
)

// sidecar is the part of a corpus sidecar these tests read.
type sidecar struct {
	Embedding struct {
		Technique string `json:"technique"`
		BitOrder  string `json:"bit_order"`
		AI42      bool   `json:"ai42"`
	} `json:"embedding"`
}

// stegoCase is one stego file of the corpus with its sidecar and seed text.
type stegoCase struct {
	path string
	data []byte
	sc   sidecar
	seed []byte
}

// corpusStego loads every stego image of the corpus that has a sidecar,
// with the seed text its name points to (<payload>_<method>_<NNN>.<ext>).
func corpusStego(t *testing.T) []stegoCase {
	t.Helper()
	root := corpustest.Datasets(t)
	sidecars, err := filepath.Glob(filepath.Join(root, "*", "stego", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out []stegoCase
	for _, scPath := range sidecars {
		var c stegoCase
		c.path = strings.TrimSuffix(scPath, ".json")
		raw, err := os.ReadFile(scPath)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &c.sc); err != nil {
			t.Fatalf("%s: %v", scPath, err)
		}
		if c.data, err = os.ReadFile(c.path); err != nil {
			t.Fatal(err)
		}
		base := filepath.Base(c.path)
		parts := strings.Split(base, "_")
		if len(parts) < 3 {
			t.Fatalf("%s: name is not <payload>_<method>_<NNN>", base)
		}
		seedName := strings.Join(parts[:len(parts)-2], "_") + ".md"
		seedPath := filepath.Join(filepath.Dir(filepath.Dir(c.path)), "seeds", seedName)
		if c.seed, err = os.ReadFile(seedPath); err != nil {
			t.Fatalf("%s: seed: %v", base, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		t.Fatalf("no stego sidecars under %s", root)
	}
	return out
}

func (c stegoCase) method(t *testing.T) (Method, Order) {
	m, ok := ParseMethod(c.sc.Embedding.Technique)
	if !ok {
		t.Fatalf("%s: unknown technique %q", c.path, c.sc.Embedding.Technique)
	}
	o := MSBFirst
	if c.sc.Embedding.BitOrder == "lsb-first" {
		o = LSBFirst
	}
	return m, o
}

// TestCorpusRecoversSeeds extracts every corpus stego payload with the
// method its sidecar names and compares it with the seed text.
func TestCorpusRecoversSeeds(t *testing.T) {
	seen := map[Method]int{}
	for _, c := range corpusStego(t) {
		m, o := c.method(t)
		want := c.seed[:64]
		var got []byte
		var err error
		switch m {
		case EXIF:
			got, err = UserComment(c.data)
		case Raw:
			got, err = Tail(c.data, 0)
		default:
			img, derr := extract.Decode(c.data, extract.Options{})
			if derr != nil {
				t.Errorf("%s: decode: %v", c.path, derr)
				continue
			}
			if m == Alpha {
				want = append([]byte(Marker), want...)
			}
			got, err = Pixels(img, m, o, len(want))
		}
		if err != nil {
			t.Errorf("%s: %s: %v", c.path, m, err)
			continue
		}
		if !bytes.HasPrefix(got, want) {
			t.Errorf("%s: %s %s payload starts %q, want %q", c.path, m, o, got[:min(len(got), 80)], want)
			continue
		}
		seen[m]++
	}
	for _, m := range Methods {
		if seen[m] == 0 {
			t.Errorf("no corpus stego file recovered with %s", m)
		}
	}
	t.Logf("recovered per method: %v", seen)
}

// TestCorpusDetect checks that Detect finds each corpus stego payload with
// the declared method (and bit order for pixel methods).
func TestCorpusDetect(t *testing.T) {
	for _, c := range corpusStego(t) {
		m, o := c.method(t)
		img, err := extract.Decode(c.data, extract.Options{})
		if err != nil {
			t.Errorf("%s: decode: %v", c.path, err)
			continue
		}
		found := false
		for _, f := range Detect(c.data, img) {
			if f.Method == m && (!m.Pixel() || f.Order == o) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: Detect did not find the %s %s payload", c.path, m, o)
		}
	}
}

// TestCorpusNegativesClean checks that Detect finds nothing in the corpus's
// negatives, which are all verified clean.
func TestCorpusNegativesClean(t *testing.T) {
	root := corpustest.Datasets(t)
	files, err := filepath.Glob(filepath.Join(root, "*", "negatives", "*", "*.png"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no negatives under %s (%v)", root, err)
	}
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		img, err := extract.Decode(data, extract.Options{})
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if f := Detect(data, img); len(f) > 0 {
			t.Errorf("%s: payload found in a negative: %+v", p, f)
		}
	}
}
