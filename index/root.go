package index

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// ErrNothingToServe reports a root that holds no submission folder: an
// empty folder, or one submission given where the datasets folder is wanted.
var ErrNothingToServe = errors.New("nothing to serve")

// rootProblem says what is wrong with a root whose top-level entries are
// top, or returns false when it holds a submission folder.
func rootProblem(top []fs.DirEntry) (Problem, bool) {
	var sets []string
	for _, e := range top {
		if isSubmission(e.Name()) {
			return Problem{}, false
		}
		switch n := e.Name(); {
		case (n == "clean" || n == "stego" || n == "negatives") && e.IsDir():
			sets = append(sets, n+"/")
		}
	}
	if len(sets) > 0 {
		return Problem{Severity: SeverityError, Code: CodeRootIsSubmission, Path: ".", Message: fmt.Sprintf(
			"the root holds %s: it is one submission, not the datasets folder that holds the <owner>_submission_<year> folders, so nothing is served; "+
				"name this folder <owner>_submission_<year> and pass the folder above it as --root", strings.Join(sets, ", "))}, true
	}
	return Problem{Severity: SeverityError, Code: CodeRootEmpty, Path: ".", Message: "no <owner>_submission_<year> folder in the root, so nothing is served; " +
		"--root must be the datasets folder holding the submissions (see CONTRIBUTING-DATA.md section 1)"}, true
}

// CheckRoot tells, from a listing of root alone, whether it holds a
// submission folder: an error wrapping ErrNothingToServe says what is wrong
// when it does not (for the server to refuse to start on it).
func CheckRoot(root string) error {
	top, err := os.ReadDir(root)
	if err != nil {
		return fmt.Errorf("reading the root %s: %w", root, err)
	}
	if p, bad := rootProblem(top); bad {
		return fmt.Errorf("%w in %s: %s", ErrNothingToServe, root, p.Message)
	}
	return nil
}
