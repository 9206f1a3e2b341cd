package main

import (
	"strings"
	"testing"

	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

func TestPrintRuns(t *testing.T) {
	var b strings.Builder
	err := printRuns(&b, []*pb.RunStats{{Run: "exp-1", Samples: 2, Records: 7, LastEpoch: 3, Hardest: []*pb.HardSample{
		{Path: "a_submission_2025/negatives/rgb_no_alpha/n_001.png", ContentId: strings.Repeat("a", 64), Kind: pb.Kind_KIND_NEGATIVE,
			Category: "rgb_no_alpha", Loss: 2.5, Reports: 4},
		{ContentId: strings.Repeat("b", 64), Kind: pb.Kind_KIND_UNSPECIFIED, Loss: 0.25, Reports: 3},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{`feedback run "exp-1": 2 samples, 7 loss records, last epoch 3`, "2.5", "negative", "rgb_no_alpha",
		"a_submission_2025/negatives/rgb_no_alpha/n_001.png", "(not served now) " + strings.Repeat("b", 64)} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
