package index

import (
	"image"
	"image/color"
	"strings"
	"testing"
)

func TestNegativesLegacySchema(t *testing.T) {
	tr := baseTree(t)
	n := "b_submission_2025/negatives/"
	tr.write(n+"dithered_gif/d0.png", encPNG(t, opaque(picture(61, 32, 32))))
	tr.write(n+"repetitive_hex/h0.png", encPNG(t, opaque(picture(62, 32, 32))))
	tr.write(n+"rgb_no_alpha/r0.png", encPNG(t, opaque(picture(63, 32, 32))))
	tr.lines(n+"manifest.jsonl",
		map[string]any{"method": "dithered_gif", "constraint": "GIF dithering is natural noise", "label": "clean", "file_path": "dithered_gif/d0.png"},
		"",
		map[string]any{"method": "repetitive_hex", "constraint": "visible, not hidden", "label": "clean", "file_path": "repetitive_hex/h0.png"},
		map[string]any{"method": "rgb no alpha", "constraint": "RGB cannot carry alpha", "label": "clean", "file_path": "rgb_no_alpha/r0.png"},
	)
	s := tr.build(Options{})
	// Everything is read and served; the legacy layout is named once per
	// manifest and per old folder, with the command that upgrades it.
	want := map[string]string{
		n + "manifest.jsonl": "3 lines of 3 in the legacy schema", n + "dithered_gif": `old category folder name "dithered_gif"`,
		n + "repetitive_hex": `old category folder name "repetitive_hex"`,
	}
	for _, p := range s.Problems {
		if p.Code != CodeLegacyLayout || p.Severity != SeverityWarning || !strings.Contains(p.Message, want[p.Path]) || !strings.Contains(p.Message, "dataserver migrate --root") {
			t.Errorf("unexpected problem: %s", p)
		}
		delete(want, p.Path)
	}
	if len(want) != 0 {
		t.Errorf("not reported: %v", want)
	}
	for p, want := range map[string][2]string{
		"dithered_gif/d0.png":   {"natural_noise", "GIF dithering is natural noise"},
		"repetitive_hex/h0.png": {"repetitive_patterns", "visible, not hidden"},
		"rgb_no_alpha/r0.png":   {"rgb_no_alpha", "RGB cannot carry alpha"},
	} {
		x, ok := s.Sample(n + p)
		if !ok || !x.Accepted || x.Kind != KindNegative || x.Category != want[0] || x.MethodConstraint != want[1] || x.Class != ClassNone {
			t.Errorf("%s: %+v, want category %s constraint %q", p, x, want[0], want[1])
		}
	}
}

func TestNegativesUnifiedSchema(t *testing.T) {
	tr := baseTree(t)
	n := "b_submission_2025/negatives/"
	tr.write(n+"rgb no alpha/r0.jpg", encJPEG(t, picture(71, 32, 32)))
	tr.write(n+"uniform_alpha/u0.png", encPNG(t, uniformAlpha(32, 128)))
	tr.write(n+"special_cases/s0.png", encPNG(t, opaque(picture(72, 32, 32))))
	md := map[string]any{"original_source": "gen.py", "generation_params": map[string]any{}, "extraction_results": []any{}}
	tr.lines(n+"manifest.jsonl",
		map[string]any{"filename": "r0.jpg", "category": "rgb no alpha", "method_constraint": "alpha_detection_should_fail", "expected_behavior": "clean", "format_type": "RGB", "metadata": md},
		map[string]any{"filename": "u0.png", "category": "uniform_alpha", "method_constraint": "Free text: a uniform alpha hides nothing", "expected_behavior": "clean", "metadata": map[string]any{"extraction_results": map[string]any{"alpha": nil}}},
		map[string]any{"filename": "s0.png", "category": "special_cases", "method_constraint": "x", "validation_status": "verified_clean"},
	)
	s := tr.build(Options{})
	if len(s.Problems) != 0 {
		t.Fatalf("problems:\n%s", dump(s))
	}
	for p, want := range map[string][2]string{
		"rgb no alpha/r0.jpg":  {"rgb_no_alpha", "alpha_detection_should_fail"},
		"uniform_alpha/u0.png": {"uniform_alpha", "Free text: a uniform alpha hides nothing"},
		"special_cases/s0.png": {"special_cases", "x"},
	} {
		x, ok := s.Sample(n + p)
		if !ok || !x.Accepted || x.Category != want[0] || x.MethodConstraint != want[1] {
			t.Errorf("%s: %+v, want category %s constraint %q", p, x, want[0], want[1])
		}
	}
}

// uniformAlpha is an RGBA picture with every alpha value a.
func uniformAlpha(size int, a uint8) *image.NRGBA {
	m := picture(uint64(a)+1, size, size)
	for i := 3; i < len(m.Pix); i += 4 {
		m.Pix[i] = a
	}
	return m
}

func TestNegativesWithoutManifest(t *testing.T) {
	tr := baseTree(t) // a_submission_2025 has no manifest
	tr.write(sub+"negatives/dithered_gif/d.png", encPNG(t, opaque(picture(81, 16, 16))))
	tr.write(sub+"negatives/Repetitive-Patterns/p.png", encPNG(t, opaque(picture(82, 16, 16))))
	tr.write(sub+"negatives/loose.png", encPNG(t, opaque(picture(83, 16, 16))))
	tr.write(sub+"negatives/my_new_category/x.png", encPNG(t, opaque(picture(84, 16, 16))))
	tr.write(sub+"negatives/my_new_category/y.png", encPNG(t, opaque(picture(85, 16, 16))))
	s := tr.build(Options{})
	for p, cat := range map[string]string{"rgb_no_alpha/n0.png": "rgb_no_alpha", "dithered_gif/d.png": "natural_noise", "Repetitive-Patterns/p.png": "repetitive_patterns", "my_new_category/x.png": "my_new_category"} {
		if x, _ := s.Sample(sub + "negatives/" + p); x.Category != cat || !x.Accepted {
			t.Errorf("%s: category %q accepted %v, want %q", p, x.Category, x.Accepted, cat)
		}
	}
	requireProblem(t, s, CodeNegativeUncategorized, sub+"negatives/loose.png", 0)
	if p := requireProblem(t, s, CodeCategoryUnknown, sub+"negatives/my_new_category/x.png", 0); !strings.Contains(p.Message, "(2 negatives in this submission)") {
		t.Errorf("category-unknown does not count its negatives: %s", p)
	}
	// The old folder name is read, and named once for migrate to rename.
	if p := requireProblem(t, s, CodeLegacyLayout, sub+"negatives/dithered_gif", 0); !strings.Contains(p.Message, "dataserver migrate") || !strings.Contains(p.Message, `"natural_noise"`) {
		t.Errorf("legacy folder warning: %s", p)
	}
	if accepted(t, s, sub+"negatives/loose.png") {
		t.Error("uncategorised negative served")
	}
}

func TestNegativesManifestMismatch(t *testing.T) {
	tr := baseTree(t)
	m := sub + "negatives/manifest.jsonl"
	tr.write(sub+"negatives/rgb_no_alpha/unlisted.png", encPNG(t, opaque(picture(91, 16, 16))))
	tr.write(sub+"negatives/rgb_no_alpha/stego.png", encPNG(t, opaque(picture(92, 16, 16))))
	tr.write(sub+"negatives/rgb_no_alpha/moved.png", encPNG(t, opaque(picture(93, 16, 16))))
	tr.write(sub+"negatives/rgb_no_alpha/photo.jpg", encJPEG(t, picture(94, 16, 16)))
	tr.lines(m,
		map[string]any{"method": "rgb_no_alpha", "label": "clean", "file_path": "rgb_no_alpha/n0.png"},
		map[string]any{"method": "rgb_no_alpha", "label": "clean", "file_path": "rgb_no_alpha/gone.png"},
		map[string]any{"method": "rgb_no_alpha", "label": "stego", "file_path": "rgb_no_alpha/stego.png"},
		map[string]any{"filename": "moved.png", "category": "uniform_alpha", "expected_behavior": "clean"},
		map[string]any{"method": "uniform_alpha", "label": "clean", "file_path": "rgb_no_alpha/moved.png"},
		map[string]any{"method": "rgb_no_alpha", "label": "clean", "file_path": "rgb_no_alpha/n0.png"},
		`{"nothing": "useful"}`,
		`not json`,
		map[string]any{"filename": 7, "category": "rgb_no_alpha"},
		map[string]any{"filename": "photo.jpg", "category": "rgb_no_alpha", "format_type": "RGBA", "metadata": "none"},
	)
	s := tr.build(Options{})
	requireProblem(t, s, CodeManifestUnlisted, sub+"negatives/rgb_no_alpha/unlisted.png", 0)
	requireProblem(t, s, CodeManifestMissingFile, m, 2)
	requireProblem(t, s, CodeNegativeLabel, m, 3)
	requireProblem(t, s, CodeManifestMissingFile, m, 4) // uniform_alpha/moved.png is not there
	requireProblem(t, s, CodeCategoryMismatch, m, 5)
	requireProblem(t, s, CodeManifestDuplicate, m, 6)
	requireProblem(t, s, CodeManifestSchema, m, 7)
	requireProblem(t, s, CodeManifestJSON, m, 8)
	requireProblem(t, s, CodeManifestSchema, m, 9)
	requireProblem(t, s, CodeFormatTypeMismatch, m, 10)
	requireProblem(t, s, CodeManifestField, m, 10)
	if !accepted(t, s, sub+"negatives/rgb_no_alpha/unlisted.png") {
		t.Error("an unlisted negative is still served (category from its folder)")
	}
	if accepted(t, s, sub+"negatives/rgb_no_alpha/stego.png") {
		t.Error("a negative labelled stego served")
	}
	if x, _ := s.Sample(sub + "negatives/rgb_no_alpha/moved.png"); x.Category != "uniform_alpha" {
		t.Errorf("manifest category not used: %q", x.Category)
	}
	checkRest(t, s)
}

// TestNegativesWithPayload plants a payload of each of the five kinds in
// negatives: none may be served, and each problem names what was found.
func TestNegativesWithPayload(t *testing.T) {
	tr := baseTree(t)
	d := sub + "negatives/special_cases/"
	tr.write(d+"lsb_msb.png", lsbPNG(t, 101, "msb-first"))
	tr.write(d+"lsb_lsb.png", lsbPNG(t, 102, "lsb-first"))
	tr.write(d+"alpha.png", alphaPNG(t, 103))
	tr.write(d+"exif.jpg", exifJPEG(t, 104, "a hidden comment"))
	tr.write(d+"tail.gif", append(encGIF(t, picture(105, 32, 32)), "appended after the trailer"...))
	tr.write(d+"palette.gif", paletteGIF(t, "msb-first"))
	s := tr.build(Options{})
	for p, method := range map[string]string{"lsb_msb.png": "lsb.rgb msb-first", "lsb_lsb.png": "lsb.rgb lsb-first", "alpha.png": "alpha lsb-first: ai42", "exif.jpg": "exif: usercomment", "tail.gif": "raw: tail", "palette.gif": "palette msb-first"} {
		pr := requireProblem(t, s, CodePayloadInNegative, d+p, 0)
		if !strings.Contains(pr.Message, method) {
			t.Errorf("%s: message %q does not name %q", p, pr.Message, method)
		}
		if accepted(t, s, d+p) {
			t.Errorf("negative %s with a payload served", p)
		}
	}
	checkRest(t, s)
}

// paletteGIF is a GIF whose palette indices carry the secret in their LSBs.
func paletteGIF(t *testing.T, order string) []byte {
	pal := make(color.Palette, 256)
	for i := range pal {
		pal[i] = color.RGBA{uint8(i), uint8(255 - i), uint8(i / 2), 255}
	}
	m := image.NewPaletted(image.Rect(0, 0, 64, 64), pal)
	for i := range m.Pix {
		m.Pix[i] = uint8(i*7) &^ 1
	}
	embedBits(m.Pix, []byte(secret+"\x00"), order)
	return encGIF(t, m)
}

// TestNoiseNegativesNotFlagged generates noise images in every format and
// mode (and smooth pictures with uniform alpha): none may be flagged.
func TestNoiseNegativesNotFlagged(t *testing.T) {
	tr := baseTree(t)
	d := sub + "negatives/noise_lsb/"
	for i := 0; i < 12; i++ {
		seed := uint64(200 + i)
		tr.write(d+"rgba"+itoa(i)+".png", encPNG(t, noise(seed, 64+i, 48)))
		tr.write(d+"rgb"+itoa(i)+".png", encPNG(t, opaque(noise(seed+50, 48, 64+i))))
		tr.write(d+"rgb"+itoa(i)+".bmp", encBMP(t, opaque(noise(seed+100, 40, 40))))
		tr.write(d+"noise"+itoa(i)+".jpg", encJPEG(t, noise(seed+150, 40, 40)))
		tr.write(d+"noise"+itoa(i)+".gif", noiseGIF(t, seed+200))
	}
	for _, a := range []uint8{0, 1, 128, 254, 255} {
		tr.write(sub+"negatives/uniform_alpha/u"+itoa(int(a))+".png", encPNG(t, uniformAlpha(40, a)))
	}
	s := tr.build(Options{})
	for _, p := range s.Problems {
		t.Errorf("noise flagged: %s", p)
	}
}

func noiseGIF(t *testing.T, seed uint64) []byte {
	n := noise(seed, 50, 50)
	pal := make(color.Palette, 256)
	for i := range pal {
		pal[i] = color.RGBA{uint8(i), uint8(i * 3), uint8(i * 5), 255}
	}
	m := image.NewPaletted(n.Rect, pal)
	for i := range m.Pix {
		m.Pix[i] = n.Pix[4*i]
	}
	return encGIF(t, m)
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
