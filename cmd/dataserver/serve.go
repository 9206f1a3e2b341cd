package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/starlight/dataserver/feed"
	"github.com/starlight/dataserver/feedback"
	"github.com/starlight/dataserver/index"
	"github.com/starlight/dataserver/server"
)

func init() {
	register(command{
		name:    "serve",
		summary: "index a dataset tree and serve training batches over gRPC",
		run:     runServe,
	})
}

func runServe(ctx context.Context, args []string) error {
	fl := flag.NewFlagSet("serve", flag.ContinueOnError)
	fl.Usage = func() {
		fmt.Fprintf(fl.Output(), "usage: dataserver serve --root DIR [--addr HOST:PORT] [flags]\n\n%s\n\nEvery flag can also be set by its DATASERVER_* environment variable\n(--cache-dir -> DATASERVER_CACHE_DIR); a flag on the command line wins.\n\nflags:\n", commands["serve"].summary)
		fl.PrintDefaults()
	}
	build := serveFlags(fl)
	logLevel := fl.String("log-level", "info", "log level: debug, info, warn or error")
	if err := parseFlags(fl, args); err != nil {
		return err
	}
	if err := applyEnv(fl); err != nil {
		return err
	}
	cfg, err := build()
	if err != nil {
		return err
	}
	if cfg.Root == "" {
		return missing(fl, "--root (or DATASERVER_ROOT) is required: the datasets folder holding the *_submission_* folders")
	}
	if err := index.CheckRoot(cfg.Root); err != nil {
		return err
	}
	log, err := newLogger(*logLevel)
	if err != nil {
		return err
	}
	defer log.Sync()
	setMemoryLimit(cfg.MemoryBudget, log)
	return server.Run(ctx, cfg, log)
}

// serveFlags defines the server's flags on fl and returns a function that
// builds the configuration once fl is parsed (and applyEnv has run).
func serveFlags(fl *flag.FlagSet) func() (server.Config, error) {
	root := fl.String("root", "", "dataset tree to serve (required)")
	addr := fl.String("addr", server.DefaultAddr, "gRPC listen address")
	metrics := fl.String("metrics-addr", server.DefaultMetricsAddr, "HTTP address of /metrics; empty disables it")
	tokens := fl.String("tokens-file", "", `JSON array of {"name","role","token"} (role trainer|dashboard|operator); none: no auth, loopback only`)
	cert := fl.String("tls-cert", "", "TLS certificate (PEM); with --tls-key turns TLS on")
	key := fl.String("tls-key", "", "TLS private key (PEM)")
	public := fl.Bool("allow-insecure-public", false, "allow listening beyond loopback without tokens")
	cacheDir := fl.String("cache-dir", "", "keep the index and extracted streams on disk here, so a restart does not read unchanged images again")
	stateDir := fl.String("state-dir", "", "keep the loss feedback (feedback.db) here; default --cache-dir, neither: lost at exit")
	fbRuns := fl.Int("feedback-max-runs", feedback.DefaultMaxRuns, "loss feedback runs kept (the least recently written goes first)")
	fbAge := fl.Duration("feedback-max-age", feedback.DefaultMaxAge, "drop a loss feedback run not written for this long")
	cacheBytes := fl.String("cache-bytes", formatBytes(feed.DefaultCacheBytes), "in-memory stream cache bound (its bytes count in --memory-budget)")
	diskBytes := fl.String("disk-cache-bytes", formatBytes(feed.DefaultDiskCacheBytes), "disk stream cache budget (with --cache-dir)")
	budget := fl.String("memory-budget", formatBytes(feed.DefaultMemoryBudget), "memory for everything held for batches, all streams together: one batch reserved per stream, batches assembled ahead and being written, and the memory cache (which yields first); also sets the Go memory limit to this plus 256MiB unless GOMEMLIMIT is set")
	budgetWait := fl.Duration("budget-wait", feed.DefaultBudgetWait, "how long a stream waits for its share of --memory-budget before it ends RESOURCE_EXHAUSTED")
	maxStreams := fl.Int("max-streams", server.DefaultMaxStreams, "StreamBatches calls running at once")
	sendTimeout := fl.Duration("send-timeout", server.DefaultSendTimeout, "end a stream whose consumer takes no batch for this long")
	grace := fl.Duration("grace-period", server.DefaultGracePeriod, "drain time at shutdown before streams are cut")
	workers := fl.Int("workers", 0, "images extracted at once (0: one per core)")
	prefetch := fl.Int("prefetch", 0, fmt.Sprintf("batches assembled ahead per stream (0: %d, -1: none)", feed.DefaultPrefetch))
	maxMsg := fl.String("max-message-bytes", formatBytes(server.DefaultMaxSendBytes), "largest batch message sent")
	splits := splitFlags(fl)
	return func() (server.Config, error) {
		cfg := server.Config{
			Root: *root, Addr: *addr, MetricsAddr: *metrics, TLSCert: *cert, TLSKey: *key,
			AllowInsecurePublic: *public, CacheDir: *cacheDir, MaxStreams: *maxStreams,
			StateDir: *stateDir, FeedbackMaxRuns: *fbRuns, FeedbackMaxAge: *fbAge,
			SendTimeout: *sendTimeout, GracePeriod: *grace, Workers: *workers, Prefetch: *prefetch,
			BudgetWait: *budgetWait,
		}
		var err error
		for _, b := range []struct {
			name string
			text string
			dst  *int64
		}{{"cache-bytes", *cacheBytes, &cfg.CacheBytes}, {"disk-cache-bytes", *diskBytes, &cfg.DiskCacheBytes}, {"memory-budget", *budget, &cfg.MemoryBudget}} {
			if *b.dst, err = parseBytes(b.text); err != nil {
				return cfg, fmt.Errorf("--%s: %w", b.name, err)
			}
		}
		m, err := parseBytes(*maxMsg)
		if err != nil || m > 1<<31-1 {
			return cfg, fmt.Errorf("--max-message-bytes: %q is not a size up to 2GiB", *maxMsg)
		}
		cfg.MaxSendBytes = int(m)
		if cfg.Splits, err = splits(); err != nil {
			return cfg, err
		}
		if *tokens != "" {
			if cfg.Tokens, err = server.LoadTokens(*tokens); err != nil {
				return cfg, err
			}
		}
		return cfg, nil
	}
}

// applyEnv sets every flag not given on the command line from its
// DATASERVER_* environment variable, when that is set.
func applyEnv(fl *flag.FlagSet) error {
	given := map[string]bool{}
	fl.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fl.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil {
			return
		}
		env := "DATASERVER_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(env); ok {
			if e := fl.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s=%q: %v", env, v, e)
			}
		}
	})
	return err
}

// parseBytes reads a size: a plain number of bytes or one with a unit
// (KB, MB, GB, KiB, MiB, GiB, TiB).
func parseBytes(s string) (int64, error) {
	t := strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 || (mult > 1 && n > (1<<62)/mult) {
		return 0, fmt.Errorf("%q is not a size such as 512MiB or 1073741824", s)
	}
	return n * mult, nil
}

// formatBytes writes a size as parseBytes reads it: in the largest binary
// unit that divides it (512MiB, 1GiB), else in bytes.
func formatBytes(n int64) string {
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n != 0 && n%u.mult == 0 {
			return fmt.Sprintf("%d%s", n/u.mult, u.suffix)
		}
	}
	return fmt.Sprint(n)
}

// newLogger returns a JSON logger to stderr at the given level.
func newLogger(level string) (*zap.Logger, error) {
	lvl, err := zapcore.ParseLevel(level)
	if err != nil {
		return nil, fmt.Errorf("--log-level: %v", err)
	}
	cfg := zap.NewProductionConfig()
	cfg.Level = zap.NewAtomicLevelAt(lvl)
	cfg.EncoderConfig.EncodeTime = zapcore.ISO8601TimeEncoder
	cfg.Sampling = nil
	return cfg.Build()
}
