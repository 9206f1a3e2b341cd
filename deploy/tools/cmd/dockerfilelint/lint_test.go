package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// good is a Dockerfile that satisfies BuildKit's rules and the policy.
const good = `# syntax=docker/dockerfile:1
ARG GO_VERSION=1.26.8
FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
ENV CGO_ENABLED=0
COPY . .
RUN go build -trimpath -o /out/app ./cmd/app
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/app /app
VOLUME ["/data"]
EXPOSE 50051 9464
USER 65532:65532
ENTRYPOINT ["/app"]
`

func gomod(t *testing.T, version string) string {
	p := filepath.Join(t.TempDir(), "go.mod")
	if err := os.WriteFile(p, []byte("module x\n\ngo "+version+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestGoodPasses(t *testing.T) {
	f, err := buildkitLint("Dockerfile", []byte(good))
	if err != nil || len(f) != 0 {
		t.Fatalf("buildkit: %v %v", f, err)
	}
	p, err := policy([]byte(good), gomod(t, "1.26.8"))
	if err != nil || len(p) != 0 {
		t.Fatalf("policy: %v %v", p, err)
	}
}

func TestFindings(t *testing.T) {
	cases := []struct {
		name, from, to, want string
		buildkit             bool
	}{
		{"shell entrypoint", `ENTRYPOINT ["/app"]`, `ENTRYPOINT /app`, "JSONArgsRecommended", true},
		{"root user", `USER 65532:65532`, `USER 0`, "non-root", false},
		{"named user", `USER 65532:65532`, `USER nonroot`, "numeric", false},
		{"cgo", "ENV CGO_ENABLED=0\n", "", "CGO_ENABLED=0", false},
		{"trimpath", "-trimpath ", "", "-trimpath", false},
		{"latest", "static-debian12:nonroot", "static-debian12:latest", "latest", false},
		{"go version", "GO_VERSION=1.26.8", "GO_VERSION=1.25.0", "go.mod", false},
		{"no port", "EXPOSE 50051 9464", "EXPOSE 50051", "9464", false},
		{"stage casing", "AS build", "as build", "FromAsCasing", true},
	}
	for _, c := range cases {
		df := strings.Replace(good, c.from, c.to, 1)
		if df == good {
			t.Fatalf("%s: replacement did not apply", c.name)
		}
		var got []string
		var err error
		if c.buildkit {
			got, err = buildkitLint("Dockerfile", []byte(df))
		} else {
			got, err = policy([]byte(df), gomod(t, "1.26.8"))
		}
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !strings.Contains(strings.Join(got, "\n"), c.want) {
			t.Errorf("%s: want a finding with %q, got %v", c.name, c.want, got)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, df := range []string{
		"FROM golang:1.26.8 AS b\nFROOM x\n",
		"FROM golang:1.26.8 AS b\nRUN --mount=type=cahce,target=/x true\n",
		"FROM golang:1.26.8 AS b\nCOPY --form=b /x /x\n",
	} {
		if _, err := buildkitLint("Dockerfile", []byte(df)); err == nil {
			t.Errorf("accepted:\n%s", df)
		}
	}
}
