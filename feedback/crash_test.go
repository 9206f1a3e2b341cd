package feedback

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// crashEnv names the store file the crash child writes to.
const crashEnv = "FEEDBACK_CRASH_CHILD_STORE"

// TestCrashChild is the child of TestSurvivesSIGKILL: it reports messages
// of 100 records forever, printing the records committed after each.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("child of TestSurvivesSIGKILL only")
	}
	s, err := Open(Options{Path: path})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	total := 0
	for m := 0; ; m++ {
		recs := make([]Record, 100)
		for i := range recs {
			recs[i] = Record{ContentID: id((m*100 + i) % 5000), Epoch: uint64(m / 50), Loss: float32(i%17) / 4}
		}
		acc, _, err := s.Report("crash-run", recs, nil)
		if err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		total += acc
		fmt.Println("committed", total)
	}
}

// TestSurvivesSIGKILL kills a process in the middle of its reports with
// SIGKILL: every report it was told was committed is in the reopened store,
// which opens cleanly, and at most the one message in flight is beyond.
func TestSurvivesSIGKILL(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	committed := 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "error") {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("child: %s", line)
		}
		if n, ok := strings.CutPrefix(line, "committed "); ok {
			committed, _ = strconv.Atoi(n)
			if committed >= 3000 {
				break
			}
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for sc.Scan() { // lines written before the kill landed
		if n, ok := strings.CutPrefix(sc.Text(), "committed "); ok {
			committed, _ = strconv.Atoi(n)
		}
	}
	cmd.Wait()
	if committed < 3000 {
		t.Fatalf("child stopped after %d records", committed)
	}
	s := open(t, Options{Path: path})
	runs := s.Runs()
	if len(runs) != 1 || runs[0].Records < uint64(committed) || runs[0].Records > uint64(committed)+100 {
		t.Fatalf("after SIGKILL: runs %+v, want crash-run with %d..%d records", runs, committed, committed+100)
	}
	top, err := s.Hardest("crash-run", 3)
	if err != nil || len(top) != 3 || top[0].Loss <= 0 {
		t.Fatalf("hardest after SIGKILL: %+v, %v", top, err)
	}
	tab, err := s.Freeze("crash-run", 9)
	if err != nil || uint64(tab.Len()) != runs[0].Samples {
		t.Fatalf("freeze after SIGKILL: %d entries of %d samples, %v", tab.Len(), runs[0].Samples, err)
	}
	t.Logf("SIGKILL after %d committed records: %d recorded over %d samples", committed, runs[0].Records, runs[0].Samples)
}
