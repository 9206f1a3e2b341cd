package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/starlight/dataserver/internal/corpustest"
)

// run runs the dataserver command with args (60s at most) and returns its
// standard output; a failure fails the test.
func run(t *testing.T, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	var stderr syncBuffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("dataserver %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// TestCommands drives stats, pull and reindex against a served corpus.
func TestCommands(t *testing.T) {
	root := corpustest.Datasets(t)
	addr := freeAddr(t)
	p := startProcess(t, root, addr)
	waitProcess(t, p)

	var st struct {
		SnapshotID string `json:"snapshotId"`
		Samples    string `json:"samples"`
	}
	if err := json.Unmarshal(run(t, "stats", "--addr", addr, "--json"), &st); err != nil {
		t.Fatal(err)
	}
	if st.Samples != "176" || st.SnapshotID == "" {
		t.Fatalf("stats --json: %+v", st)
	}
	table := string(run(t, "stats", "--addr", addr))
	if !regexp.MustCompile(`total\s+negative\s+28\s+\d+`).MatchString(table) {
		t.Fatalf("stats table has no negative total of 28:\n%s", table)
	}

	var rep struct {
		Total struct {
			Batches int `json:"batches"`
			Samples int `json:"samples"`
		} `json:"total"`
		Peers []string `json:"peers"`
	}
	out := run(t, "pull", "--addr", addr, "--batches", "5", "--batch-size", "4", "--mix", "2:1:1", "--streams", "format,lsb", "--json")
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Total.Batches != 5 || rep.Total.Samples != 20 || len(rep.Peers) != 1 || rep.Peers[0] != addr {
		t.Fatalf("pull --json: %s", out)
	}
	if !regexp.MustCompile(`splits: train \d+ samples \(\d+ groups\), val \d+ samples`).MatchString(table) {
		t.Errorf("stats table has no split line:\n%s", table)
	}
	var sp struct {
		Splits []struct {
			Split   string `json:"split"`
			Samples string `json:"samples"`
		} `json:"splits"`
	}
	if err := json.Unmarshal(run(t, "stats", "--addr", addr, "--json"), &sp); err != nil || len(sp.Splits) != 3 || sp.Splits[1].Split != "val" {
		t.Fatalf("stats --json splits: %+v, %v", sp, err)
	}
	out = run(t, "pull", "--addr", addr, "--split", "val", "--evaluation", "--batch-size", "1", "--streams", "format", "--json")
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(rep.Total.Samples) != sp.Splits[1].Samples {
		t.Fatalf("pull --split val --evaluation: %d samples, val holds %s", rep.Total.Samples, sp.Splits[1].Samples)
	}

	var ri struct {
		SnapshotID         string `json:"snapshotId"`
		PreviousSnapshotID string `json:"previousSnapshotId"`
	}
	if err := json.Unmarshal(run(t, "reindex", "--addr", addr, "--json"), &ri); err != nil {
		t.Fatal(err)
	}
	if ri.SnapshotID != st.SnapshotID || ri.PreviousSnapshotID != st.SnapshotID {
		t.Fatalf("reindex of an unchanged tree: %+v, snapshot was %s", ri, st.SnapshotID)
	}
}

// TestDemoCommand runs `dataserver demo` on a free port: it serves its
// generated tree, and an interrupt stops it and removes the tree.
func TestDemoCommand(t *testing.T) {
	needBinary(t)
	addr := freeAddr(t)
	cmd := exec.Command(binary, "demo", "--addr", addr)
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			cmd.Process.Kill()
			<-done
		}
	})
	waitReady(t, []string{addr}, nil)
	var st struct {
		Samples string `json:"samples"`
	}
	if err := json.Unmarshal(run(t, "stats", "--addr", addr, "--json"), &st); err != nil {
		t.Fatal(err)
	}
	if st.Samples == "" || st.Samples == "0" {
		t.Fatalf("demo serves %q samples", st.Samples)
	}
	m := regexp.MustCompile(`serving (\S+) on `).FindStringSubmatch(stderr.String())
	if m == nil {
		t.Fatalf("demo did not say where its tree is:\n%s", stderr)
	}
	if _, err := os.Stat(m[1]); err != nil {
		t.Fatalf("demo tree %s: %v", m[1], err)
	}
	cmd.Process.Signal(syscall.SIGINT)
	select {
	case err := <-done:
		stopped = true
		if err != nil {
			t.Fatalf("demo exited with %v:\n%s", err, stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("demo did not stop within 30s of SIGINT")
	}
	if _, err := os.Stat(m[1]); !os.IsNotExist(err) {
		t.Fatalf("demo left its temporary tree %s behind (%v)", m[1], err)
	}
}
