package gif_test

import "testing"

// TestCorpus decodes every GIF of the reference corpus (chosen by magic
// bytes) and compares mode, size, planes and the pixel-derived stream
// digests with expected.jsonl, and the full RGB with reference_rgb where
// it exists.
func TestCorpus(t *testing.T) {
	gifCodec.Corpus(t)
}
