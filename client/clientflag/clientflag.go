// Package clientflag defines the command-line flags every data server client
// command shares (--addr, --token, --tls-ca, --insecure, --balancer) and
// dials with them.
package clientflag

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/starlight/dataserver/client"
)

// DefaultAddr is the address dialled when neither --addr nor DATASERVER_ADDR is set.
const DefaultAddr = "127.0.0.1:50051"

// Flags are the parsed client flags.
type Flags struct {
	// Addr is a comma-separated list of host:port, or one gRPC target such
	// as dns:///name:port.
	Addr string
	// Token is the bearer token; empty sends none.
	Token string
	// TLSCA is a PEM file of trusted certificates; it turns TLS on.
	TLSCA string
	// Insecure allows plaintext to addresses beyond loopback.
	Insecure bool
	// Balancer is round_robin or pick_first.
	Balancer string
	// RetryWindow is how long a call keeps retrying with no progress.
	RetryWindow time.Duration
}

// Register defines the client flags on fl, with defaults from the
// environment (DATASERVER_ADDR, DATASERVER_TOKEN, DATASERVER_TLS_CA).
func Register(fl *flag.FlagSet) *Flags {
	f := &Flags{}
	fl.StringVar(&f.Addr, "addr", env("DATASERVER_ADDR", DefaultAddr), "server address: host:port, a comma-separated list of replicas, or dns:///name:port (env DATASERVER_ADDR)")
	fl.StringVar(&f.Token, "token", "", "bearer token (default: env DATASERVER_TOKEN)")
	fl.StringVar(&f.TLSCA, "tls-ca", env("DATASERVER_TLS_CA", ""), "PEM file of the CA (or self-signed certificate) to trust; turns TLS on (env DATASERVER_TLS_CA)")
	fl.BoolVar(&f.Insecure, "insecure", false, "plaintext even to addresses beyond loopback")
	fl.StringVar(&f.Balancer, "balancer", string(client.RoundRobin), "how calls spread over replicas: round_robin or pick_first")
	fl.DurationVar(&f.RetryWindow, "retry-window", client.DefaultRetryPolicy.Window, "how long to keep retrying (a server restarting, draining or busy) with no batch received before giving up")
	return f
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// Options returns the client options the flags ask for.
func (f *Flags) Options() ([]client.Option, error) {
	opts := []client.Option{client.WithBalancer(client.Balancer(f.Balancer)), client.WithRetry(client.RetryPolicy{Window: f.RetryWindow})}
	token := f.Token
	if token == "" {
		token = os.Getenv("DATASERVER_TOKEN")
	}
	if token != "" {
		opts = append(opts, client.WithToken(token))
	}
	if f.Insecure && f.TLSCA != "" {
		return nil, fmt.Errorf("--insecure and --tls-ca exclude each other")
	}
	if f.Insecure {
		opts = append(opts, client.WithInsecure())
	}
	if f.TLSCA != "" {
		opts = append(opts, client.WithCAFile(f.TLSCA))
	}
	return opts, nil
}

// Targets returns the addresses of --addr.
func (f *Flags) Targets() []string { return client.SplitTargets(f.Addr) }

// Dial connects with the flags plus extra options.
func (f *Flags) Dial(ctx context.Context, extra ...client.Option) (*client.Client, error) {
	opts, err := f.Options()
	if err != nil {
		return nil, err
	}
	return client.Dial(ctx, f.Targets(), append(opts, extra...)...)
}
