package termsafe

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// String returns s with every control or format character replaced by a
// visible escape; "\n" and "\t" are kept when keepNewlines is true.
func String(s string, keepNewlines bool) string {
	if isClean(s, keepNewlines) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case keepNewlines && (r == '\n' || r == '\t'):
			b.WriteRune(r)
		case r == '\r' && keepNewlines && i+1 < len(s) && s[i+1] == '\n':
			// CRLF line ends: drop the CR, keep the line.
		case unsafe(r):
			if r < 0x80 {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func isClean(s string, keepNewlines bool) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return false
		}
		if unsafe(r) && !(keepNewlines && (r == '\n' || r == '\t')) {
			return false
		}
		i += size
	}
	return true
}

// unsafe reports whether a terminal could act on r instead of showing it.
func unsafe(r rune) bool {
	if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
		return true
	}
	if r == 0xfeff {
		return false // a BOM shows nothing and does nothing harmful
	}
	return unicode.Is(unicode.Cf, r) || r == 0x2028 || r == 0x2029
}
