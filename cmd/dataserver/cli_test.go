package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/starlight/dataserver/client"
	"github.com/starlight/dataserver/internal/demotree"
	"github.com/starlight/dataserver/internal/testbin"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
	"github.com/starlight/dataserver/server"
)

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	demotree.Remove()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// binary builds the dataserver command once for the tests that run it as a process.
func binary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "dataserver-cli-"); binErr == nil {
			binPath, binErr = testbin.Build(binDir, false)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// run runs the command and returns its stderr and exit status.
func run(t *testing.T, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return stderr.String(), 0
	case errors.As(err, &ee):
		return stderr.String(), ee.ExitCode()
	}
	t.Fatal(err)
	return "", -1
}

// TestSubcommandHelp: every subcommand's -h names the command and says in
// one line what it does, and exits 0.
func TestSubcommandHelp(t *testing.T) {
	if len(commands) < 8 {
		t.Fatalf("%d commands registered", len(commands))
	}
	for name, c := range commands {
		out, code := run(t, name, "-h")
		if code != 0 {
			t.Errorf("%s -h: exit %d", name, code)
		}
		if !strings.HasPrefix(out, "usage: dataserver "+name) || !strings.Contains(out, "\n"+c.summary+"\n") {
			t.Errorf("%s -h does not name the command and its summary:\n%s", name, out)
		}
	}
	if out, code := run(t, "-h"); code != 0 || !strings.Contains(out, "commands:") {
		t.Errorf("dataserver -h: exit %d\n%s", code, out)
	}
	if _, code := run(t); code != 2 {
		t.Errorf("dataserver with no command: exit %d, want 2", code)
	}
	if out, code := run(t, "stats", "--no-such-flag"); code != 2 || !strings.Contains(out, "no-such-flag") {
		t.Errorf("bad flag: exit %d\n%s", code, out)
	}
}

// TestRequiredRoot: a command without its --root says that --root is missing.
func TestRequiredRoot(t *testing.T) {
	for _, name := range []string{"serve", "validate", "migrate", "digest"} {
		out, code := run(t, name)
		if code != 2 || !strings.HasPrefix(out, "dataserver "+name+": --root") || !strings.Contains(out, "is required") {
			t.Errorf("%s without --root: exit %d\n%s", name, code, out)
		}
	}
}

func TestReindexOutputEndsWithNewline(t *testing.T) {
	var b bytes.Buffer
	printReindex(&b, "127.0.0.1:1", &pb.ReindexResponse{SnapshotId: "abc", Added: []string{"a", "b", "c"},
		NewProblems: []*pb.Problem{{Path: "p", Code: "c", Message: "m"}}}, 1)
	if s := b.String(); !strings.HasSuffix(s, "\n") || !strings.Contains(s, "... 2 more\n") {
		t.Errorf("output:\n%q", s)
	}
}

// TestResumeNotice: nine failed attempts in a row give one line, and a
// new run of failures after a batch gives one more.
func TestResumeNotice(t *testing.T) {
	var b bytes.Buffer
	hook := resumeNotice(&b)
	for a := 1; a <= 9; a++ {
		hook(client.ResumeEvent{Attempt: a, Err: errors.New("connection refused")})
	}
	if n := strings.Count(b.String(), "\n"); n != 1 || !strings.Contains(b.String(), "connection refused") {
		t.Errorf("%d lines:\n%s", n, b.String())
	}
	hook(client.ResumeEvent{Attempt: 1, Err: errors.New("reset")})
	if n := strings.Count(b.String(), "\n"); n != 2 {
		t.Errorf("%d lines after a second failure run", n)
	}
}

// TestDigestProgress: with a progress writer, digest draws a bar there and
// the digest lines still go to out only.
func TestDigestProgress(t *testing.T) {
	root := t.TempDir()
	for i := 0; i < 3; i++ {
		writePNG(t, filepath.Join(root, "x", string(rune('a'+i))+".png"), i+1)
	}
	var out, bar bytes.Buffer
	if err := runDigest(context.Background(), []string{"--root", root}, &out, &bar); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), "\n"); n != 3 || strings.Contains(out.String(), "digesting") {
		t.Errorf("digest output (%d lines):\n%s", n, out.String())
	}
	if !strings.Contains(bar.String(), "digesting") || !strings.Contains(bar.String(), "/3") {
		t.Errorf("progress: %q", bar.String())
	}
	out.Reset()
	if err := runDigest(context.Background(), []string{"--root", root}, &out, nil); err != nil || strings.Count(out.String(), "\n") != 3 {
		t.Errorf("without a bar: %v\n%s", err, out.String())
	}
}

// TestDemoHints: the demo's suggestions name a command that runs as printed.
func TestDemoHints(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "dataserver")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	onPath := func(string) (string, error) { return bin, nil }
	notFound := func(string) (string, error) { return "", exec.ErrNotFound }
	for _, c := range []struct {
		exe  string
		look func(string) (string, error)
		want string
	}{
		{bin, onPath, "dataserver"},
		{bin, notFound, bin},
		{"/tmp/go-build123/b001/exe/dataserver", notFound, "go run ./cmd/dataserver"},
		{"/tmp/go-build123/b001/exe/dataserver", onPath, "go run ./cmd/dataserver"},
		{"/opt/other/dataserver", onPath, "/opt/other/dataserver"},
	} {
		if got := selfCommand(c.exe, c.look); got != c.want {
			t.Errorf("selfCommand(%s) = %q, want %q", c.exe, got, c.want)
		}
	}
	h := demoHints("go run ./cmd/dataserver", "127.0.0.1:5")
	if !strings.Contains(h, "  go run ./cmd/dataserver stats --addr 127.0.0.1:5\n") || !strings.Contains(h, `grpcurl -plaintext -d '{"batch_size": 4`) {
		t.Errorf("hints:\n%s", h)
	}
}

// TestStatsSaysWhereExtractionHappened: with nothing extracted on demand the
// stats output says the index's cache served, not "0 images".
func TestStatsSaysWhereExtractionHappened(t *testing.T) {
	var b bytes.Buffer
	st := &pb.StatsResponse{Serving: &pb.ServingStats{CacheHits: 800, CacheEntries: 79, WarmedAtIndex: 79, Extraction: &pb.LatencySummary{}}}
	if err := printStats(&b, st, 0); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "extraction while indexing: 79 images put in the cache\nextraction on demand: none; every image served came from the cache") {
		t.Errorf("output:\n%s", b.String())
	}
	b.Reset()
	st.Serving.Extraction = &pb.LatencySummary{Count: 3, MeanSeconds: 0.002}
	if err := printStats(&b, st, 0); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "extraction on demand (cache misses): 3 images, mean 2ms") {
		t.Errorf("output:\n%s", b.String())
	}
}

// TestRootWithNothingToServe: serve and validate pointed at an empty folder
// or at one submission say so and exit 1.
func TestRootWithNothingToServe(t *testing.T) {
	empty := t.TempDir()
	datasets := t.TempDir()
	writePNG(t, filepath.Join(datasets, "x_submission_2025", "clean", "a.png"), 3)
	one := filepath.Join(datasets, "x_submission_2025")
	for _, c := range []struct {
		root, want string
	}{{empty, "no <owner>_submission_<year> folder"}, {one, "it is one submission"}} {
		out, code := run(t, "serve", "--root", c.root, "--addr", "127.0.0.1:0", "--metrics-addr", "")
		if code != 1 || !strings.Contains(out, "nothing to serve") || !strings.Contains(out, c.want) {
			t.Errorf("serve --root %s: exit %d\n%s", c.root, code, out)
		}
		var b bytes.Buffer
		err := validate(context.Background(), []string{"--root", c.root}, &b, false)
		var ec exitCode
		if !errors.As(err, &ec) || ec != 1 || !strings.Contains(b.String(), c.want) || strings.Contains(b.String(), "no problems") {
			t.Errorf("validate --root %s: %v\n%s", c.root, err, b.String())
		}
	}
}

// TestPullProgress: with a progress writer, pull draws its bar there over
// the batches asked for, and prints nothing of it without one.
func TestPullProgress(t *testing.T) {
	srv, err := server.New(server.Config{Root: demotree.Root(t), MetricsAddr: ""}, nil)
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, lis) }()
	defer func() { cancel(); <-done }()
	args := []string{"--addr", lis.Addr().String(), "--batches", "6", "--batch-size", "4", "--streams", "format", "--json"}
	var notices, bar bytes.Buffer
	if err := runPull(context.Background(), args, &notices, &bar); err != nil {
		t.Fatalf("%v\n%s", err, notices.String())
	}
	if !strings.Contains(bar.String(), "pulling") || !strings.Contains(bar.String(), "/6") {
		t.Errorf("progress: %q", bar.String())
	}
}

// TestPullDeadPort: pull against an address where nothing listens prints
// one notice, then an error that says what to do.
func TestPullDeadPort(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	lis.Close() // a port nothing listens on
	out, code := run(t, "pull", "--addr", addr, "--batches", "2")
	if code != 1 || strings.Count(out, "stream interrupted") != 1 || !strings.Contains(out, "no server answered at "+addr) {
		t.Errorf("exit %d\n%s", code, out)
	}
}
