package client

import (
	"context"
	"errors"
	"slices"
	"testing"

	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

func TestSplitTargets(t *testing.T) {
	got := SplitTargets(" a:1, ,b:2,")
	if !slices.Equal(got, []string{"a:1", "b:2"}) {
		t.Fatalf("got %q", got)
	}
}

func TestParseTargets(t *testing.T) {
	good := map[string]bool{ // target list -> all loopback
		"127.0.0.1:1":                true,
		"localhost:1,[::1]:2":        true,
		"10.0.0.1:1":                 false,
		"127.0.0.1:1,10.0.0.2:1":     false,
		"dns:///localhost:50051":     true,
		"dns:///data.example:443":    false,
		"dns://8.8.8.8/db.example:1": false,
		"unix:///tmp/sock":           true,
		"passthrough:///127.0.0.2:9": true,
	}
	for list, loop := range good {
		tg, err := parseTargets(SplitTargets(list))
		if err != nil {
			t.Errorf("%q: %v", list, err)
			continue
		}
		if tg.loopback() != loop {
			t.Errorf("%q: loopback %t, want %t", list, tg.loopback(), loop)
		}
	}
	for _, list := range [][]string{nil, {"nohost"}, {":1"}, {"a:"}, {"dns:///a:1", "b:2"}} {
		if _, err := parseTargets(list); !errors.Is(err, ErrTarget) {
			t.Errorf("%q: err %v, want ErrTarget", list, err)
		}
	}
}

func TestTransportPolicy(t *testing.T) {
	remote, _ := parseTargets([]string{"10.1.2.3:50051"})
	local, _ := parseTargets([]string{"127.0.0.1:50051"})
	cases := []struct {
		name      string
		cfg       config
		t         targets
		plaintext bool
		fails     bool
	}{
		{"loopback defaults to plaintext", config{}, local, true, false},
		{"remote defaults to TLS", config{}, remote, false, false},
		{"remote plaintext when asked", config{insecure: true}, remote, true, false},
		{"CA file forces TLS on loopback", config{caFile: "testdata/none.pem"}, local, false, true},
		{"insecure and TLS conflict", config{insecure: true, caFile: "x.pem"}, local, false, true},
	}
	for _, c := range cases {
		_, plain, err := transportCredentials(c.cfg, c.t)
		if (err != nil) != c.fails || (err == nil && plain != c.plaintext) {
			t.Errorf("%s: plaintext %t err %v", c.name, plain, err)
		}
	}
	// A token to a remote address goes over TLS only, so Dial succeeds and
	// the bearer credentials demand transport security.
	c, err := Dial(context.Background(), []string{"10.1.2.3:50051"}, WithToken("t0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if !(bearer{secure: true}).RequireTransportSecurity() {
		t.Fatal("bearer over TLS does not require transport security")
	}
}

func TestParseMixAndStreams(t *testing.T) {
	m, err := ParseMix("2:1:1")
	if err != nil || m.GetClean() != 2 || m.GetStego() != 1 || m.GetNegative() != 1 {
		t.Fatalf("2:1:1 -> %v, %v", m, err)
	}
	for _, bad := range []string{"1:1", "a:1:1", "1:1:1:1", "-1:1:1"} {
		if _, err := ParseMix(bad); err == nil {
			t.Errorf("mix %q accepted", bad)
		}
	}
	ks, err := ParseStreams("pixel, palette_lsb,content")
	if err != nil || !slices.Equal(ks, []pb.StreamKind{pb.StreamKind_STREAM_KIND_PIXEL, pb.StreamKind_STREAM_KIND_PALETTE_LSB, pb.StreamKind_STREAM_KIND_CONTENT}) {
		t.Fatalf("streams %v, %v", ks, err)
	}
	for _, bad := range []string{"pixels", "unspecified", "stream_kind_pixel"} {
		if _, err := ParseStreams(bad); err == nil {
			t.Errorf("streams %q accepted", bad)
		}
	}
	for _, name := range StreamNames {
		if _, err := ParseStreams(name); err != nil {
			t.Errorf("stream %q refused: %v", name, err)
		}
	}
}
