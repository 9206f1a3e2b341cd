package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/starlight/dataserver/client/clientflag"
	"github.com/starlight/dataserver/index"
	pb "github.com/starlight/dataserver/proto/dataserver/v1"
)

func init() {
	register(command{
		name:    "reindex",
		summary: "ask the server (every replica of an --addr list) to rescan its tree",
		run:     runReindex,
	})
}

func runReindex(ctx context.Context, args []string) error {
	fl := newFlags("reindex", "[--addr HOST:PORT[,HOST:PORT...]] [flags]")
	cf := clientflag.Register(fl)
	asJSON := fl.Bool("json", false, "print the responses as JSON")
	list := fl.Int("list", 20, "paths listed per change kind")
	timeout := fl.Duration("timeout", 10*time.Minute, "give up after this long")
	if err := parseFlags(fl, args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	// A Reindex reaches one replica; each address of a list is asked in turn.
	for _, addr := range cf.Targets() {
		one := *cf
		one.Addr = addr
		c, err := one.Dial(ctx)
		if err != nil {
			return err
		}
		resp, err := c.Reindex(ctx)
		c.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", addr, err)
		}
		if *asJSON {
			b, err := protojson.Marshal(resp)
			if err != nil {
				return err
			}
			fmt.Printf("%s\n", b)
			continue
		}
		printReindex(os.Stdout, addr, resp, *list)
	}
	return nil
}

// printReindex writes one replica's answer, each line ending in a newline.
func printReindex(w io.Writer, addr string, r *pb.ReindexResponse, list int) {
	fmt.Fprintf(w, "%s: snapshot %s -> %s in %.2fs: %d samples, %d served\n", addr, short(r.GetPreviousSnapshotId()), short(r.GetSnapshotId()),
		r.GetDurationSeconds(), r.GetSamples(), r.GetAccepted())
	for _, part := range []struct {
		name  string
		paths []string
	}{{"added", r.GetAdded()}, {"removed", r.GetRemoved()}, {"changed", r.GetChanged()}} {
		fmt.Fprintf(w, "  %s: %d\n", part.name, len(part.paths))
		for i, p := range part.paths {
			if i == list {
				fmt.Fprintf(w, "    ... %d more\n", len(part.paths)-list)
				break
			}
			fmt.Fprintf(w, "    %s\n", index.Printable(p))
		}
	}
	fmt.Fprintf(w, "  new problems: %d\n", len(r.GetNewProblems()))
	for i, p := range r.GetNewProblems() {
		if i == list {
			fmt.Fprintf(w, "    ... %d more\n", len(r.GetNewProblems())-list)
			break
		}
		fmt.Fprintf(w, "    %s %s %s: %s\n", severity(p.GetSeverity()), index.Printable(p.GetCode()), where(p), index.Printable(p.GetMessage()))
	}
}

// short abbreviates a snapshot id for display.
func short(id string) string {
	if id == "" {
		return "(none)"
	}
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

func severity(s pb.Severity) string {
	return strings.ToLower(strings.TrimPrefix(s.String(), "SEVERITY_"))
}

// where is a problem's path (and line), escaped for the terminal.
func where(p *pb.Problem) string {
	if p.GetLine() > 0 {
		return fmt.Sprintf("%s:%d", index.Printable(p.GetPath()), p.GetLine())
	}
	return index.Printable(p.GetPath())
}
