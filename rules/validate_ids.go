package rules

import (
	"strings"
	"time"
)

// compactDigits removes the separator bytes in seps from s and reports whether
// what remains is all ASCII digits (and not empty).
func compactDigits(s, seps string) (string, bool) {
	if s == "" {
		return "", false
	}
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			continue
		}
		if strings.IndexByte(seps, c) < 0 {
			return "", false
		}
		clean = false
	}
	if clean {
		return s, true
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= '0' && c <= '9' {
			b.WriteByte(c)
		}
	}
	if b.Len() == 0 {
		return "", false
	}
	return b.String(), true
}

// atoiPrefix parses the first n bytes of s (digits only) as a number.
func atoiPrefix(s string, n int) int {
	v := 0
	for i := 0; i < n && i < len(s); i++ {
		v = v*10 + int(s[i]-'0')
	}
	return v
}

// ValidPaymentCard reports whether s is a payment card number: 12 to 19 digits
// (spaces and dashes allowed between groups) with an issuer prefix whose length
// it fits (Visa, Mastercard, American Express, Discover, JCB, UnionPay, Diners,
// Maestro, Mir) and a correct Luhn check digit.
func ValidPaymentCard(s string) bool {
	d, ok := compactDigits(s, " -")
	if !ok || len(d) < 12 || len(d) > 19 {
		return false
	}
	return cardIssuerFits(d) && LuhnValid(d)
}

// cardIssuerFits checks the issuer identification number range against the
// lengths that issuer uses.
func cardIssuerFits(d string) bool {
	n := len(d)
	p2, p3, p4 := atoiPrefix(d, 2), atoiPrefix(d, 3), atoiPrefix(d, 4)
	switch {
	case d[0] == '4': // Visa
		return n == 13 || n == 16 || n == 19
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720: // Mastercard
		return n == 16
	case p2 == 34 || p2 == 37: // American Express
		return n == 15
	case p4 >= 2200 && p4 <= 2204: // Mir
		return n >= 16 && n <= 19
	case p2 == 62 || p2 == 81: // UnionPay
		return n >= 16 && n <= 19
	case p4 == 6011, p3 >= 644 && p3 <= 649, p2 == 65: // Discover
		return n >= 16 && n <= 19
	case p4 >= 3528 && p4 <= 3589: // JCB
		return n >= 16 && n <= 19
	case p4 == 1800 || p4 == 2131: // JCB, the older 15-digit ranges
		return n == 15
	case p3 >= 300 && p3 <= 305, p2 == 36, p2 == 38, p2 == 39: // Diners Club
		return n >= 14 && n <= 19
	case p2 == 50, p2 >= 56 && p2 <= 69: // Maestro and other 5x/6x debit ranges
		return n >= 12 && n <= 19
	}
	return false
}

// cnRegionOK reports whether the first two digits of a resident ID or social
// credit code region part name a provincial-level division (GB/T 2260), or the
// Hong Kong, Macao and Taiwan residence-permit codes 81, 82 and 83.
func cnRegionOK(d string) bool {
	p := atoiPrefix(d, 2)
	switch {
	case p >= 11 && p <= 15, p >= 21 && p <= 23, p >= 31 && p <= 37,
		p >= 41 && p <= 46, p >= 50 && p <= 54, p >= 61 && p <= 65,
		p == 71, p >= 81 && p <= 83:
		return true
	}
	return false
}

// validYMD reports whether y-m-d is a real calendar date between 1 January 1900
// and today (inclusive).
func validYMD(y, m, d int, today time.Time) bool {
	if y < 1900 || m < 1 || m > 12 || d < 1 || d > 31 {
		return false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || t.Month() != time.Month(m) {
		return false
	}
	return !t.After(today)
}

// ValidResidentID reports whether s is an 18-character resident identity number
// (GB 11643-1999) valid as of today: a known province code, a real birth date
// not in the future, and the right check character ('x' accepted for 'X').
func ValidResidentID(s string) bool { return residentID18(s, today()) }

// ValidResidentID15 reports whether s is a 15-digit resident identity number
// of the pre-1999 form (region, YYMMDD birth date in the 1900s, sequence).
func ValidResidentID15(s string) bool { return residentID15(s, today()) }

func today() time.Time {
	y, m, d := time.Now().UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func residentID18(s string, today time.Time) bool {
	if len(s) != 18 {
		if len(s) > 18 && strings.IndexByte(s, ' ') >= 0 {
			s = strings.ReplaceAll(s, " ", "")
			if len(s) != 18 {
				return false
			}
		} else {
			return false
		}
	}
	for i := 0; i < 17; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	if !cnRegionOK(s) {
		return false
	}
	if !validYMD(atoiPrefix(s[6:], 4), atoiPrefix(s[10:], 2), atoiPrefix(s[12:], 2), today) {
		return false
	}
	last := s[17]
	if last == 'x' {
		last = 'X'
	}
	c, ok := GB11643CheckChar(s[:17])
	return ok && c == last
}

func residentID15(s string, today time.Time) bool {
	if len(s) != 15 {
		return false
	}
	for i := 0; i < 15; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return cnRegionOK(s) && validYMD(1900+atoiPrefix(s[6:], 2), atoiPrefix(s[8:], 2), atoiPrefix(s[10:], 2), today)
}

// ValidSocialCreditCode reports whether s is an 18-character unified social
// credit code (GB 32100-2015): a known registration authority, an
// administrative region of digits, characters from GB32100Alphabet and a
// correct check character. Lower-case letters are accepted.
func ValidSocialCreditCode(s string) bool {
	if len(s) != 18 {
		return false
	}
	u := strings.ToUpper(s)
	if strings.IndexByte("123456789AGNY", u[0]) < 0 {
		return false
	}
	for i := 2; i < 8; i++ {
		if u[i] < '0' || u[i] > '9' {
			return false
		}
	}
	if u[2] == '0' || u[2] == '9' {
		return false
	}
	c, ok := GB32100CheckChar(u[:17])
	return ok && c == u[17]
}

// ibanLengths is the IBAN length for each country in the SWIFT IBAN registry.
func ibanLength(cc string) int {
	switch cc {
	case "NO":
		return 15
	case "BE":
		return 16
	case "DK", "FI", "FO", "GL", "NL", "SD":
		return 18
	case "MK", "SI":
		return 19
	case "AT", "BA", "EE", "KZ", "LT", "LU", "XK":
		return 20
	case "CH", "CR", "HR", "LI", "LV":
		return 21
	case "BG", "BH", "DE", "GB", "GE", "IE", "ME", "RS", "VA":
		return 22
	case "AE", "GI", "IL", "IQ", "TL":
		return 23
	case "AD", "CZ", "ES", "MD", "PK", "RO", "SA", "SE", "SK", "TN", "VG":
		return 24
	case "LY", "PT", "ST":
		return 25
	case "IS", "TR":
		return 26
	case "FR", "GR", "IT", "MC", "MR", "SM":
		return 27
	case "AL", "AZ", "BY", "CY", "DO", "GT", "HU", "LB", "PL", "SV":
		return 28
	case "BR", "EG", "PS", "QA", "UA":
		return 29
	case "JO", "KW", "MU":
		return 30
	case "MT", "SC":
		return 31
	case "LC":
		return 32
	}
	return 0
}

// ValidIBAN reports whether s is an International Bank Account Number
// (ISO 13616): a registered country, that country's length, and MOD 97-10
// check digits. Spaces between groups and lower case are accepted.
func ValidIBAN(s string) bool {
	if len(s) < 15 || len(s) > 42 {
		return false
	}
	u := strings.ToUpper(strings.ReplaceAll(s, " ", ""))
	if len(u) < 15 || u[0] < 'A' || u[0] > 'Z' || u[1] < 'A' || u[1] > 'Z' {
		return false
	}
	if ibanLength(u[:2]) != len(u) || u[2] < '0' || u[2] > '9' || u[3] < '0' || u[3] > '9' {
		return false
	}
	r, ok := ibanMod97(u[4:] + u[:4])
	return ok && r == 1
}
