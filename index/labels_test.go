package index

import (
	"testing"
)

const sub = "a_submission_2025/"

func TestStegoLabels(t *testing.T) {
	tr := baseTree(t)
	// <image>.json naming, lsb-first
	tr.write(sub+"stego/p_lsb_001.png", lsbPNG(t, 21, "lsb-first"))
	tr.json(sub+"stego/p_lsb_001.png.json", sidecarObj("lsb.rgb", "lsb-first", "c2.png"))
	// <stem>.json naming, bit_order missing: msb-first
	tr.write(sub+"stego/p_lsb_002.png", lsbPNG(t, 22, "msb-first"))
	tr.json(sub+"stego/p_lsb_002.json", sidecarObj("lsb.rgb", "", "c1.png"))
	// alpha (RGBA PNG), lsb-first
	tr.write(sub+"stego/p_alpha_000.png", alphaPNG(t, 23))
	tr.json(sub+"stego/p_alpha_000.png.json", sidecarObj("alpha", "lsb-first", "c1.png"))
	// exif and raw: bit order none even when a sidecar gives one
	tr.write(sub+"stego/p_exif_000.jpg", exifJPEG(t, 24, secret))
	tr.json(sub+"stego/p_exif_000.jpg.json", sidecarObj("exif", "lsb-first", "c1.png"))
	raw := append(encGIF(t, picture(25, 40, 40)), secret...)
	tr.write(sub+"stego/p_eoi_000.gif", raw)
	tr.json(sub+"stego/p_eoi_000.gif.json", sidecarObj("raw", "", "c2.png"))
	tr.write(sub+"clean/c3.gif", encGIF(t, picture(26, 40, 40)))
	tr.write(sub+"clean/c4.jpg", encJPEG(t, picture(27, 40, 40)))
	s := tr.build(Options{})
	if len(s.Problems) != 0 {
		t.Fatalf("problems:\n%s", dump(s))
	}
	c1, _ := s.Sample(sub + "clean/c1.png")
	c2, _ := s.Sample(sub + "clean/c2.png")
	want := []struct {
		path  string
		class int
		order BitOrder
		cover Sample
	}{
		{"stego/s_lsb_000.png", ClassLSBRGB, BitOrderMSBFirst, c1},
		{"stego/p_lsb_001.png", ClassLSBRGB, BitOrderLSBFirst, c2},
		{"stego/p_lsb_002.png", ClassLSBRGB, BitOrderMSBFirst, c1},
		{"stego/p_alpha_000.png", ClassAlpha, BitOrderLSBFirst, c1},
		{"stego/p_exif_000.jpg", ClassEXIF, BitOrderNone, c1},
		{"stego/p_eoi_000.gif", ClassRaw, BitOrderNone, c2},
	}
	for _, w := range want {
		x, ok := s.Sample(sub + w.path)
		if !ok || !x.Accepted || x.Kind != KindStego || x.Class != w.class || x.BitOrder != w.order || x.CoverID != w.cover.ID || x.CoverPath != w.cover.Path {
			t.Errorf("%s: %+v; want class %d, %s, cover %s", w.path, x, w.class, w.order, w.cover.Path)
		}
	}
	if x, _ := s.Sample(sub + "stego/p_alpha_000.png"); !x.AI42 || x.Technique != "alpha" {
		t.Errorf("alpha sample: ai42 %v technique %q", x.AI42, x.Technique)
	}
}

func TestStegoPairing(t *testing.T) {
	tr := baseTree(t)
	tr.write(sub+"stego/nosidecar.png", lsbPNG(t, 31, "msb-first"))
	tr.json(sub+"stego/gone.png.json", sidecarObj("lsb.rgb", "msb-first", "c1.png"))
	tr.write(sub+"stego/twin.png", lsbPNG(t, 32, "msb-first"))
	tr.write(sub+"stego/twin.bmp", encBMP(t, picture(33, 16, 16)))
	tr.json(sub+"stego/twin.json", sidecarObj("lsb.rgb", "msb-first", "c1.png"))
	tr.write(sub+"stego/nocover.png", lsbPNG(t, 34, "msb-first"))
	tr.json(sub+"stego/nocover.png.json", sidecarObj("lsb.rgb", "msb-first", "missing.png"))
	tr.write(sub+"stego/unnamed.png", lsbPNG(t, 35, "msb-first"))
	tr.json(sub+"stego/unnamed.png.json", sidecarObj("lsb.rgb", "msb-first", ""))
	s := tr.build(Options{})
	requireProblem(t, s, CodeSidecarMissing, sub+"stego/nosidecar.png", 0)
	requireProblem(t, s, CodeSidecarOrphan, sub+"stego/gone.png.json", 0)
	requireProblem(t, s, CodeSidecarAmbiguous, sub+"stego/twin.png", 0)
	requireProblem(t, s, CodeSidecarAmbiguous, sub+"stego/twin.bmp", 0)
	requireProblem(t, s, CodeCoverMissing, sub+"stego/nocover.png.json", 0)
	requireProblem(t, s, CodeCoverUnnamed, sub+"stego/unnamed.png.json", 0)
	for p, want := range map[string]bool{"nosidecar.png": false, "twin.png": false, "twin.bmp": false, "nocover.png": true, "unnamed.png": true} {
		if got := accepted(t, s, sub+"stego/"+p); got != want {
			t.Errorf("%s accepted %v, want %v", p, got, want)
		}
	}
	if x, _ := s.Sample(sub + "stego/nocover.png"); x.CoverID != "" {
		t.Errorf("missing cover resolved to %q", x.CoverID)
	}
	checkRest(t, s)
}

func TestStegoInvalidLabels(t *testing.T) {
	tr := baseTree(t)
	// alpha on a JPEG (no alpha channel); palette on a JPEG (not paletted);
	// exif on a GIF; lsb.rgb on a JPEG.
	jpg := encJPEG(t, picture(41, 32, 32))
	tr.write(sub+"stego/a.jpg", jpg)
	tr.json(sub+"stego/a.jpg.json", sidecarObj("alpha", "lsb-first", "c1.png"))
	tr.write(sub+"stego/p.jpg", encJPEG(t, picture(42, 32, 32)))
	tr.json(sub+"stego/p.jpg.json", sidecarObj("palette", "msb-first", "c1.png"))
	tr.write(sub+"stego/e.gif", encGIF(t, picture(43, 32, 32)))
	tr.json(sub+"stego/e.gif.json", sidecarObj("exif", "", "c1.png"))
	tr.write(sub+"stego/l.jpg", encJPEG(t, picture(44, 32, 32)))
	tr.json(sub+"stego/l.jpg.json", sidecarObj("lsb.rgb", "msb-first", "c1.png"))
	// the payload is lsb-first but the sidecar says msb-first
	tr.write(sub+"stego/o.png", lsbPNG(t, 45, "lsb-first"))
	tr.json(sub+"stego/o.png.json", sidecarObj("lsb.rgb", "msb-first", "c1.png"))
	// a raw sidecar on an image with nothing appended
	tr.write(sub+"stego/r.png", encPNG(t, picture(46, 32, 32)))
	tr.json(sub+"stego/r.png.json", sidecarObj("raw", "", "c1.png"))
	// unknown technique, bad bit order, not JSON
	tr.write(sub+"stego/u.png", lsbPNG(t, 47, "msb-first"))
	tr.json(sub+"stego/u.png.json", sidecarObj("dct", "", "c1.png"))
	tr.write(sub+"stego/b.png", lsbPNG(t, 48, "msb-first"))
	tr.json(sub+"stego/b.png.json", sidecarObj("lsb.rgb", "middle-out", "c1.png"))
	tr.write(sub+"stego/j.png", lsbPNG(t, 49, "msb-first"))
	tr.write(sub+"stego/j.png.json", []byte(`{"embedding": {"technique": "lsb.rgb"`))
	s := tr.build(Options{})
	for p, code := range map[string]string{
		"stego/a.jpg": CodeLabelMismatch, "stego/p.jpg": CodeLabelMismatch, "stego/e.gif": CodeLabelMismatch,
		"stego/l.jpg": CodeLabelMismatch, "stego/o.png": CodeBitOrderWrong, "stego/r.png": CodeStegoNoPayload,
		"stego/u.png.json": CodeSidecarSchema, "stego/b.png.json": CodeSidecarSchema, "stego/j.png.json": CodeSidecarJSON,
	} {
		requireProblem(t, s, code, sub+p, 0)
	}
	for _, p := range []string{"a.jpg", "p.jpg", "e.gif", "l.jpg", "o.png", "r.png", "u.png", "b.png", "j.png"} {
		if accepted(t, s, sub+"stego/"+p) {
			t.Errorf("stego/%s with an invalid label served", p)
		}
	}
	checkRest(t, s)
}

func TestDuplicates(t *testing.T) {
	tr := baseTree(t)
	c1 := encPNG(t, opaque(picture(1, 48, 40)))
	tr.write("b_submission_2025/clean/copy.png", c1) // same bytes, same label, other submission
	tr.write(sub+"stego/dup.png", c1)                // same bytes as a clean cover, labelled stego
	tr.json(sub+"stego/dup.png.json", sidecarObj("raw", "", "c1.png"))
	s := tr.build(Options{})
	requireProblem(t, s, CodeDuplicateConflict, sub+"stego/dup.png", 0)
	requireProblem(t, s, CodeDuplicateConflict, sub+"clean/c1.png", 0)
	if accepted(t, s, sub+"clean/c1.png") || accepted(t, s, sub+"stego/dup.png") {
		t.Error("conflicting duplicates served")
	}
	found := false
	for _, g := range s.Duplicates {
		if len(g) == 2 && g[0] == sub+"clean/c1.png" && g[1] == "b_submission_2025/clean/copy.png" {
			found = true
		}
	}
	if found {
		t.Errorf("a conflicting group listed as a same-label duplicate: %v", s.Duplicates)
	}
	tr2 := baseTree(t)
	tr2.write("b_submission_2025/clean/copy.png", c1)
	s2 := tr2.build(Options{})
	if len(s2.Duplicates) != 1 || len(s2.Duplicates[0]) != 2 || s2.Duplicates[0][1] != "b_submission_2025/clean/copy.png" {
		t.Errorf("duplicates %v", s2.Duplicates)
	}
	if len(s2.Problems) != 0 {
		t.Errorf("same-label duplicates are not problems:\n%s", dump(s2))
	}
}

func TestFormatImbalance(t *testing.T) {
	tr := baseTree(t)
	raw := append(encGIF(t, picture(51, 40, 40)), secret...)
	tr.write(sub+"stego/g_eoi_000.gif", raw)
	tr.json(sub+"stego/g_eoi_000.gif.json", sidecarObj("raw", "", "c1.png"))
	s := tr.build(Options{})
	p := requireProblem(t, s, CodeFormatImbalance, "a_submission_2025", 0)
	if p.Severity != SeverityWarning {
		t.Errorf("imbalance is %s", p.Severity)
	}
	r := NewReport(s)
	var gif Balance
	for _, b := range r.Balance {
		if b.Format == "GIF" {
			gif = b
		}
	}
	if gif.Stego != 1 || gif.Clean != 0 || gif.StegoShare != 0.5 {
		t.Errorf("GIF balance %+v", gif)
	}
}
