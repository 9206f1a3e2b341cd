// Command dockerfilelint checks a Dockerfile without a Docker engine.
//
// It runs BuildKit's own Dockerfile front end in lint mode — the parser, the
// instruction checks and the rules of `docker build --check` — with base
// images answered by a stub instead of a registry, then the project's own
// rules for the data server image (policy.go). Any finding is an error.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	gomod := flag.String("gomod", "", "go.mod whose go version the builder image must match (optional)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: dockerfilelint [-gomod go.mod] Dockerfile")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	path := flag.Arg(0)
	dt, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "dockerfilelint: %v\n", err)
		os.Exit(2)
	}
	findings, err := buildkitLint(path, dt)
	if err != nil {
		fmt.Fprintf(os.Stderr, "dockerfilelint: %s: %v\n", path, err)
		os.Exit(1)
	}
	pol, err := policy(dt, *gomod)
	if err != nil {
		fmt.Fprintf(os.Stderr, "dockerfilelint: %s: %v\n", path, err)
		os.Exit(1)
	}
	findings = append(findings, pol...)
	for _, f := range findings {
		fmt.Fprintf(os.Stderr, "%s:%s\n", path, f)
	}
	if len(findings) > 0 {
		fmt.Fprintf(os.Stderr, "dockerfilelint: %s: %d finding(s)\n", path, len(findings))
		os.Exit(1)
	}
	fmt.Printf("dockerfilelint: %s: BuildKit checks and project policy passed\n", path)
}
