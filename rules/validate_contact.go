package rules

import (
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"
)

// phoneDigits strips the characters people put in phone numbers (spaces,
// dashes, dots, parentheses) and reports the digits, whether the number was
// written with a leading '+', and whether any separator was present. ok is
// false for any other character.
func phoneDigits(s string) (digits string, plus, separated, ok bool) {
	if len(s) < 7 || len(s) > 32 {
		return "", false, false, false
	}
	var buf [32]byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			buf[n] = c
			n++
		case c == '+':
			if n > 0 || plus {
				return "", false, false, false
			}
			plus = true
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/':
			separated = true
		default:
			return "", false, false, false
		}
	}
	if n == 0 {
		return "", false, false, false
	}
	return string(buf[:n]), plus, separated, true
}

// cnMobilePrefixOK reports whether the second and third digits of an 11-digit
// number starting with 1 belong to a mainland mobile number segment
// (13x, 145-149, 150-153, 155-159, 162, 165-167, 170-178, 18x, 190-193, 195-199).
func cnMobilePrefixOK(b, c byte) bool {
	switch b {
	case '3', '8':
		return true
	case '4':
		return c >= '5'
	case '5':
		return c != '4'
	case '6':
		return c == '2' || (c >= '5' && c <= '7')
	case '7':
		return c != '9'
	case '9':
		return c != '4'
	}
	return false
}

// ValidCNMobile reports whether s is a mainland China mobile number as people
// write it: 11 digits with a real 13x-19x segment, optionally with a +86,
// 0086 or 86 country prefix and spaces, dashes or parentheses.
func ValidCNMobile(s string) bool {
	d, plus, _, ok := phoneDigits(s)
	if !ok {
		return false
	}
	return cnMobileDigits(stripCN(d, plus))
}

func cnMobileDigits(d string) bool {
	return len(d) == 11 && d[0] == '1' && cnMobilePrefixOK(d[1], d[2])
}

// stripCN removes a +86 / 0086 / 86 country prefix from digits.
func stripCN(d string, plus bool) string {
	switch {
	case plus && strings.HasPrefix(d, "86"):
		return d[2:]
	case strings.HasPrefix(d, "0086"):
		return d[4:]
	case len(d) == 13 && strings.HasPrefix(d, "86"):
		return d[2:]
	}
	return d
}

// ValidCNLandline reports whether s is a mainland fixed-line number with its
// area code: 010/02x plus 8 digits, or a 4-digit area code plus 7 or 8 digits,
// optionally written with +86 (dropping the trunk 0).
func ValidCNLandline(s string) bool {
	d, plus, _, ok := phoneDigits(s)
	if !ok {
		return false
	}
	if plus && strings.HasPrefix(d, "86") {
		d = "0" + d[2:]
	} else if strings.HasPrefix(d, "0086") {
		d = "0" + d[4:]
	}
	return cnLandlineDigits(d)
}

func cnLandlineDigits(d string) bool {
	if len(d) < 10 || len(d) > 12 || d[0] != '0' || d[1] == '0' {
		return false
	}
	area := 4
	if d[1] == '1' || d[1] == '2' {
		area = 3
	}
	sub := d[area:]
	if len(sub) < 7 || len(sub) > 8 || sub[0] < '2' {
		return false
	}
	if d[1] == '1' && d[2] != '0' { // 010 is the only 01x area code
		return false
	}
	return true
}

// countryCallingCode returns the length of the ITU-T E.164 country calling code
// at the start of d, or 0 when none matches.
func countryCallingCode(d string) int {
	if len(d) < 1 {
		return 0
	}
	switch d[0] {
	case '1', '7':
		return 1
	}
	if len(d) < 2 {
		return 0
	}
	two := atoiPrefix(d, 2)
	switch two {
	case 20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49,
		51, 52, 53, 54, 55, 56, 57, 58, 60, 61, 62, 63, 64, 65, 66,
		81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98:
		return 2
	}
	if len(d) < 3 {
		return 0
	}
	three := atoiPrefix(d, 3)
	switch {
	case three >= 211 && three <= 299 && three != 214 && three != 215 && three != 217 && three != 259 && three != 280 && three != 281 && three != 282 && three != 283 && three != 284 && three != 285 && three != 286 && three != 287 && three != 288 && three != 289,
		three >= 350 && three <= 359, three >= 370 && three <= 389 && three != 384,
		three >= 420 && three <= 423 && three != 422,
		three >= 500 && three <= 509, three >= 590 && three <= 599,
		three >= 670 && three <= 692 && three != 671 && three != 684,
		three == 850, three == 852, three == 853, three == 855, three == 856, three == 880, three == 886,
		three >= 960 && three <= 968, three >= 970 && three <= 977, three >= 992 && three <= 998:
		return 3
	}
	return 0
}

// ValidIntlPhone reports whether s is a phone number in international form:
// a leading + or 00, a real country calling code and 8 to 15 digits in all.
// +86 numbers must be mainland mobile or fixed-line numbers and +1 numbers
// valid NANP numbers.
func ValidIntlPhone(s string) bool {
	d, plus, _, ok := phoneDigits(s)
	if !ok {
		return false
	}
	if !plus {
		if !strings.HasPrefix(d, "00") {
			return false
		}
		d = d[2:]
	}
	if len(d) < 8 || len(d) > 15 {
		return false
	}
	n := countryCallingCode(d)
	if n == 0 {
		return false
	}
	cc, national := d[:n], d[n:]
	switch cc {
	case "86":
		return cnMobileDigits(national) || cnLandlineDigits("0"+national)
	case "1":
		return nanpDigits(national)
	}
	return len(national) >= 6 && len(national) <= 12
}

func nanpDigits(d string) bool {
	return len(d) == 10 && d[0] >= '2' && d[3] >= '2' && !(d[1] == '1' && d[2] == '1')
}

// ValidNANPPhone reports whether s is a North American number written with
// separators, e.g. "(212) 555-0123", "212-555-0123" or "1-212-555-0123".
// Runs of 10 bare digits are not accepted: they are too often something else.
func ValidNANPPhone(s string) bool {
	d, plus, sep, ok := phoneDigits(s)
	if !ok || !sep {
		return false
	}
	if len(d) == 11 && d[0] == '1' {
		d = d[1:]
	} else if plus {
		return false
	}
	return nanpDigits(d)
}

// ValidPhone reports whether s is a phone number in any of the forms the
// other phone validators accept.
func ValidPhone(s string) bool {
	return ValidCNMobile(s) || ValidCNLandline(s) || ValidIntlPhone(s) || ValidNANPPhone(s)
}

// ValidEmail reports whether s is an e-mail address: a dot-atom local part
// (ASCII or, per RFC 6531, Unicode letters), '@', and a domain of at least two
// labels whose top-level label is alphabetic or an IDN A-label (xn--).
// Internationalized domain names in Unicode form are accepted.
func ValidEmail(s string) bool {
	if len(s) < 5 || len(s) > 254 {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	if at < 1 || at > 64 || at == len(s)-1 {
		return false
	}
	return emailLocalOK(s[:at]) && emailDomainOK(s[at+1:])
}

func emailLocalOK(l string) bool {
	if l[0] == '.' || l[len(l)-1] == '.' || strings.Contains(l, "..") {
		return false
	}
	for _, r := range l {
		switch {
		case r < utf8.RuneSelf:
			if !(isAlnum(byte(r)) || strings.IndexByte("!#$%&'*+/=?^_`{|}~-.", byte(r)) >= 0) {
				return false
			}
		case r == utf8.RuneError:
			return false
		case !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r):
			return false
		}
	}
	return true
}

func emailDomainOK(d string) bool {
	if len(d) > 253 {
		return false
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return false
	}
	for _, lab := range labels {
		if lab == "" || len(lab) > 63 || lab[0] == '-' || lab[len(lab)-1] == '-' {
			return false
		}
		for _, r := range lab {
			if r < utf8.RuneSelf {
				if !isAlnum(byte(r)) && r != '-' {
					return false
				}
			} else if r == utf8.RuneError || (!unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r)) {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	if strings.HasPrefix(strings.ToLower(tld), "xn--") {
		return len(tld) > 4
	}
	n := 0
	for _, r := range tld {
		if !unicode.IsLetter(r) {
			return false
		}
		n++
	}
	return n >= 2
}

func isAlnum(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// ValidIP reports whether s is an IPv4 address in dotted-decimal form or an
// IPv6 address (without zone).
func ValidIP(s string) bool {
	if len(s) < 2 || len(s) > 45 {
		return false
	}
	a, err := netip.ParseAddr(s)
	return err == nil && a.Zone() == ""
}

// ValidIPv4 reports whether s is a dotted-decimal IPv4 address.
func ValidIPv4(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4()
}

// ValidIPv6 reports whether s is an IPv6 address (without zone).
func ValidIPv6(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is6() && a.Zone() == ""
}
