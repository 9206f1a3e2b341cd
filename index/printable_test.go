package index

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"plain/name é.png":   "plain/name é.png",
		"a\nb: error forged": `a\nb: error forged`,
		"\x1b[31mred\x1b[0m": `\x1b[31mred\x1b[0m`,
		"tab\there\r":        `tab\there\r`,
		"bidi\u202egnp.exe":  `bidi\u202egnp.exe`,
		"sep\u2028line":      `sep\u2028line`,
		"c1\u009bx":          `c1\u009bx`,
		"bad\xffutf8":        `bad\xffutf8`,
		`back\slash`:         `back\\slash`,
		"del\x7f":            `del\x7f`,
		"":                   "",
	} {
		got := Printable(in)
		if got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
		for _, r := range got {
			if r < 0x20 || r == 0x7f {
				t.Errorf("Printable(%q) keeps control %U", in, r)
			}
		}
	}
	// A problem prints on one line whatever its path holds.
	p := Problem{Path: "s/clean/x\n/y: error forged.png", Severity: SeverityWarning, Code: CodeStrayFile, Message: "m\x1b]0;t\x07"}
	if s := p.String(); strings.ContainsAny(s, "\n\x1b\x07") {
		t.Errorf("Problem.String() = %q", s)
	}
	// The JSON output keeps the raw name, escaped by the encoder.
	b, _ := json.Marshal(p)
	if !strings.Contains(string(b), strconv.Quote("s/clean/x\n/y: error forged.png")[1:20]) {
		t.Errorf("json %s", b)
	}
}
