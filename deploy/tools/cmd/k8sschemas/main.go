// Command k8sschemas writes strict JSON schemas, one file per Kubernetes kind,
// in the layout kubeconform reads ({{ .ResourceKind }}{{ .KindSuffix }}.json).
//
// The schemas are derived from the structured-merge-diff schema that
// k8s.io/client-go ships for server-side apply (field names, nesting and
// scalar types of every built-in API type) and from the k8s.io/api Go types
// (which fields are required, which numbers are integers). Every object type
// forbids fields it does not declare, so a misspelt or misplaced field fails.
// This replaces kubeconform's default schema download, which needs a network
// this project's CI does not have.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	out := flag.String("out", "", "directory to write the schemas into (created if missing)")
	flag.Parse()
	if *out == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: k8sschemas -out DIR")
		os.Exit(2)
	}
	n, err := run(*out)
	if err != nil {
		fmt.Fprintf(os.Stderr, "k8sschemas: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("k8sschemas: wrote %d schemas to %s\n", n, *out)
}

// run writes one schema file per kind of the API groups in kinds.go and
// returns how many it wrote.
func run(out string) (int, error) {
	smd, err := applySchema()
	if err != nil {
		return 0, err
	}
	scheme, err := newScheme()
	if err != nil {
		return 0, err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return 0, fmt.Errorf("create %s: %w", out, err)
	}
	written := 0
	for _, k := range kindsOf(scheme) {
		if _, ok := smd.FindNamedType(smdName(k.goType)); !ok {
			continue // not an object one applies (Binding, Eviction, Scale, ...)
		}
		conv := newConverter(smd, goTypesFrom(k.goType))
		doc, err := conv.document(k)
		if err != nil {
			return written, fmt.Errorf("%s %s: %w", k.apiVersion, k.kind, err)
		}
		if err := writeJSON(out, k.fileName(), doc); err != nil {
			return written, err
		}
		written++
	}
	if written == 0 {
		return 0, fmt.Errorf("no kind matched a type of the apply schema: the client-go layout changed")
	}
	return written, nil
}
