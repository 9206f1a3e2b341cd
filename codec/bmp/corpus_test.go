package bmp_test

import "testing"

// TestCorpus decodes every BMP of the reference corpus (chosen by magic
// bytes) and compares mode, size, planes and the pixel-derived stream
// digests with expected.jsonl, and the full RGB with reference_rgb where
// it exists.
func TestCorpus(t *testing.T) {
	bmpCodec.Corpus(t)
}
