package client

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// ErrTarget reports a target list Dial cannot use.
var ErrTarget = errors.New("client: bad target")

// SplitTargets splits a comma-separated list of addresses ("a:1,b:2"),
// dropping blanks; a gRPC target with a scheme ("dns:///name:port") comes
// back as the only element.
func SplitTargets(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// targets is a checked target list: either one gRPC target URI with a
// scheme (resolved by gRPC: dns, unix, ...) or host:port addresses.
type targets struct {
	uri   string
	addrs []hostPort
}

type hostPort struct {
	host, addr string
}

func parseTargets(list []string) (targets, error) {
	var t targets
	if len(list) == 0 {
		return t, fmt.Errorf("%w: no address given", ErrTarget)
	}
	for _, s := range list {
		s = strings.TrimSpace(s)
		if strings.Contains(s, "://") || strings.HasPrefix(s, "unix:") {
			if len(list) > 1 {
				return t, fmt.Errorf("%w: %q has a scheme; give it alone, not in a list of %d targets", ErrTarget, s, len(list))
			}
			if _, err := url.Parse(s); err != nil {
				return t, fmt.Errorf("%w: %q: %v", ErrTarget, s, err)
			}
			t.uri = s
			return t, nil
		}
		host, port, err := net.SplitHostPort(s)
		if err != nil || host == "" || port == "" {
			return t, fmt.Errorf("%w: %q is not host:port (nor a target such as dns:///name:port)", ErrTarget, s)
		}
		t.addrs = append(t.addrs, hostPort{host: host, addr: s})
	}
	return t, nil
}

// loopback tells whether every target is on this machine (loopback IPs,
// "localhost", unix sockets): plaintext is then allowed by default.
func (t targets) loopback() bool {
	if t.uri != "" {
		u, err := url.Parse(t.uri)
		if err != nil {
			return false
		}
		switch u.Scheme {
		case "unix", "unix-abstract":
			return true
		case "dns", "passthrough":
			ep := strings.TrimPrefix(u.Path, "/")
			if ep == "" {
				ep = u.Opaque
			}
			host := ep
			if h, _, err := net.SplitHostPort(ep); err == nil {
				host = h
			}
			return isLoopbackHost(host)
		}
		return false
	}
	for _, a := range t.addrs {
		if !isLoopbackHost(a.host) {
			return false
		}
	}
	return true
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

func (t targets) String() string {
	if t.uri != "" {
		return t.uri
	}
	s := make([]string, len(t.addrs))
	for i, a := range t.addrs {
		s[i] = a.addr
	}
	return strings.Join(s, ",")
}
