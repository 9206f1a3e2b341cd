package index

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// The splits a sample can be assigned to, in the order their fractions are
// laid on [0,1).
const (
	SplitTrain = "train"
	SplitVal   = "val"
	SplitTest  = "test"
	// SplitAll names every split together (in ServedIn and requests).
	SplitAll = "all"
)

// SplitNames lists the splits in assignment order.
var SplitNames = []string{SplitTrain, SplitVal, SplitTest}

// DefaultFractions are the split fractions of a SplitConfig that gives none.
var DefaultFractions = map[string]float64{SplitTrain: 0.9, SplitVal: 0.1}

// SplitConfig says how groups of samples are assigned to splits. The zero
// value is the default: 90% train, 10% val, no salt, no pins.
type SplitConfig struct {
	// Fractions maps split names (train, val, test) to their shares; they
	// are scaled to sum to 1. Nil or empty means DefaultFractions.
	Fractions map[string]float64
	// Salt changes the assignment: every group is hashed with it.
	Salt string
	// Pins put every sample of a submission (by folder name) in one split.
	// Folders named val/ and test/ directly under the root are pinned to
	// their split unless a pin says otherwise.
	Pins map[string]string
}

// ParseFractions reads "train=0.9,val=0.1" (any of train, val, test; the
// shares are scaled to sum to 1).
func ParseFractions(s string) (map[string]float64, error) {
	out := map[string]float64{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, val, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("split fraction %q is not split=share (e.g. train=0.9,val=0.1)", part)
		}
		name = strings.TrimSpace(name)
		v, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil {
			return nil, fmt.Errorf("split fraction %q: %q is not a number", part, val)
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("split %q given twice", name)
		}
		out[name] = v
	}
	if err := checkFractions(out); err != nil {
		return nil, err
	}
	return out, nil
}

// ParsePins reads pins "submission=split", each argument a pin or a comma list of them.
func ParsePins(args []string) (map[string]string, error) {
	out := map[string]string{}
	for _, a := range args {
		for _, part := range strings.Split(a, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			sub, split, ok := strings.Cut(part, "=")
			if !ok || sub == "" {
				return nil, fmt.Errorf("split pin %q is not submission=split (e.g. val_submission_2025=val)", part)
			}
			if old, dup := out[sub]; dup && old != split {
				return nil, fmt.Errorf("submission %q pinned to both %s and %s", sub, old, split)
			}
			out[sub] = split
		}
	}
	return out, (SplitConfig{Pins: out}).Validate()
}

func checkFractions(f map[string]float64) error {
	sum := 0.0
	for name, v := range f {
		if !slices.Contains(SplitNames, name) {
			return fmt.Errorf("split %q is not one of train, val, test", name)
		}
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return fmt.Errorf("split %s: share %v must be a number >= 0", name, v)
		}
		sum += v
	}
	if len(f) > 0 && !(sum > 0) {
		return fmt.Errorf("split shares sum to %v: give at least one positive share", sum)
	}
	return nil
}

// Validate reports an unknown split name, a bad share or a bad pin.
func (c SplitConfig) Validate() error {
	if err := checkFractions(c.Fractions); err != nil {
		return err
	}
	for sub, split := range c.Pins {
		if !slices.Contains(SplitNames, split) {
			return fmt.Errorf("pin %s=%s: split %q is not one of train, val, test", sub, split, split)
		}
	}
	return nil
}

// Shares returns the normalized fractions in SplitNames order.
func (c SplitConfig) Shares() [3]float64 {
	f := c.Fractions
	if len(f) == 0 {
		f = DefaultFractions
	}
	var out [3]float64
	sum := 0.0
	for i, n := range SplitNames {
		out[i] = f[n]
		sum += f[n]
	}
	for i := range out {
		out[i] /= sum
	}
	return out
}

// ID names the configuration: equal configurations (after defaults and
// scaling) have equal ids. The snapshot id folds it in, so a cursor of a
// server with other fractions, salt or pins is refused.
func (c SplitConfig) ID() string {
	var b strings.Builder
	for i, v := range c.Shares() {
		fmt.Fprintf(&b, "%s=%s,", SplitNames[i], strconv.FormatFloat(v, 'g', -1, 64))
	}
	fmt.Fprintf(&b, "salt=%q", c.Salt)
	subs := make([]string, 0, len(c.Pins))
	for s := range c.Pins {
		subs = append(subs, s)
	}
	slices.Sort(subs)
	for _, s := range subs {
		fmt.Fprintf(&b, ",pin=%q:%s", s, c.Pins[s])
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:8])
}

// String shows the configuration for logs and reports.
func (c SplitConfig) String() string {
	var parts []string
	for i, v := range c.Shares() {
		if v > 0 {
			parts = append(parts, fmt.Sprintf("%s=%s", SplitNames[i], strconv.FormatFloat(v, 'g', 4, 64)))
		}
	}
	s := strings.Join(parts, ",")
	if c.Salt != "" {
		s += fmt.Sprintf(" salt %q", c.Salt)
	}
	subs := make([]string, 0, len(c.Pins))
	for sub := range c.Pins {
		subs = append(subs, sub+"="+c.Pins[sub])
	}
	slices.Sort(subs)
	if len(subs) > 0 {
		s += " pins " + strings.Join(subs, ",")
	}
	return s
}

// splitFolder returns the split a top-level folder named val or test is
// pinned to, "" for any other name.
func splitFolder(name string) string {
	if name == SplitVal || name == SplitTest {
		return name
	}
	return ""
}
