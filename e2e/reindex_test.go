package e2e

import (
	"bytes"
	"context"
	"image"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/starlight/dataserver/client"
	"github.com/starlight/dataserver/internal/demotree"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
	"github.com/starlight/dataserver/server"
)

// TestReindexWhileStreaming changes a copy of the corpus under a running
// stream and reindexes: the stream keeps its snapshot and finishes exactly
// as an undisturbed run; a new stream sees the new snapshot.
func TestReindexWhileStreaming(t *testing.T) {
	root := demotree.Copy(t)
	srv := startInProcess(t, server.Config{Root: root})
	c := dial(t, []string{srv.addr})
	ref, _ := collect(t, c, light(31))
	old := ref[0].Snapshot

	sub := demotree.Summary(t).Submissions[0]
	removed, added := lastPNG(t, root, sub+"/clean"), sub+"/clean/e2e-added.png"
	var resp *pb.ReindexResponse
	keys, _, err := tryCollect(c, light(31), func(i int, _ *client.Batch) {
		if i != 4 {
			return
		}
		writeVariant(t, filepath.Join(root, removed), filepath.Join(root, added))
		if err := os.Remove(filepath.Join(root, removed)); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		var err error
		if resp, err = c.Reindex(ctx); err != nil {
			t.Fatalf("Reindex: %v", err)
		}
	})
	if err != nil {
		t.Fatalf("stream across the reindex failed after %d batches: %v", len(keys), err)
	}
	if err := sameKeys(keys, ref); err != nil {
		t.Fatalf("the stream running across the reindex changed: %v", err)
	}
	if resp.GetPreviousSnapshotId() != old || resp.GetSnapshotId() == old || resp.GetSnapshotId() == "" {
		t.Fatalf("reindex went %s -> %s; the streams used %s", resp.GetPreviousSnapshotId(), resp.GetSnapshotId(), old)
	}
	if !slices.Equal(resp.GetAdded(), []string{added}) || !slices.Equal(resp.GetRemoved(), []string{removed}) || len(resp.GetChanged()) != 0 {
		t.Fatalf("reindex reports added %v, removed %v, changed %v", resp.GetAdded(), resp.GetRemoved(), resp.GetChanged())
	}

	fresh, _ := collect(t, c, light(31))
	paths := map[string]bool{}
	for _, k := range fresh {
		if k.Snapshot != resp.GetSnapshotId() {
			t.Fatalf("a new stream served snapshot %s, current is %s", k.Snapshot, resp.GetSnapshotId())
		}
		for _, p := range strings.Split(k.Paths, "|") {
			paths[p] = true
		}
	}
	if !paths[added] || paths[removed] {
		t.Fatalf("new snapshot's epoch: added file served %t, removed file served %t", paths[added], paths[removed])
	}

	// The old snapshot is neither current nor held any more.
	pinned := light(31)
	pinned.SnapshotId = old
	if _, _, err := tryCollect(c, pinned, nil); status.Code(err) != codes.FailedPrecondition {
		t.Fatalf("pinning the released snapshot: %v, want FailedPrecondition", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := c.Stats(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.GetSnapshotId() != resp.GetSnapshotId() || st.GetSamples() != uint64(demotree.Summary(t).Images) {
		t.Fatalf("Stats after reindex: snapshot %s with %d samples", st.GetSnapshotId(), st.GetSamples())
	}
}

// writeVariant writes to dst the PNG image at src with one pixel changed:
// a new, valid image with other content.
// lastPNG returns the slash path (under root) of the last PNG file in dir.
func lastPNG(t *testing.T, root, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(dir)))
	if err != nil {
		t.Fatal(err)
	}
	for i := len(entries) - 1; i >= 0; i-- {
		if strings.HasSuffix(entries[i].Name(), ".png") {
			return dir + "/" + entries[i].Name()
		}
	}
	t.Fatalf("no PNG file in %s", dir)
	return ""
}

func writeVariant(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	rgba := image.NewNRGBA(img.Bounds())
	draw.Draw(rgba, rgba.Bounds(), img, img.Bounds().Min, draw.Src)
	rgba.Pix[0] ^= 0xFF
	rgba.Pix[3] = 0xFF
	var out bytes.Buffer
	if err := png.Encode(&out, rgba); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
