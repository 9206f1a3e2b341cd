package main

import (
	"flag"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/starlight/dataserver/feed"
	"github.com/starlight/dataserver/server"
)

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "1024": 1024, "512MiB": 512 << 20, "1GiB": 1 << 30, "2 GB": 2e9, "7B": 7} {
		got, err := parseBytes(in)
		if err != nil || got != want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1", "1.5GiB", "GiB", "99999999999TiB", "12XB"} {
		if _, err := parseBytes(in); err == nil {
			t.Errorf("parseBytes(%q) accepted", in)
		}
	}
}

// TestServeFlagsFromEnv: a DATASERVER_* variable sets its flag unless the
// flag is on the command line.
func TestServeFlagsFromEnv(t *testing.T) {
	t.Setenv("DATASERVER_ROOT", "/from/env")
	t.Setenv("DATASERVER_ADDR", "127.0.0.1:1")
	t.Setenv("DATASERVER_SEND_TIMEOUT", "7s")
	t.Setenv("DATASERVER_CACHE_BYTES", "3MiB")
	fl := flag.NewFlagSet("serve", flag.ContinueOnError)
	build := serveFlags(fl)
	if err := fl.Parse([]string{"--addr", "127.0.0.1:2"}); err != nil {
		t.Fatal(err)
	}
	if err := applyEnv(fl); err != nil {
		t.Fatal(err)
	}
	cfg, err := build()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Root != "/from/env" || cfg.Addr != "127.0.0.1:2" || cfg.SendTimeout != 7*time.Second || cfg.CacheBytes != 3<<20 {
		t.Fatalf("config %+v", cfg)
	}
	t.Setenv("DATASERVER_MAX_STREAMS", "many")
	fl = flag.NewFlagSet("serve", flag.ContinueOnError)
	serveFlags(fl)
	fl.Parse(nil)
	if err := applyEnv(fl); err == nil {
		t.Fatal("a bad DATASERVER_MAX_STREAMS was accepted")
	}
}

// FuzzParseBytes: no input panics; accepted sizes are non-negative.
func FuzzParseBytes(f *testing.F) {
	for _, s := range []string{"1GiB", "0", "12 MB", "-3", "9223372036854775807"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n, err := parseBytes(s); err == nil && n < 0 {
			t.Fatalf("%q parsed to %d", s, n)
		}
	})
}

// TestServeDefaultsAreTheLibraries: with no flag set, serve configures the
// feed's and the server's own defaults (one source: feed.Default*,
// server.Default*), and the usage shows them.
func TestServeDefaultsAreTheLibraries(t *testing.T) {
	fl := flag.NewFlagSet("serve", flag.ContinueOnError)
	build := serveFlags(fl)
	if err := fl.Parse(nil); err != nil {
		t.Fatal(err)
	}
	cfg, err := build()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.CacheBytes != feed.DefaultCacheBytes || cfg.DiskCacheBytes != feed.DefaultDiskCacheBytes ||
		cfg.MemoryBudget != feed.DefaultMemoryBudget || cfg.MaxSendBytes != server.DefaultMaxSendBytes ||
		cfg.MaxStreams != server.DefaultMaxStreams || cfg.SendTimeout != server.DefaultSendTimeout ||
		cfg.GracePeriod != server.DefaultGracePeriod || cfg.Addr != server.DefaultAddr || cfg.MetricsAddr != server.DefaultMetricsAddr {
		t.Errorf("serve's defaults %+v differ from the libraries'", cfg)
	}
	if u := fl.Lookup("prefetch").Usage; !strings.Contains(u, fmt.Sprintf("0: %d", feed.DefaultPrefetch)) {
		t.Errorf("prefetch usage %q", u)
	}
	for _, n := range []int64{1, 1000, 1 << 10, 512 << 20, 1 << 30, 3 << 40, 1536} {
		if got, err := parseBytes(formatBytes(n)); err != nil || got != n {
			t.Errorf("formatBytes(%d) = %q, read back as %d, %v", n, formatBytes(n), got, err)
		}
	}
}
