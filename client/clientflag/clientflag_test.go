package clientflag

import (
	"context"
	"flag"
	"slices"
	"testing"
)

func TestRegisterAndDial(t *testing.T) {
	t.Setenv("DATASERVER_ADDR", "127.0.0.1:1,127.0.0.1:2")
	t.Setenv("DATASERVER_TOKEN", "env-token-0123456789")
	fl := flag.NewFlagSet("x", flag.ContinueOnError)
	f := Register(fl)
	if err := fl.Parse([]string{"--balancer", "pick_first"}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f.Targets(), []string{"127.0.0.1:1", "127.0.0.1:2"}) {
		t.Fatalf("targets %v from DATASERVER_ADDR", f.Targets())
	}
	opts, err := f.Options()
	if err != nil || len(opts) != 3 { // balancer, retry window, token from the environment
		t.Fatalf("options %d, %v", len(opts), err)
	}
	c, err := f.Dial(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c.Close()

	g := Register(flag.NewFlagSet("y", flag.ContinueOnError))
	g.Insecure, g.TLSCA = true, "ca.pem"
	if _, err := g.Options(); err == nil {
		t.Fatal("--insecure with --tls-ca accepted")
	}
	g.Insecure, g.TLSCA, g.Balancer = false, "", "random"
	if _, err := g.Dial(context.Background()); err == nil {
		t.Fatal("unknown balancer accepted")
	}
}
