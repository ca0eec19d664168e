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
// Bare runs of digits ("7400123456", a mobile whose leading zero a
// spreadsheet dropped) are tried in the configured regions only.
type phoneRegions struct {
	order    []string
	defaults []string
}

// popularRegions lead the search after the configured ones, so that a
// column from one of the big CRM markets is settled after a few tries.
var popularRegions = []string{"CN", "US", "GB", "DE", "FR", "IT", "ES", "NL", "BE", "CH", "AT", "SE", "NO", "DK",
	"FI", "PL", "PT", "IE", "CA", "AU", "NZ", "JP", "KR", "HK", "TW", "SG", "IN", "BR", "MX", "ZA", "RU"}

func newPhoneRegions(defaults []string) phoneRegions {
	seen := map[string]bool{}
	var out, conf []string
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
	conf = append(conf, out...)
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
	return phoneRegions{order: out, defaults: conf}
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
			if err == nil && phonenumbers.IsValidNumberForRegion(n, "US") {
				return true
			}
		}
		// or a mobile number of a configured region whose leading zero a
		// spreadsheet dropped ("7400123456" in GB); bare fixed-line numbers
		// look too much like record numbers
		for _, region := range r.defaults {
			if n, err := phonenumbers.Parse(main, region); err == nil && phonenumbers.IsValidNumberForRegion(n, region) &&
				phonenumbers.GetNumberType(n) == phonenumbers.MOBILE {
				return true
			}
		}
		return false
	case digits < 6:
		return false
	}
	for _, region := range r.order {
		if validInRegion(main, region) {
			return true
		}
	}
	return false
}

func validInRegion(s, region string) bool {
	n, err := phonenumbers.Parse(s, region)
	return err == nil && phonenumbers.IsValidNumberForRegion(n, region)
}

// PhoneInRegion reports whether s is a telephone number of region (ISO
// 3166-1 alpha-2): an international form of that region's code, or a
// national form, bare digits included ("7400123456" is a British mobile
// whose leading zero a spreadsheet dropped). The hint comes from the data —
// a country on the same row — so a bare number counts only for that region.
func PhoneInRegion(s, region string) bool {
	region = strings.ToUpper(strings.TrimSpace(region))
	if len(region) != 2 {
		return false
	}
	main, digits, _, ok := phoneShape(s)
	if !ok || decimalNumber(main) || ValidIPv4(main) || digits < 6 {
		return false
	}
	if _, isDate := ParseDate(main); isDate {
		return false
	}
	lead := strings.TrimLeft(main, "( ")
	if strings.HasPrefix(lead, "00") && digits >= 9 {
		lead = "+" + lead[2:]
	}
	if strings.HasPrefix(lead, "+") {
		n, err := phonenumbers.Parse(lead, "ZZ")
		return err == nil && phonenumbers.IsValidNumberForRegion(n, region)
	}
	return validInRegion(main, region)
}

// KnownPhoneRegion reports whether libphonenumber has metadata for region
// (ISO 3166-1 alpha-2, upper case), for validating configuration.
func KnownPhoneRegion(region string) bool {
	_, ok := phonenumbers.GetSupportedRegions()[region]
	return ok
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
