package index

import (
	"errors"
	"strings"
	"testing"

	"github.com/starlight/dataserver/internal/guard"
)

// TestSafelyIsTheBoundary: a panic while checking one file becomes an
// internal problem on that file, counted and reported with its stack.
func TestSafelyIsTheBoundary(t *testing.T) {
	var got []*guard.Panic
	prev := guard.SetReporter(func(p *guard.Panic) { got = append(got, p) })
	defer guard.SetReporter(prev)
	before := guard.Count()
	r := safely(entry{path: "s_submission_2025/clean/x.png", role: roleImage}, func() *fileResult {
		var s []int
		_ = s[3] // index out of range: a bug
		return nil
	})
	if len(r.probs) != 1 || r.probs[0].Code != CodeInternal || r.probs[0].Path != "s_submission_2025/clean/x.png" || !strings.Contains(r.probs[0].Message, "index out of range") {
		t.Fatalf("result %+v", r)
	}
	if guard.Count() != before+1 || len(got) != 1 || got[0].Where != "index" || !strings.Contains(string(got[0].Stack), "TestSafelyIsTheBoundary") {
		t.Errorf("count %d -> %d, reported %v", before, guard.Count(), got)
	}
	if !errors.Is(got[0], guard.ErrPanic) {
		t.Error("not an ErrPanic")
	}
}
