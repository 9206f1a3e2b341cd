package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/starlight/dataserver/index"
)

// pinList collects --split-pin values (repeated, or comma lists).
type pinList []string

func (p *pinList) String() string { return strings.Join(*p, ",") }

func (p *pinList) Set(v string) error {
	*p = append(*p, v)
	return nil
}

// splitFlags defines the split flags on fl (serve and validate share them)
// and returns a function that reads them once fl is parsed.
func splitFlags(fl *flag.FlagSet) func() (index.SplitConfig, error) {
	fractions := fl.String("split-fractions", "train=0.9,val=0.1", "shares of the splits by cover group: any of train, val, test (scaled to sum to 1)")
	salt := fl.String("split-salt", "", "salt of the split assignment: another salt draws other groups into val and test")
	var pins pinList
	fl.Var(&pins, "split-pin", "put a whole submission in one split, submission=split (repeat, or a comma list); val/ and test/ folders under the root are pinned to their split")
	return func() (index.SplitConfig, error) {
		var c index.SplitConfig
		var err error
		if c.Fractions, err = index.ParseFractions(*fractions); err != nil {
			return c, fmt.Errorf("--split-fractions: %w", err)
		}
		if c.Pins, err = index.ParsePins(pins); err != nil {
			return c, fmt.Errorf("--split-pin: %w", err)
		}
		c.Salt = *salt
		return c, nil
	}
}

// flagGiven tells whether the flag name was set on the command line.
func flagGiven(fl *flag.FlagSet, name string) bool {
	given := false
	fl.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}
