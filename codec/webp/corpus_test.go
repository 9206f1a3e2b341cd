package webp_test

import "testing"

// TestCorpusParity decodes every WebP of the reference corpus (chosen by
// magic bytes) and compares mode, size, planes and the pixel-derived
// stream digests with expected.jsonl, and the full RGB with reference_rgb
// where it exists.
func TestCorpusParity(t *testing.T) {
	webpCodec.Corpus(t)
}
