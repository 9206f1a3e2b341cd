package main

import (
	"errors"
	"flag"
	"fmt"
)

// newFlags returns the flag set of a subcommand whose usage names the
// command, its synopsis and its one-line summary before the flags.
func newFlags(name, synopsis string) *flag.FlagSet {
	fl := flag.NewFlagSet(name, flag.ContinueOnError)
	fl.Usage = func() {
		fmt.Fprintf(fl.Output(), "usage: dataserver %s %s\n\n%s\n\nflags:\n", name, synopsis, commands[name].summary)
		fl.PrintDefaults()
	}
	return fl
}

// parseFlags parses args into fl: -h and --help end the command with
// status 0 (the usage is printed), a bad flag with status 2.
func parseFlags(fl *flag.FlagSet, args []string) error {
	err := fl.Parse(args)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		return exitCode(0)
	default:
		return exitCode(2)
	}
}

// missing reports a required flag that was not given, followed by the usage,
// and ends the command with status 2.
func missing(fl *flag.FlagSet, what string) error {
	fmt.Fprintf(fl.Output(), "dataserver %s: %s\n\n", fl.Name(), what)
	fl.Usage()
	return exitCode(2)
}
