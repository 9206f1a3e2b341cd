package client

import (
	"crypto/tls"
	"time"

	"google.golang.org/grpc"
)

// Option configures Dial.
type Option func(*config)

// Balancer chooses how calls are spread over the addresses of a target.
type Balancer string

// The balancing policies.
const (
	// RoundRobin spreads calls over every ready replica (the default).
	RoundRobin Balancer = "round_robin"
	// PickFirst sends every call to the first reachable address, in the
	// order given, and moves on to the next one when it fails.
	PickFirst Balancer = "pick_first"
)

// RetryPolicy bounds the resumption of a stream (and the retry of Stats)
// after transient errors (see Transient). A stream keeps trying, waiting
// with capped exponential backoff and jitter and for a replica to answer
// SERVING on grpc.health.v1, for Window after the last batch received (or
// its start); it gives up after that, or at once on a final status.
type RetryPolicy struct {
	// Window is how long a stream keeps trying with no batch received;
	// default 5 minutes, enough to ride out a server restart.
	Window time.Duration
	// MaxAttempts, when positive, also gives up after that many
	// consecutive failed attempts; default 0: only Window bounds the retry.
	MaxAttempts int
	// BaseDelay is the wait before the first retry, doubled at each further
	// one (with up to half taken off at random); default 100ms. A longer
	// delay asked by the server (RetryInfo) is waited instead.
	BaseDelay time.Duration
	// MaxDelay caps the wait between attempts; default 5s.
	MaxDelay time.Duration
}

// DefaultRetryPolicy is used when WithRetry is not given.
var DefaultRetryPolicy = RetryPolicy{Window: 5 * time.Minute, BaseDelay: 100 * time.Millisecond, MaxDelay: 5 * time.Second}

// DefaultMaxMessageBytes is the largest batch message accepted by default.
const DefaultMaxMessageBytes = 256 << 20

type config struct {
	token       string
	tlsConfig   *tls.Config
	caFile      string
	insecure    bool
	balancer    Balancer
	retry       RetryPolicy
	maxMsg      int
	waitReady   bool
	dialOptions []grpc.DialOption
	onResume    func(ResumeEvent)
}

// WithToken sends "authorization: Bearer <token>" with every call. The token
// travels only over TLS, or in plaintext to loopback addresses or when
// WithInsecure allows it.
func WithToken(token string) Option { return func(c *config) { c.token = token } }

// WithTLSConfig connects over TLS with cfg (server name, roots, client
// certificates). Without any TLS option, TLS with the system roots is used
// for every target that is not a loopback address.
func WithTLSConfig(cfg *tls.Config) Option { return func(c *config) { c.tlsConfig = cfg } }

// WithCAFile connects over TLS and trusts the PEM certificates in path (for
// a server with a private or self-signed certificate).
func WithCAFile(path string) Option { return func(c *config) { c.caFile = path } }

// WithInsecure connects in plaintext whatever the address. Without it,
// plaintext is used only for loopback addresses.
func WithInsecure() Option { return func(c *config) { c.insecure = true } }

// WithBalancer sets how calls are spread over the replicas; default RoundRobin.
func WithBalancer(b Balancer) Option { return func(c *config) { c.balancer = b } }

// WithRetry sets the retry policy; zero fields take DefaultRetryPolicy's values.
func WithRetry(p RetryPolicy) Option { return func(c *config) { c.retry = p } }

// WithMaxMessageBytes sets the largest batch message accepted; default
// DefaultMaxMessageBytes.
func WithMaxMessageBytes(n int) Option { return func(c *config) { c.maxMsg = n } }

// WithWaitReady makes Dial wait, bounded by its context, until a replica
// reports SERVING on grpc.health.v1 (its first index is ready).
func WithWaitReady() Option { return func(c *config) { c.waitReady = true } }

// WithDialOptions adds gRPC dial options (after the client's own).
func WithDialOptions(opts ...grpc.DialOption) Option {
	return func(c *config) { c.dialOptions = append(c.dialOptions, opts...) }
}

// ResumeEvent describes one resumption of a stream after a transient error.
type ResumeEvent struct {
	// Err is the error that ended the previous attempt.
	Err error
	// Attempt counts the consecutive failed attempts so far (1 for the first).
	Attempt int
	// Delay is the wait before the new attempt.
	Delay time.Duration
	// Cursor is the cursor the new attempt resumes from ("" before any batch).
	Cursor string
	// Peer is the replica of the failed attempt, when known.
	Peer string
}

// WithResumeHook calls fn before every resumption of a stream (for logs).
func WithResumeHook(fn func(ResumeEvent)) Option { return func(c *config) { c.onResume = fn } }

func (c *config) withDefaults() {
	if c.balancer == "" {
		c.balancer = RoundRobin
	}
	if c.retry.Window <= 0 {
		c.retry.Window = DefaultRetryPolicy.Window
	}
	if c.retry.BaseDelay <= 0 {
		c.retry.BaseDelay = DefaultRetryPolicy.BaseDelay
	}
	if c.retry.MaxDelay <= 0 {
		c.retry.MaxDelay = DefaultRetryPolicy.MaxDelay
	}
	if c.maxMsg <= 0 {
		c.maxMsg = DefaultMaxMessageBytes
	}
}
