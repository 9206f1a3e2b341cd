package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// policy checks the project's rules for the server image (issue 6): a Go
// builder pinned to go.mod's version, a static CGO-free -trimpath build, a
// distroless or scratch final stage running as a numeric non-root user with
// an exec-form entrypoint, the data and cache volumes, and both ports.
func policy(dt []byte, gomod string) ([]string, error) {
	res, err := parser.Parse(bytes.NewReader(dt))
	if err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	stages, metaArgs, err := instructions.Parse(res.AST, nil)
	if err != nil {
		return nil, fmt.Errorf("instructions: %w", err)
	}
	if len(stages) < 2 {
		return []string{"0: policy: want a multi-stage build (builder, then a minimal final stage)"}, nil
	}
	var out []string
	bad := func(format string, a ...any) { out = append(out, "0: policy: "+fmt.Sprintf(format, a...)) }

	args := map[string]string{}
	for _, a := range metaArgs {
		for _, kv := range a.Args {
			if kv.Value != nil {
				args[kv.Key] = *kv.Value
			}
		}
	}
	expand := func(s string) string {
		return os.Expand(s, func(k string) string { return args[k] })
	}

	for _, s := range stages {
		base := expand(s.BaseName)
		if !pinned(base, stages) {
			bad("stage %q: base image %q has no explicit tag or digest (or uses latest)", s.Name, base)
		}
	}

	builder := stages[0]
	goImage := expand(builder.BaseName)
	if !strings.HasPrefix(goImage, "golang:") {
		bad("first stage should build from a golang image, not %q", goImage)
	} else if gomod != "" {
		want, err := goModVersion(gomod)
		if err != nil {
			return nil, err
		}
		tag := strings.TrimPrefix(goImage, "golang:")
		if tag != want && !strings.HasPrefix(tag, want+"-") {
			bad("builder image %q does not match go.mod's toolchain (or go) version %s", goImage, want)
		}
	}
	var build string
	for _, c := range builder.Commands {
		if r, ok := c.(*instructions.RunCommand); ok && strings.Contains(strings.Join(r.CmdLine, " "), "go build") {
			build = strings.Join(r.CmdLine, " ")
		}
	}
	if build == "" {
		bad("no `go build` in the builder stage")
	} else {
		if !strings.Contains(build, "-trimpath") {
			bad("go build lacks -trimpath")
		}
		if !strings.Contains(build, "CGO_ENABLED=0") && !stageEnv(builder, "CGO_ENABLED", "0") {
			bad("CGO_ENABLED=0 is not set for go build (the binary must be static)")
		}
	}

	final := stages[len(stages)-1]
	fb := expand(final.BaseName)
	if fb != "scratch" && !strings.HasPrefix(fb, "gcr.io/distroless/static") {
		bad("final stage %q should be distroless static or scratch", fb)
	}
	var user string
	var entry *instructions.EntrypointCommand
	var ports, volumes []string
	for _, c := range final.Commands {
		switch c := c.(type) {
		case *instructions.UserCommand:
			user = c.User
		case *instructions.EntrypointCommand:
			entry = c
		case *instructions.ExposeCommand:
			ports = append(ports, c.Ports...)
		case *instructions.VolumeCommand:
			volumes = append(volumes, c.Volumes...)
		case *instructions.RunCommand:
			bad("final stage runs %q: it has no shell, keep RUN in the builder", strings.Join(c.CmdLine, " "))
		}
	}
	if uid, _, _ := strings.Cut(user, ":"); uid == "" {
		bad("final stage sets no USER")
	} else if n, err := strconv.Atoi(uid); err != nil || n == 0 {
		bad("USER %q is not a numeric non-root uid (runAsNonRoot needs a number)", user)
	}
	if entry == nil || entry.PrependShell {
		bad("final stage needs an exec-form ENTRYPOINT")
	}
	for _, p := range []string{"50051", "9464"} {
		if !hasPort(ports, p) {
			bad("EXPOSE lacks %s", p)
		}
	}
	if len(volumes) == 0 {
		bad("no VOLUME for the dataset tree and the cache")
	}
	return out, nil
}

// pinned reports whether an image reference names a tag other than latest or
// a digest; scratch and earlier stages need neither.
func pinned(ref string, stages []instructions.Stage) bool {
	if ref == "scratch" {
		return true
	}
	for _, s := range stages {
		if s.Name != "" && strings.EqualFold(s.Name, ref) {
			return true
		}
	}
	if strings.Contains(ref, "@sha256:") {
		return true
	}
	slash := strings.LastIndex(ref, "/")
	colon := strings.LastIndex(ref, ":")
	if colon <= slash {
		return false
	}
	tag := ref[colon+1:]
	return tag != "" && tag != "latest"
}

// stageEnv reports whether the stage sets ENV key=value.
func stageEnv(s instructions.Stage, key, value string) bool {
	for _, c := range s.Commands {
		if e, ok := c.(*instructions.EnvCommand); ok {
			for _, kv := range e.Env {
				if kv.Key == key && kv.Value == value {
					return true
				}
			}
		}
	}
	return false
}

func hasPort(ports []string, p string) bool {
	for _, q := range ports {
		if q == p || strings.HasPrefix(q, p+"/") {
			return true
		}
	}
	return false
}

var (
	goLine        = regexp.MustCompile(`^go\s+(\d+\.\d+(?:\.\d+)?)\s*$`)
	toolchainLine = regexp.MustCompile(`^toolchain\s+go(\d+\.\d+(?:\.\d+)?)\s*$`)
)

// goModVersion returns the Go version releases are built with: go.mod's
// toolchain line when it has one, else its go line.
func goModVersion(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("read go version: %w", err)
	}
	defer f.Close()
	var goVersion string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if m := toolchainLine.FindStringSubmatch(line); m != nil {
			return m[1], nil
		}
		if m := goLine.FindStringSubmatch(line); m != nil && goVersion == "" {
			goVersion = m[1]
		}
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	if goVersion == "" {
		return "", fmt.Errorf("%s has no go line", path)
	}
	return goVersion, nil
}
