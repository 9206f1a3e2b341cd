// Command dataserver indexes steganalysis datasets and serves training
// batches over gRPC; its subcommands also validate, digest and inspect trees.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"github.com/starlight/dataserver/internal/guard"
)

// command is one subcommand; each registers itself from its own file.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string) error
}

var commands = map[string]command{}

func register(c command) {
	commands[c.name] = c
}

// exitCode is an error that sets the process's exit status without a message of its own.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	if os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
		usage()
		os.Exit(0)
	}
	c, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "dataserver: unknown command %q\n\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := runCommand(ctx, c, os.Args[2:])
	stop()
	var code exitCode
	switch {
	case err == nil:
	case errors.As(err, &code):
		os.Exit(int(code))
	default:
		fmt.Fprintf(os.Stderr, "dataserver %s: %v\n", c.name, err)
		os.Exit(1)
	}
}

// runCommand runs c: the command line's boundary, where a panic (a bug)
// prints its stack and ends the command with an error instead of a crash.
// The server replaces the reporter with its logger.
func runCommand(ctx context.Context, c command, args []string) (err error) {
	guard.SetReporter(func(p *guard.Panic) {
		fmt.Fprintf(os.Stderr, "dataserver %s: panic recovered in %s: %v\n%s\n", c.name, p.Where, p.Value, p.Stack)
	})
	defer guard.Recover("dataserver "+c.name, &err)
	return c.run(ctx, args)
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: dataserver <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(os.Stderr, "\nrun 'dataserver <command> -h' for the flags of a command")
}
