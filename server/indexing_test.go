package server

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/starlight/dataserver/demo"
	"github.com/starlight/dataserver/feed"
	"github.com/starlight/dataserver/index"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// TestRestartReadsIndexStore serves the demo tree with a cache dir three
// times: the second start reaches SERVING with the cold snapshot id and
// decodes nothing (no stream reaches the memory cache, which every index
// decode warms); after garbage is written into the store, the third start
// logs it, rebuilds, and agrees again.
func TestRestartReadsIndexStore(t *testing.T) {
	sum, err := demo.Write(t.TempDir(), demo.Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Root: sum.Dir, CacheDir: t.TempDir()}
	serve := func() (id string, warmed int, logs *observer.ObservedLogs) {
		core, logs := observer.New(zapcore.InfoLevel)
		r := startLogged(t, cfg, zap.New(core), true)
		id = r.srv.Catalog().Current().ID()
		warmed = r.srv.Feed().Stats().CacheEntries
		if err := r.stop(t); err != nil {
			t.Fatal(err)
		}
		return id, warmed, logs
	}
	cold, warmed, _ := serve()
	if warmed == 0 {
		t.Fatal("the cold start decoded nothing: the test cannot tell a restart apart")
	}
	again, warmed, _ := serve()
	if again != cold || warmed != 0 {
		t.Errorf("restart: snapshot %s (cold %s), %d images decoded, want the same id and 0", again, cold, warmed)
	}
	if err := os.WriteFile(index.StorePath(cfg.CacheDir, cfg.Root), []byte("not a bbolt file at all"), 0o600); err != nil {
		t.Fatal(err)
	}
	rebuilt, warmed, logs := serve()
	if rebuilt != cold || warmed == 0 {
		t.Errorf("after garbage: snapshot %s (cold %s), %d decoded; want the same id, all decoded", rebuilt, cold, warmed)
	}
	if n := logs.FilterMessage("index store untrusted: moved aside, rebuilding").Len(); n != 1 {
		t.Errorf("%d log lines about the untrusted store, want 1: %v", n, logs.All())
	}
}

// TestIndexProgressLogged holds the real index build half way until the
// server has logged its progress (files done and total, rate, eta).
func TestIndexProgressLogged(t *testing.T) {
	sum, err := demo.Write(t.TempDir(), demo.Options{Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer func(d time.Duration) { progressEvery = d }(progressEvery)
	progressEvery = 10 * time.Millisecond
	core, logs := observer.New(zapcore.InfoLevel)
	var half, total int
	build := func(ctx context.Context, root string, opts index.Options) (*index.Snapshot, error) {
		inner := opts.Progress
		opts.Progress = func(done, n int) {
			inner(done, n)
			if done != n/2 {
				return
			}
			half, total = done, n
			deadline := time.Now().Add(30 * time.Second)
			for !loggedAt(logs, done) && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
		}
		return index.Build(ctx, root, opts)
	}
	r := startLogged(t, Config{Root: sum.Dir, Build: build}, zap.New(core), true)
	defer r.stop(t)
	st, err := pb.NewDataServiceClient(dial(t, r.addr)).Stats(context.Background(), &pb.StatsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if ix := st.GetIndexing(); ix.GetRunning() || ix.GetDone() != uint64(total) || ix.GetTotal() != uint64(total) {
		t.Errorf("Stats after the build: indexing %v, want not running, %d of %d done", ix, total, total)
	}
	if !loggedAt(logs, half) {
		t.Fatalf("no indexing line while the build was held half way: %v", logs.All())
	}
	var f map[string]any
	for _, l := range logs.FilterMessage("indexing").All() {
		if m := l.ContextMap(); m["done"] == int64(half) {
			f = m
		}
	}
	if f["done"] != int64(half) || f["total"] != int64(total) || f["files_per_second"].(float64) <= 0 || f["eta"].(time.Duration) <= 0 {
		t.Errorf("indexing line %v, want done %d of %d with a rate and an eta", f, half, total)
	}
}

// loggedAt tells whether an indexing line with done files was logged.
func loggedAt(logs *observer.ObservedLogs, done int) bool {
	return logs.FilterMessage("indexing").FilterField(zap.Int("done", done)).Len() > 0
}

// TestDiskCacheCorruptionLoggedAndCounted: after a restart (memory cache
// empty), disk entries damaged on disk are refused, logged once per
// DiskReportEvery, and counted in /metrics.
func TestDiskCacheCorruptionLoggedAndCounted(t *testing.T) {
	sum, err := demo.Write(t.TempDir(), demo.Options{Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Root: sum.Dir, CacheDir: t.TempDir()}
	r := start(t, cfg, true)
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	var damaged int
	filepath.WalkDir(cfg.CacheDir, func(p string, e fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".dsc") {
			data, _ := os.ReadFile(p)
			data[len(data)/2] ^= 0x10
			os.WriteFile(p, data, 0o644)
			damaged++
		}
		return nil
	})
	if damaged < 3 {
		t.Fatalf("only %d disk cache entries to damage", damaged)
	}
	core, logs := observer.New(zapcore.InfoLevel)
	r = startLogged(t, cfg, zap.New(core), true)
	v := r.srv.Catalog().Current()
	for _, s := range v.Served[:3] {
		if _, err := r.srv.Feed().Load(context.Background(), sum.Dir, &s); err != nil {
			t.Fatalf("%s not served from its file after its disk entry was damaged: %v", s.Path, err)
		}
	}
	if n := logs.FilterMessage("disk cache problem").FilterField(zap.String("kind", feed.DiskCorrupt)).Len(); n != 1 {
		t.Errorf("%d log lines for 3 damaged entries, want 1 (rate-limited): %v", n, logs.All())
	}
	mfs, err := r.srv.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	var got float64 = -1
	for _, mf := range mfs {
		if mf.GetName() == "dataserver_disk_cache_corrupt_total" {
			got = mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	if got != 3 {
		t.Errorf("dataserver_disk_cache_corrupt_total = %v, want 3", got)
	}
}
