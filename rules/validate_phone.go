package rules

import (
	"sort"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// Phone numbers beyond the fast mainland/NANP/+ checks are validated with
// libphonenumber's metadata (github.com/nyaruka/phonenumbers): international
// forms ("+", "00", "001-"), national forms of every region, extensions.

// phoneRegions is the order in which national forms are tried: the
// configured default regions first, then every region libphonenumber knows.
type phoneRegions []string

// popularRegions lead the search after the configured ones, so that a
// column from one of the big CRM markets is settled after a few tries.
var popularRegions = []string{"CN", "US", "GB", "DE", "FR", "IT", "ES", "NL", "BE", "CH", "AT", "SE", "NO", "DK",
	"FI", "PL", "PT", "IE", "CA", "AU", "NZ", "JP", "KR", "HK", "TW", "SG", "IN", "BR", "MX", "ZA", "RU"}

func newPhoneRegions(defaults []string) phoneRegions {
	seen := map[string]bool{}
	var out []string
	add := func(r string) {
		r = strings.ToUpper(r)
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	for _, r := range defaults {
		add(r)
	}
	for _, r := range popularRegions {
		add(r)
	}
	all := make([]string, 0, 256)
	for r := range phonenumbers.GetSupportedRegions() {
		all = append(all, r)
	}
	sort.Strings(all)
	for _, r := range all {
		add(r)
	}
	return out
}

// splitExtension cuts an extension ("x1234", "ext. 12", "#55", "转 801",
// "分机 801") off the end of a phone number.
func splitExtension(s string) string {
	l := asciiLower(s) // same length as s, so indexes carry over
	for _, mark := range []string{" ext. ", " ext ", "ext.", "ext", " x ", "x", "#", "转", "分机"} {
		i := strings.LastIndex(l, mark)
		if i <= 0 {
			continue
		}
		tail := strings.TrimSpace(l[i+len(mark):])
		if tail != "" && len(tail) <= 6 && allDigits(tail) {
			return strings.TrimSpace(s[:i])
		}
	}
	return s
}

// phoneShape returns the digits of a value that could be a phone number
// (digits with the usual separators, an optional leading "+" and "tel:"),
// and whether it was written with separators.
func phoneShape(s string) (main string, digits int, separated, ok bool) {
	s = strings.TrimSpace(s)
	if len(s) < 5 || len(s) > 40 {
		return "", 0, false, false
	}
	if len(s) > 4 && strings.EqualFold(s[:4], "tel:") {
		s = strings.TrimSpace(s[4:])
	}
	s = splitExtension(s)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '+' && strings.Trim(s[:i], "( ") == "":
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/':
			separated = true
		default:
			return "", 0, false, false
		}
	}
	return s, digits, separated, digits >= 5 && digits <= 17
}

// phone reports whether s is a telephone number: the fast mainland,
// North-American and international checks, then libphonenumber for an
// international form, then for a national form (written with separators or a
// trunk prefix, so that bare record numbers are not mistaken for phones) in
// any region, the configured ones first.
func (r phoneRegions) phone(s string) bool {
	main, digits, separated, ok := phoneShape(s)
	if !ok || decimalNumber(main) || ValidIPv4(main) {
		return false
	}
	if ValidPhone(main) {
		return true
	}
	if _, isDate := ParseDate(main); isDate {
		return false
	}
	lead := strings.TrimLeft(main, "( ")
	switch {
	case strings.HasPrefix(lead, "+"), strings.HasPrefix(lead, "00") && digits >= 9:
		intl := lead
		if strings.HasPrefix(intl, "00") {
			intl = "+" + intl[2:]
		}
		n, err := phonenumbers.Parse(intl, "ZZ")
		return err == nil && (phonenumbers.IsValidNumber(n) || phonenumbers.IsPossibleNumber(n))
	case !separated && lead[0] != '0':
		// a bare run of digits: a North American number only when it is
		// valid (real area code and exchange), as CRMs store 4155550143
		if digits == 10 {
			n, err := phonenumbers.Parse(main, "US")
			return err == nil && phonenumbers.IsValidNumberForRegion(n, "US")
		}
		return false
	case digits < 6:
		return false
	}
	for _, region := range r {
		n, err := phonenumbers.Parse(main, region)
		if err != nil {
			continue
		}
		if phonenumbers.IsValidNumberForRegion(n, region) {
			return true
		}
	}
	return false
}

// decimalNumber reports whether s is a number with one decimal point
// ("77.377518", "-26.22096", "70777.45"): an amount or a coordinate.
func decimalNumber(s string) bool {
	t := strings.TrimPrefix(s, "-")
	a, b, ok := strings.Cut(t, ".")
	return ok && allDigits(a) && allDigits(b)
}

// asciiLower lower-cases ASCII letters only, keeping the byte length.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
