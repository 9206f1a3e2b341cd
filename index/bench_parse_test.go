package index

import "testing"

var benchSidecar = []byte(`{"embedding": {"category": "pixel", "technique": "lsb.rgb", "ai42": false, "bit_order": "msb-first"}, "clean_file": "clean-0405.png"}`)

var benchUnified = []byte(`{"filename": "rgb_no_alpha_0008.png", "category": "rgb_no_alpha", "method_constraint": "alpha_detection_should_fail", "expected_behavior": "clean", "format_type": "RGB", "generation_method": "synthetic", "validation_status": "verified_clean", "metadata": {"original_source": "generate_negatives.py", "generation_params": {"seed": 101}, "extraction_results": []}}`)

var benchLegacy = []byte(`{"method": "rgb_no_alpha", "constraint": "RGB images cannot have alpha steganography", "label": "clean", "file_path": "rgb_no_alpha/rgb_no_alpha_0000.png"}`)

// BenchmarkParseSidecar parses and validates one typical sidecar.
func BenchmarkParseSidecar(b *testing.B) {
	b.SetBytes(int64(len(benchSidecar)))
	for b.Loop() {
		if _, _, err := ParseSidecar(benchSidecar); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseManifestLine parses and validates one unified and one legacy line.
func BenchmarkParseManifestLine(b *testing.B) {
	for _, c := range []struct {
		name string
		line []byte
	}{{"unified", benchUnified}, {"legacy", benchLegacy}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.line)))
			for b.Loop() {
				if _, _, err := ParseManifestLine(c.line); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
