package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// buildkitLint runs BuildKit's Dockerfile lint (what `docker build --check`
// runs) over dt and returns one line per warning, or the build error the
// front end hit (a parse or instruction error) as an error.
func buildkitLint(name string, dt []byte) ([]string, error) {
	// The stable rules run; the file can tune them with a `# check=`
	// directive (error=true, skip=Rule, experimental=all) as with docker.
	opt := dockerfile2llb.ConvertOpt{
		SourceMap:    &llb.SourceMap{Filename: name, Language: "Dockerfile", Data: dt, Definition: &llb.Definition{}},
		MetaResolver: stubResolver{},
	}
	res, err := dockerfile2llb.DockerfileLint(context.Background(), dt, opt)
	if err != nil {
		return nil, err
	}
	if res.Error != nil {
		line := 0
		if len(res.Error.Location.Ranges) > 0 {
			line = int(res.Error.Location.Ranges[0].Start.Line)
		}
		return nil, fmt.Errorf("line %d: %s", line, res.Error.Message)
	}
	var out []string
	for _, w := range res.Warnings {
		line := 0
		if w.Location != nil && len(w.Location.Ranges) > 0 {
			line = int(w.Location.Ranges[0].Start.Line)
		}
		out = append(out, fmt.Sprintf("%d: %s: %s (%s)", line, w.RuleName, w.Detail, w.URL))
	}
	return out, nil
}

// stubResolver answers BuildKit's base-image look-ups without a registry: an
// image of the requested platform whose only variable is PATH (as in the
// golang and distroless images), with a digest derived from the reference.
type stubResolver struct{}

func (stubResolver) ResolveImageConfig(_ context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	p := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	if opt.ImageOpt != nil && opt.ImageOpt.Platform != nil {
		p = *opt.ImageOpt.Platform
	}
	img := ocispecs.Image{
		Platform: p,
		Config: ocispecs.ImageConfig{
			Env: []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
		},
		RootFS: ocispecs.RootFS{Type: "layers"},
	}
	dt, err := json.Marshal(img)
	if err != nil {
		return "", "", nil, err
	}
	return strings.TrimSpace(ref), digest.FromBytes([]byte(ref)), dt, nil
}
