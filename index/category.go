package index

import (
	"fmt"
	"strings"
)

// KnownCategories are the negative categories of SPEC.md section 1.
var KnownCategories = []string{
	"rgb_no_alpha", "uniform_alpha", "natural_noise", "repetitive_patterns",
	"noise_lsb", "patterns", "special_cases",
}

// renamedCategories maps old category names to their current ones.
var renamedCategories = map[string]string{
	"dithered_gif":   "natural_noise",
	"repetitive_hex": "repetitive_patterns",
}

// NormalizeCategory returns the current name of a negative category as a
// manifest or folder writes it: trimmed, lower case, runs of spaces, hyphens
// and underscores folded to one underscore, old names mapped to new ones
// ("rgb no alpha" -> "rgb_no_alpha", "dithered_gif" -> "natural_noise").
func NormalizeCategory(s string) string {
	n := foldCategory(s)
	if m, ok := renamedCategories[n]; ok {
		return m
	}
	return n
}

// oldCategory returns the current name of s when s is an old category name
// ("dithered_gif" -> "natural_noise").
func oldCategory(s string) (string, bool) {
	m, ok := renamedCategories[foldCategory(s)]
	return m, ok
}

// foldCategory trims s, lowers it and folds runs of spaces, hyphens and
// underscores to one underscore.
func foldCategory(s string) string {
	var b strings.Builder
	sep := false
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		if r == ' ' || r == '-' || r == '_' || r == '\t' {
			sep = true
			continue
		}
		if sep && b.Len() > 0 {
			b.WriteByte('_')
		}
		sep = false
		b.WriteRune(r)
	}
	return b.String()
}

func knownCategory(c string) bool {
	for _, k := range KnownCategories {
		if k == c {
			return true
		}
	}
	return false
}

// MarshalText writes the kind as its name.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads a kind name.
func (k *Kind) UnmarshalText(b []byte) error {
	for _, c := range []Kind{KindClean, KindStego, KindNegative} {
		if c.String() == string(b) {
			*k = c
			return nil
		}
	}
	return fmt.Errorf("index: unknown kind %q", b)
}

// String returns the one-hot name of the bit order.
func (o BitOrder) String() string {
	switch o {
	case BitOrderLSBFirst:
		return "lsb-first"
	case BitOrderMSBFirst:
		return "msb-first"
	}
	return "none"
}

// MarshalText writes the bit order as its name.
func (o BitOrder) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// UnmarshalText reads a bit order name.
func (o *BitOrder) UnmarshalText(b []byte) error {
	for _, c := range []BitOrder{BitOrderLSBFirst, BitOrderMSBFirst, BitOrderNone} {
		if c.String() == string(b) {
			*o = c
			return nil
		}
	}
	return fmt.Errorf("index: unknown bit order %q", b)
}
