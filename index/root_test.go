package index

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// TestRootIsNotDatasets: an empty root and a root that is one submission
// are errors that say what to pass instead, and nothing of the submission
// is offered as misplaced data.
func TestRootIsNotDatasets(t *testing.T) {
	empty := newTree(t)
	s := empty.build(Options{})
	if len(s.Problems) != 1 || s.Problems[0].Code != CodeRootEmpty || s.Problems[0].Severity != SeverityError {
		t.Fatalf("empty root: problems\n%s", dump(s))
	}
	if err := CheckRoot(empty.root); !errors.Is(err, ErrNothingToServe) || !strings.Contains(err.Error(), "<owner>_submission_<year>") {
		t.Errorf("CheckRoot(empty): %v", err)
	}

	tr := baseTree(t)
	one := filepath.Join(tr.root, filepath.FromSlash(strings.TrimSuffix(sub, "/")))
	s = (&tree{t: t, root: one}).build(Options{})
	if len(s.Problems) != 1 || s.Problems[0].Code != CodeRootIsSubmission || len(s.Samples) != 0 {
		t.Fatalf("a submission as the root: %d samples, problems\n%s", len(s.Samples), dump(s))
	}
	if m := s.Problems[0].Message; !strings.Contains(m, "clean/") || !strings.Contains(m, "folder above it as --root") {
		t.Errorf("message %q", m)
	}
	if err := CheckRoot(one); !errors.Is(err, ErrNothingToServe) {
		t.Errorf("CheckRoot(submission): %v", err)
	}
	if err := CheckRoot(tr.root); err != nil {
		t.Errorf("CheckRoot(datasets): %v", err)
	}
	if err := CheckRoot(filepath.Join(tr.root, "none")); err == nil || errors.Is(err, ErrNothingToServe) {
		t.Errorf("CheckRoot(missing): %v", err)
	}
}
