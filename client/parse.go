package client

import (
	"fmt"
	"strconv"
	"strings"

	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

// ParseMix reads a mix written clean:stego:negative ("1:1:1", "2:1:1"); an
// empty string is the default mix (nil).
func ParseMix(s string) (*pb.Mix, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return nil, fmt.Errorf("client: mix %q is not clean:stego:negative such as 1:1:1", s)
	}
	var w [3]uint32
	for i, p := range parts {
		v, err := strconv.ParseUint(strings.TrimSpace(p), 10, 32)
		if err != nil {
			return nil, fmt.Errorf("client: mix %q: weight %q is not a whole number", s, p)
		}
		w[i] = uint32(v)
	}
	return &pb.Mix{Clean: w[0], Stego: w[1], Negative: w[2]}, nil
}

// StreamNames lists the stream names a request may carry, in wire order.
var StreamNames = []string{"pixel", "meta", "alpha", "alpha_full", "lsb", "palette", "palette_lsb", "format", "content"}

// ParseStreams reads a comma-separated list of stream names ("pixel,lsb");
// an empty string is the server's default set (nil).
func ParseStreams(s string) ([]pb.StreamKind, error) {
	var out []pb.StreamKind
	for _, name := range SplitTargets(s) {
		v, ok := pb.StreamKind_value["STREAM_KIND_"+strings.ToUpper(name)]
		if !ok || v == 0 {
			return nil, fmt.Errorf("client: unknown stream %q (want some of %s)", name, strings.Join(StreamNames, ","))
		}
		out = append(out, pb.StreamKind(v))
	}
	return out, nil
}
