// Package placekey folds a place name into the key the gazetteers are
// written and looked up in.
package placekey

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Key is the match key of a place name: lower case, accents and marks
// dropped, ß æ œ ø ł đ ı spelled in Latin letters, hyphens, apostrophes and
// dots read as spaces, spaces collapsed ("Lääne-Virumaa" → "laane virumaa",
// "ORLÉANS" → "orleans", "Łódź" → "lodz").
// rules looks places up by it and rules/internal/geogen writes the
// gazetteers in it, so both must agree.
func Key(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if !ascii {
		s = norm.NFD.String(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	space := true
	for _, r := range s {
		if r >= utf8.RuneSelf && unicode.Is(unicode.Mn, r) {
			continue
		}
		r = unicode.ToLower(r)
		switch r {
		case 'ß':
			b.WriteString("ss")
			space = false
			continue
		case 'æ':
			b.WriteString("ae")
			space = false
			continue
		case 'œ':
			b.WriteString("oe")
			space = false
			continue
		case 'ø':
			r = 'o'
		case 'ł':
			r = 'l'
		case 'đ':
			r = 'd'
		case 'ı':
			r = 'i'
		case '-', '\'', '’', '‘', 'ʻ', 'ʼ', '`', '.', '‐', '–', '·':
			r = ' '
		}
		if unicode.IsSpace(r) {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		b.WriteRune(r)
		space = false
	}
	return strings.TrimSpace(b.String())
}
