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
)

// Config configures a Server. Zero values take the defaults below.
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
	// CacheBytes bounds the in-memory stream cache; default 1 GiB.
	CacheBytes int64
	// DiskCacheBytes bounds the disk cache; default 8 GiB.
	DiskCacheBytes int64
	// MemoryBudget bounds the bytes of prefetched batches; default 512 MiB.
	MemoryBudget int64
	// Workers is the extraction pool size; default GOMAXPROCS.
	Workers int
	// Prefetch is the batches assembled ahead per stream; default 2.
	Prefetch int
	// MaxStreams bounds the StreamBatches calls running at once; default 64.
	MaxStreams int
	// SendTimeout ends a stream whose consumer has not taken a batch for
	// that long; default 60s.
	SendTimeout time.Duration
	// GracePeriod bounds the drain at shutdown; default 30s.
	GracePeriod time.Duration
	// MaxSendBytes bounds one response message (one batch); default 128 MiB.
	MaxSendBytes int
	// MaxRecvBytes bounds one request message; default 1 MiB.
	MaxRecvBytes int
	// KeepaliveMinTime is the smallest client ping interval tolerated; default 10s.
	KeepaliveMinTime time.Duration
	// KeepaliveTime is the idle time after which the server pings; default 60s.
	KeepaliveTime time.Duration
	// KeepaliveTimeout is how long a ping may go unanswered; default 20s.
	KeepaliveTimeout time.Duration
	// Extract bounds each extraction (file size, image size).
	Extract extract.Options
	// Build builds snapshots; nil means index.Build.
	Build catalog.BuildFunc
}

// Defaults.
const (
	DefaultAddr             = "127.0.0.1:50051"
	DefaultMetricsAddr      = "127.0.0.1:9464"
	DefaultMaxStreams       = 64
	DefaultSendTimeout      = 60 * time.Second
	DefaultGracePeriod      = 30 * time.Second
	DefaultMaxSendBytes     = 128 << 20
	DefaultMaxRecvBytes     = 1 << 20
	DefaultKeepaliveMinTime = 10 * time.Second
	DefaultKeepaliveTime    = 60 * time.Second
	DefaultKeepaliveTimeout = 20 * time.Second
)

// ErrConfig reports a configuration the server refuses.
var ErrConfig = errors.New("server: bad configuration")

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
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return fmt.Errorf("%w: TLS needs both a certificate and a key", ErrConfig)
	}
	return checkTokens(c.Tokens)
}

// checkExposure refuses to listen beyond loopback without tokens, unless allowed.
func (c Config) checkExposure(addr net.Addr) error {
	if len(c.Tokens) > 0 || c.AllowInsecurePublic {
		return nil
	}
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return nil // unix sockets and in-memory listeners are local
	}
	if tcp.IP == nil || !tcp.IP.IsLoopback() {
		return fmt.Errorf("%w: no tokens configured and %s is not a loopback address: configure tokens, or allow it explicitly (--allow-insecure-public)", ErrConfig, addr)
	}
	return nil
}
