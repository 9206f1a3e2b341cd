package index

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Printable returns s for a terminal or a line-oriented log: control
// characters (newlines, escapes, C1 codes), line and paragraph separators,
// bidirectional overrides and invalid UTF-8 bytes are written as Go escapes
// (\n, \x1b, \u202e), and a backslash as \\, so that a file name can neither
// forge a line nor drive the terminal. Other text is left as it is.
func Printable(s string) string {
	clean := true
	for _, r := range s {
		if needsEscape(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x80 && needsEscape(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case needsEscape(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += n
	}
	return b.String()
}

// needsEscape tells whether Printable writes r as an escape.
func needsEscape(r rune) bool {
	switch {
	case r == utf8.RuneError, r == '\\':
		return true
	case unicode.IsControl(r): // C0, DEL, C1
		return true
	case r == '\u2028' || r == '\u2029': // line and paragraph separators
		return true
	case unicode.Is(unicode.Bidi_Control, r):
		return true
	}
	return false
}
