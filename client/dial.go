package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	_ "google.golang.org/grpc/health" // client-side health checking: replicas not SERVING get no calls
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/resolver"
	"google.golang.org/grpc/resolver/manual"

	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// HealthService is the grpc.health.v1 service name the server reports its
// readiness under.
const HealthService = "dataserver.v1.DataService"

// Client talks to one data server or to several replicas of it. Its methods
// are safe for concurrent use.
type Client struct {
	cc     *grpc.ClientConn
	api    pb.DataServiceClient
	health healthpb.HealthClient
	cfg    config
	target targets
}

// Dial connects to the data server at targets: one or several host:port
// addresses (calls are spread over them and fail over between them), or one
// gRPC target such as "dns:///name:port" (every address the name resolves
// to is a replica). Connections are made in the background; with
// WithWaitReady, Dial also waits, bounded by ctx, until a replica is SERVING.
func Dial(ctx context.Context, targets []string, opts ...Option) (*Client, error) {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	cfg.withDefaults()
	t, err := parseTargets(targets)
	if err != nil {
		return nil, err
	}
	if cfg.balancer != RoundRobin && cfg.balancer != PickFirst {
		return nil, fmt.Errorf("client: unknown balancer %q (want %q or %q)", cfg.balancer, RoundRobin, PickFirst)
	}
	creds, plaintext, err := transportCredentials(cfg, t)
	if err != nil {
		return nil, err
	}
	dopts := []grpc.DialOption{
		grpc.WithTransportCredentials(creds),
		grpc.WithDefaultServiceConfig(serviceConfig(cfg.balancer)),
		// Batches arrive with their tensors' data left where it was
		// received (see codec.go).
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(cfg.maxMsg), grpc.ForceCodecV2(newBatchCodec())),
		grpc.WithConnectParams(grpc.ConnectParams{
			Backoff:           backoff.Config{BaseDelay: 100 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: 3 * time.Second},
			MinConnectTimeout: 5 * time.Second,
		}),
	}
	if cfg.token != "" {
		dopts = append(dopts, grpc.WithPerRPCCredentials(bearer{token: cfg.token, secure: !plaintext}))
	}
	uri := t.uri
	if uri == "" {
		r := manual.NewBuilderWithScheme("dataserver-static")
		addrs := make([]resolver.Address, len(t.addrs))
		for i, a := range t.addrs {
			addrs[i] = resolver.Address{Addr: a.addr, ServerName: a.host}
		}
		r.InitialState(resolver.State{Addresses: addrs})
		dopts = append(dopts, grpc.WithResolvers(r))
		uri = r.Scheme() + ":///replicas"
	}
	cc, err := grpc.NewClient(uri, append(dopts, cfg.dialOptions...)...)
	if err != nil {
		return nil, fmt.Errorf("client: %s: %w", t, err)
	}
	c := &Client{cc: cc, api: pb.NewDataServiceClient(cc), health: healthpb.NewHealthClient(cc), cfg: cfg, target: t}
	cc.Connect()
	if cfg.waitReady {
		if err := c.WaitReady(ctx); err != nil {
			cc.Close()
			return nil, err
		}
	}
	return c, nil
}

// serviceConfig picks the balancer and turns on client-side health checks,
// so a replica that is indexing or draining (NOT_SERVING) gets no new calls.
func serviceConfig(b Balancer) string {
	return fmt.Sprintf(`{"loadBalancingConfig":[{%q:{}}],"healthCheckConfig":{"serviceName":%q}}`, b, HealthService)
}

// transportCredentials chooses TLS or plaintext: plaintext when asked for
// (WithInsecure) or, without any TLS option, for loopback targets; TLS
// otherwise.
func transportCredentials(cfg config, t targets) (credentials.TransportCredentials, bool, error) {
	wantTLS := cfg.tlsConfig != nil || cfg.caFile != ""
	if cfg.insecure && wantTLS {
		return nil, false, fmt.Errorf("client: WithInsecure conflicts with a TLS option")
	}
	if cfg.insecure || (!wantTLS && t.loopback()) {
		return insecure.NewCredentials(), true, nil
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.tlsConfig != nil {
		tc = cfg.tlsConfig.Clone()
	}
	if cfg.caFile != "" {
		pem, err := os.ReadFile(cfg.caFile)
		if err != nil {
			return nil, false, fmt.Errorf("client: TLS CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, false, fmt.Errorf("client: TLS CA file %s holds no PEM certificate", cfg.caFile)
		}
		tc.RootCAs = pool
	}
	return credentials.NewTLS(tc), false, nil
}

// bearer sends the token as "authorization: Bearer <token>" metadata.
type bearer struct {
	token  string
	secure bool
}

// GetRequestMetadata returns the authorization header.
func (b bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + b.token}, nil
}

// RequireTransportSecurity keeps the token off plaintext connections unless
// plaintext was allowed (loopback, or WithInsecure).
func (b bearer) RequireTransportSecurity() bool { return b.secure }

// Close closes the connections.
func (c *Client) Close() error { return c.cc.Close() }

// Conn returns the underlying gRPC connection (for other services on the
// same server, such as health or reflection).
func (c *Client) Conn() *grpc.ClientConn { return c.cc }

// API returns the generated DataService client over the same connection,
// without the resumption Stream adds.
func (c *Client) API() pb.DataServiceClient { return c.api }
