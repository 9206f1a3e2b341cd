package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/starlight/dataserver/feed"
	"github.com/starlight/dataserver/internal/testbin"
)

func readme(t *testing.T) string {
	t.Helper()
	root, err := testbin.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReadmeDefaultStreams: the README's list of the default streams is
// what the server sends when a request names none.
func TestReadmeDefaultStreams(t *testing.T) {
	m := regexp.MustCompile(`the default streams\s+\(([^;)]*)`).FindStringSubmatch(readme(t))
	if m == nil {
		t.Fatal("README names no default streams")
	}
	var want []string
	for _, s := range feed.DefaultStreams {
		want = append(want, s.Name())
	}
	if got := strings.Join(strings.Fields(m[1]), " "); got != strings.Join(want, ", ") {
		t.Errorf("README's default streams %q, the server's %q", got, strings.Join(want, ", "))
	}
}

// TestReadmeFirstScreen: the first screen tells how to get the binary and
// shows the demo's grpcurl call word for word.
func TestReadmeFirstScreen(t *testing.T) {
	r := readme(t)
	for _, want := range []string{"go install ./cmd/dataserver", "    dataserver demo\n",
		strings.TrimSpace(strings.Split(demoHints("dataserver", "127.0.0.1:50051"), "\n")[2])} {
		if !strings.Contains(r, want) {
			t.Errorf("README lacks %q", want)
		}
	}
}
