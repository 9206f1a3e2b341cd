package png_test

import "testing"

// TestCorpus decodes every PNG of the reference corpus (chosen by magic
// bytes) and compares mode, size, planes and the pixel-derived stream
// digests with expected.jsonl, and the full RGB with reference_rgb where
// it exists.
func TestCorpus(t *testing.T) {
	_, refs := pngCodec.Corpus(t)
	if refs < 3 {
		t.Errorf("only %d PNG files had a reference RGB decoding; the corpus has three (bilevel, gray16, LA)", refs)
	}
}
