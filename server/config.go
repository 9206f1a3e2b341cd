// Package server is the gRPC transport of the data server: thin handlers for
// dataserver.v1.DataService over the catalog and feed packages, the
// interceptor chain (metrics, logging, auth, recovery), health and
// reflection, limits, TLS, and graceful shutdown.
package server

import (
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/starlight/dataserver/catalog"
	"github.com/starlight/dataserver/extract"
	"github.com/starlight/dataserver/index"
)

// Config configures a Server. Zero values take the defaults: the Default*
// constants below for the transport, feed's for the feed (the serve
// command's flags show the same constants).
type Config struct {
	// Root is the dataset tree served (required).
	Root string
	// Addr is the gRPC listen address for Run; default DefaultAddr.
	Addr string
	// MetricsAddr is the address of the /metrics HTTP endpoint for Run;
	// empty disables it.
	MetricsAddr string
	// Tokens are the accepted bearer tokens. With none, authentication is
	// off and the server listens on loopback only unless AllowInsecurePublic.
	Tokens []Token
	// TLSCert and TLSKey are PEM files; both set turns TLS on.
	TLSCert, TLSKey string
	// AllowInsecurePublic lets a server without tokens listen beyond loopback.
	AllowInsecurePublic bool
	// CacheDir, when set, keeps the persistent index and extracted streams on disk.
	CacheDir string
	// StateDir holds the loss feedback store (feedback.db); empty means
	// CacheDir, and with neither the feedback lives in a temporary file
	// and is lost at exit.
	StateDir string
	// FeedbackMaxRuns bounds the loss feedback runs kept; default feedback.DefaultMaxRuns.
	FeedbackMaxRuns int
	// FeedbackMaxAge drops a run not written for that long; default feedback.DefaultMaxAge.
	FeedbackMaxAge time.Duration
	// CacheBytes bounds the in-memory stream cache; default feed.DefaultCacheBytes.
	CacheBytes int64
	// DiskCacheBytes bounds the disk cache; default feed.DefaultDiskCacheBytes.
	DiskCacheBytes int64
	// MemoryBudget bounds everything held for batches (reservations,
	// batches assembled, queued and being written, the memory cache);
	// default feed.DefaultMemoryBudget.
	MemoryBudget int64
	// BudgetWait bounds how long a stream waits for its share of the
	// budget before it ends RESOURCE_EXHAUSTED; default feed.DefaultBudgetWait.
	BudgetWait time.Duration
	// Workers is the extraction pool size; default GOMAXPROCS.
	Workers int
	// Prefetch is the batches assembled ahead per stream; default feed.DefaultPrefetch.
	Prefetch int
	// MaxStreams bounds the StreamBatches calls running at once; default DefaultMaxStreams.
	MaxStreams int
	// MaxWatches bounds the health Watch streams running at once; default 256.
	MaxWatches int
	// SendTimeout ends a stream whose consumer has not taken a batch for
	// that long; default DefaultSendTimeout.
	SendTimeout time.Duration
	// GracePeriod bounds the drain at shutdown; default DefaultGracePeriod.
	GracePeriod time.Duration
	// MaxSendBytes bounds one response message (one batch); default DefaultMaxSendBytes.
	MaxSendBytes int
	// MaxRecvBytes bounds one request message; default DefaultMaxRecvBytes.
	MaxRecvBytes int
	// KeepaliveMinTime is the smallest client ping interval tolerated; default DefaultKeepaliveMinTime.
	KeepaliveMinTime time.Duration
	// KeepaliveTime is the idle time after which the server pings; default DefaultKeepaliveTime.
	KeepaliveTime time.Duration
	// KeepaliveTimeout is how long a ping may go unanswered; default DefaultKeepaliveTimeout.
	KeepaliveTimeout time.Duration
	// Extract bounds each extraction (file size, image size).
	Extract extract.Options
	// Build builds snapshots; nil means index.Build.
	Build catalog.BuildFunc
	// Splits assigns the samples to train, val and test; the zero value is
	// train=0.9, val=0.1.
	Splits index.SplitConfig
}

// Defaults of the transport (the feed's are feed.Default*).
const (
	DefaultAddr             = "127.0.0.1:50051"
	DefaultMetricsAddr      = "127.0.0.1:9464"
	DefaultMaxStreams       = 64
	DefaultMaxWatches       = 256
	DefaultSendTimeout      = 60 * time.Second
	DefaultGracePeriod      = 30 * time.Second
	DefaultMaxSendBytes     = 128 << 20
	DefaultMaxRecvBytes     = 1 << 20
	DefaultKeepaliveMinTime = 10 * time.Second
	DefaultKeepaliveTime    = 60 * time.Second
	DefaultKeepaliveTimeout = 20 * time.Second
)

// ErrConfig reports a configuration the server refuses.
var ErrConfig = errors.New("bad configuration")

// withDefaults returns c with every zero value replaced by its default.
func (c Config) withDefaults() Config {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defd := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	def(&c.MaxStreams, DefaultMaxStreams)
	def(&c.MaxWatches, DefaultMaxWatches)
	def(&c.MaxSendBytes, DefaultMaxSendBytes)
	def(&c.MaxRecvBytes, DefaultMaxRecvBytes)
	defd(&c.SendTimeout, DefaultSendTimeout)
	defd(&c.GracePeriod, DefaultGracePeriod)
	defd(&c.KeepaliveMinTime, DefaultKeepaliveMinTime)
	defd(&c.KeepaliveTime, DefaultKeepaliveTime)
	defd(&c.KeepaliveTimeout, DefaultKeepaliveTimeout)
	return c
}

// check reports the first setting the server refuses.
func (c Config) check() error {
	if c.Root == "" {
		return fmt.Errorf("%w: no root directory", ErrConfig)
	}
	if err := c.Splits.Validate(); err != nil {
		return fmt.Errorf("%w: splits: %v", ErrConfig, err)
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return fmt.Errorf("%w: TLS needs both a certificate and a key", ErrConfig)
	}
	return checkTokens(c.Tokens)
}

// checkExposure refuses to listen beyond loopback without tokens, unless
// allowed; the /metrics endpoint (which names consumers) follows the same rule.
func (c Config) checkExposure(addr net.Addr) error {
	return c.checkExposed(addr, "")
}

// checkExposed is checkExposure for the listener set by flag (empty: the gRPC address).
func (c Config) checkExposed(addr net.Addr, flag string) error {
	if len(c.Tokens) > 0 || c.AllowInsecurePublic {
		return nil
	}
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return nil // unix sockets and in-memory listeners are local
	}
	if tcp.IP == nil || !tcp.IP.IsLoopback() {
		what := ""
		if flag != "" {
			what = " (" + flag + ")"
		}
		return fmt.Errorf("%w: no tokens configured and %s%s is not a loopback address: configure tokens (--tokens-file), listen on 127.0.0.1, or allow it explicitly (--allow-insecure-public)", ErrConfig, addr, what)
	}
	return nil
}
