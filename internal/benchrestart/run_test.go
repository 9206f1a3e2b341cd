package benchrestart

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/starlight/dataserver/internal/testbin"
)

// TestRunSmall runs the benchmark over 40 small images with the real
// binary: three starts reach SERVING, the index store and the disk cache
// are written, the unchanged restart serves the cold snapshot, and the
// restart after the rewrite another one.
func TestRunSmall(t *testing.T) {
	exe, err := testbin.Build(t.TempDir(), false)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var out bytes.Buffer
	res, err := Run(context.Background(), Options{Dir: dir, Images: 40, Side: 24, Changed: 0.1, Exe: exe}, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	t.Log("\n" + out.String())
	if len(res) != 3 || res[2].Phase != "restart, 4 changed" {
		t.Fatalf("results %+v", res)
	}
	for _, r := range res {
		if r.ToServing <= 0 || r.CPU <= 0 || r.StoreBytes == 0 || r.CacheBytes == 0 {
			t.Errorf("%s: %+v", r.Phase, r)
		}
	}
	logs, _ := filepath.Glob(filepath.Join(dir, "serve-*.log"))
	snap := regexp.MustCompile(`"msg":"index ready","snapshot":"([0-9a-f]+)"`)
	var ids []string
	for _, l := range logs { // named by start time: in order
		b, _ := os.ReadFile(l)
		if m := snap.FindSubmatch(b); m != nil {
			ids = append(ids, string(m[1]))
		}
	}
	if len(ids) != 3 || ids[0] != ids[1] || ids[1] == ids[2] {
		t.Errorf("snapshot ids of the three starts %v: want cold = unchanged != changed", ids)
	}
	if !strings.Contains(out.String(), "faster than cold") {
		t.Errorf("no summary line:\n%s", out.String())
	}
}
