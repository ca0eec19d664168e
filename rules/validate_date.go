package rules

import (
	"strings"
	"time"
)

// ParseDate parses a calendar date written in a common Chinese or Western
// form and returns it at midnight UTC. Accepted forms (a trailing time of day
// such as " 15:04:05" or "T15:04:05Z" is ignored):
//
//	2006-01-02  2006/1/2  2006.01.02  20060102  2006年1月2日  2006年01月02号
//	02/01/2006  01/02/2006  02.01.2006  02-01-2006   (day/month or month/day)
//	Jan 2, 2006  2 January 2006  02-Jan-2006  January 2nd 2006
//
// Years must lie between 1800 and 2200. Day-first is tried before month-first
// when both are possible.
func ParseDate(s string) (time.Time, bool) {
	s = cutTimeOfDay(strings.TrimSpace(s))
	if len(s) < 6 || len(s) > 40 {
		return time.Time{}, false
	}
	if strings.Contains(s, "年") {
		return parseCJKDate(s)
	}
	if len(s) == 8 && allDigits(s) {
		return mkDate(atoiPrefix(s, 4), atoiPrefix(s[4:], 2), atoiPrefix(s[6:], 2))
	}
	if t, ok := parseNumericDate(s); ok {
		return t, true
	}
	return parseNamedMonthDate(s)
}

// cutTimeOfDay drops a time-of-day suffix introduced by 'T' or a space.
func cutTimeOfDay(s string) string {
	for i := 6; i < len(s)-3; i++ {
		if s[i] != 'T' && s[i] != ' ' {
			continue
		}
		r := s[i+1:]
		if len(r) >= 4 && isDigit(r[0]) && (r[1] == ':' || (isDigit(r[1]) && r[2] == ':')) {
			return strings.TrimSpace(s[:i])
		}
	}
	return s
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func mkDate(y, m, d int) (time.Time, bool) {
	if y < 1800 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// parseCJKDate parses 2006年1月2日 (日 or 号, spaces allowed).
func parseCJKDate(s string) (time.Time, bool) {
	s = strings.ReplaceAll(s, " ", "")
	y, rest, ok := strings.Cut(s, "年")
	if !ok || len(y) != 4 || !allDigits(y) {
		return time.Time{}, false
	}
	m, rest, ok := strings.Cut(rest, "月")
	if !ok || len(m) < 1 || len(m) > 2 || !allDigits(m) {
		return time.Time{}, false
	}
	d := strings.TrimSuffix(strings.TrimSuffix(rest, "日"), "号")
	if len(d) < 1 || len(d) > 2 || !allDigits(d) {
		return time.Time{}, false
	}
	return mkDate(atoiPrefix(y, 4), atoiPrefix(m, 2), atoiPrefix(d, 2))
}

// parseNumericDate parses three digit groups separated by one of - / . .
func parseNumericDate(s string) (time.Time, bool) {
	var sep byte
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '-' || c == '/' || c == '.' {
			sep = c
			break
		}
	}
	if sep == 0 {
		return time.Time{}, false
	}
	parts := strings.Split(s, string(sep))
	if len(parts) != 3 {
		return time.Time{}, false
	}
	for _, p := range parts {
		if !allDigits(p) || len(p) > 4 {
			return time.Time{}, false
		}
	}
	a, b, c := parts[0], parts[1], parts[2]
	switch {
	case len(a) == 4 && len(b) <= 2 && len(c) <= 2:
		return mkDate(atoiPrefix(a, 4), atoiPrefix(b, 2), atoiPrefix(c, 2))
	case len(c) == 4 && len(a) <= 2 && len(b) <= 2:
		x, y, yr := atoiPrefix(a, 2), atoiPrefix(b, 2), atoiPrefix(c, 4)
		if t, ok := mkDate(yr, y, x); ok { // day first
			return t, true
		}
		return mkDate(yr, x, y) // month first
	}
	return time.Time{}, false
}

func monthByName(w string) int {
	w = strings.ToLower(strings.TrimSuffix(w, "."))
	if len(w) < 3 {
		return 0
	}
	names := [...]string{"january", "february", "march", "april", "may", "june", "july",
		"august", "september", "october", "november", "december"}
	for i, n := range names {
		if strings.HasPrefix(n, w) || (w == "sept" && i == 8) {
			return i + 1
		}
	}
	return 0
}

// parseNamedMonthDate parses forms with an English month name.
func parseNamedMonthDate(s string) (time.Time, bool) {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '-' || r == '/' })
	if len(f) != 3 {
		return time.Time{}, false
	}
	month, day, year := 0, 0, 0
	for _, w := range f {
		switch {
		case allDigits(w) && len(w) == 4 && year == 0:
			year = atoiPrefix(w, 4)
		case len(w) <= 4 && len(w) >= 1 && isDigit(w[0]) && day == 0:
			n := 1
			if len(w) > 1 && isDigit(w[1]) {
				n = 2
			}
			if suf := strings.ToLower(w[n:]); suf != "" && suf != "st" && suf != "nd" && suf != "rd" && suf != "th" {
				return time.Time{}, false
			}
			day = atoiPrefix(w, n)
		default:
			if month != 0 {
				return time.Time{}, false
			}
			if month = monthByName(w); month == 0 {
				return time.Time{}, false
			}
		}
	}
	if month == 0 || day == 0 || year == 0 {
		return time.Time{}, false
	}
	return mkDate(year, month, day)
}

// plausibleBirthDate reports whether s is a date on which a living person
// (aged 0 to 120 on today) was born.
func plausibleBirthDate(s string, today time.Time) bool {
	t, ok := ParseDate(s)
	if !ok || t.After(today) {
		return false
	}
	return t.After(today.AddDate(-120, 0, 0))
}

// adultBirthDate reports whether s is the birth date of a person aged 16 to
// 120 on today.
func adultBirthDate(s string, today time.Time) bool {
	t, ok := ParseDate(s)
	if !ok {
		return false
	}
	return !t.After(today.AddDate(-16, 0, 0)) && t.After(today.AddDate(-120, 0, 0))
}

// plausibleAge reports whether s is an age in years between 0 and 120:
// an integer, optionally followed by 岁 or 周岁.
func plausibleAge(s string) bool {
	s = strings.TrimSuffix(strings.TrimSuffix(s, "岁"), "周")
	s = strings.TrimSpace(s)
	if len(s) == 0 || len(s) > 3 || !allDigits(s) {
		return false
	}
	return atoiPrefix(s, 3) <= 120
}
