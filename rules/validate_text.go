package rules

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// TextFinding is one piece of personal data found inside free text, as a byte
// range of the text and the kind of data: "email", "phone", "cn_resident_id"
// or "bank_card".
type TextFinding struct {
	Start, End int
	Kind       string
}

// FindInText scans free text for embedded e-mail addresses, phone numbers
// (mainland mobile and fixed-line, international), resident ID numbers and
// payment card numbers, and returns where they are. It never returns the
// matched text itself, so callers can redact without copying personal data.
func FindInText(s string) []TextFinding {
	var out []TextFinding
	scanText(s, func(f TextFinding) bool { out = append(out, f); return true })
	return out
}

// containsPII reports whether s is free text (at least 8 characters) with
// personal data embedded in it: something found by FindInText with at least
// two letters around it ("张伟 13812345678" counts, a parcel number "1Z 999
// ..." does not).
func containsPII(s string) bool {
	n := utf8.RuneCountInString(s)
	if n < 8 {
		return false
	}
	found := false
	scanText(s, func(f TextFinding) bool {
		if letters(s[:f.Start])+letters(s[f.End:]) >= 2 {
			found = true
			return false
		}
		return true
	})
	return found
}

func isEmailByte(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

// scanText calls yield for every finding until yield returns false.
func scanText(s string, yield func(TextFinding) bool) {
	// e-mail addresses: expand around each '@'.
	for i := 0; i < len(s); i++ {
		if s[i] != '@' {
			continue
		}
		a := i
		for a > 0 && isEmailByte(s[a-1]) {
			a--
		}
		b := i + 1
		for b < len(s) && (isEmailByte(s[b])) {
			b++
		}
		for b > i+1 && (s[b-1] == '.' || s[b-1] == '-') {
			b--
		}
		if a < i && b > i+1 && ValidEmail(s[a:b]) {
			if !yield(TextFinding{a, b, "email"}) {
				return
			}
			i = b - 1
		}
	}
	// number-like runs: digits with single spaces or dashes inside, an optional
	// leading '+', and a trailing X for resident IDs.
	for i := 0; i < len(s); {
		c := s[i]
		if !(isDigit(c) || ((c == '+' || c == '(') && i+1 < len(s) && (isDigit(s[i+1]) || s[i+1] == '+'))) {
			i++
			continue
		}
		if i > 0 && (isAlnum(s[i-1]) || s[i-1] == '@' || s[i-1] == '.' || s[i-1] == '_' || s[i-1] == '/') {
			// inside a word or an address: skip to its end
			i++
			for i < len(s) && (isAlnum(s[i]) || s[i] == '.') {
				i++
			}
			continue
		}
		j, digits := i, 0
		if s[j] == '(' {
			j++
		}
		if j < len(s) && s[j] == '+' {
			j++
		}
		end := j
		for j < len(s) {
			switch {
			case isDigit(s[j]):
				digits++
				j++
				end = j
			case (s[j] == ' ' || s[j] == '-' || s[j] == '.') && j+1 < len(s) && isDigit(s[j+1]) && digits > 0:
				j++
			case s[j] == ')' && digits > 0 && digits <= 4 && j+1 < len(s) && (isDigit(s[j+1]) || s[j+1] == ' ' && j+2 < len(s) && isDigit(s[j+2])):
				j++
				if s[j] == ' ' {
					j++
				}
			default:
				goto done
			}
		}
	done:
		// an extension: x123, ext. 123
		phoneEnd := end
		if k := extensionEnd(s, end); k > end {
			phoneEnd = k
		}
		if end < len(s) && (s[end] == 'X' || s[end] == 'x') && digits == 17 {
			end++
		}
		if phoneEnd == end && end < len(s) && (isAlnum(s[end]) || s[end] == '@') {
			i = end + 1
			continue
		}
		if digits >= 7 && dottedPhoneOK(s[i:end]) {
			cand := s[i:end]
			kind := ""
			switch {
			case digits >= 17 && residentID18(compactSpaces(cand), today()):
				kind = "cn_resident_id"
			case digits >= 12 && ValidPaymentCard(cand):
				kind = "bank_card"
			case ValidCNMobile(cand) || ValidIntlPhone(cand) || ValidCNLandline(cand) || ValidNANPPhone(cand) || intlPrefixPhone(cand):
				kind = "phone"
				end = phoneEnd
			}
			if kind != "" && !yield(TextFinding{i, end, kind}) {
				return
			}
		}
		if end <= i {
			end = i + 1
		}
		i = end
	}
}

func compactSpaces(s string) string {
	d, ok := compactDigits(s[:len(s)-1], " -")
	if !ok {
		return s
	}
	return d + s[len(s)-1:]
}

// letters counts the letters of s that stand in words of two or more
// letters (the lone letters of a parcel number "1Z V38 ..." do not count).
func letters(s string) int {
	n, run := 0, 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			run++
			continue
		}
		if run >= 2 {
			n += run
		}
		run = 0
	}
	if run >= 2 {
		n += run
	}
	return n
}

// extensionEnd returns the end of a phone extension ("x708", " ext. 12")
// that starts at i, or i when there is none.
func extensionEnd(s string, i int) int {
	j := i
	if j < len(s) && s[j] == ' ' {
		j++
	}
	switch {
	case j+3 <= len(s) && asciiLower(s[j:j+3]) == "ext":
		j += 3
		if j < len(s) && s[j] == '.' {
			j++
		}
		if j < len(s) && s[j] == ' ' {
			j++
		}
	case j < len(s) && (s[j] == 'x' || s[j] == 'X' || s[j] == '#'):
		j++
	default:
		return i
	}
	k := j
	for k < len(s) && isDigit(s[k]) && k-j < 6 {
		k++
	}
	if k == j || (k < len(s) && isAlnum(s[k])) {
		return i
	}
	return k
}

// intlPrefixPhone reports whether s is a number dialled with an
// international prefix ("00 44 20 7946 0958", "001-212-555-0123") that
// libphonenumber finds possible.
func intlPrefixPhone(s string) bool {
	main, digits, _, ok := phoneShape(s)
	if !ok || digits < 9 || !strings.HasPrefix(main, "00") {
		return false
	}
	n, err := phonenumbers.Parse("+"+main[2:], "ZZ")
	return err == nil && phonenumbers.IsPossibleNumber(n)
}

// dottedPhoneOK accepts a number run with dots only in the two ways people
// write phones with dots (212.555.0123, 02.64.62.52.37), so that version
// numbers and decimals are not phones.
func dottedPhoneOK(s string) bool {
	if !strings.Contains(s, ".") {
		return true
	}
	groups := strings.Split(strings.Trim(s, "()+"), ".")
	sizes := make([]int, len(groups))
	for i, g := range groups {
		g = strings.Trim(g, "() ")
		if !allDigits(g) {
			return false
		}
		sizes[i] = len(g)
	}
	if len(sizes) == 3 && sizes[0] == 3 && sizes[1] == 3 && sizes[2] == 4 {
		return true
	}
	for _, n := range sizes {
		if n != 2 {
			return false
		}
	}
	return len(sizes) >= 4
}
