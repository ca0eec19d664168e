package rules

import (
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/net/publicsuffix"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// ValidDomain reports whether s is an Internet domain name whose public
// suffix is in the ICANN section of the Public Suffix List ("example.com.pt";
// "photo.jpg" fails).
func ValidDomain(s string) bool {
	if len(s) < 4 || len(s) > 253 || strings.ContainsAny(s, " @/:_,") || !strings.Contains(s, ".") {
		return false
	}
	d := strings.ToLower(strings.TrimSuffix(s, "."))
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
	}
	ps, icann := publicsuffix.PublicSuffix(d)
	return icann && ps != d && !allDigits(strings.ReplaceAll(ps, ".", ""))
}

// ValidURL reports whether s is a web address: http(s)/ftp URL with a host,
// or a host starting with www.
func ValidURL(s string) bool {
	if len(s) < 8 || len(s) > 2048 || strings.ContainsAny(s, " \t\n") {
		return false
	}
	l := strings.ToLower(s)
	rest := ""
	switch {
	case strings.HasPrefix(l, "https://"):
		rest = s[8:]
	case strings.HasPrefix(l, "http://"):
		rest = s[7:]
	case strings.HasPrefix(l, "ftp://"):
		rest = s[6:]
	case strings.HasPrefix(l, "www."):
		rest = s
		if i := strings.IndexAny(rest, "/?#"); i >= 0 {
			rest = rest[:i]
		}
		return ValidDomain(rest)
	default:
		return false
	}
	host := rest
	if i := strings.IndexAny(host, "/?#"); i >= 0 {
		host = host[:i]
	}
	if i := strings.LastIndexByte(host, '@'); i >= 0 {
		host = host[i+1:]
	}
	if h, p, ok := strings.Cut(host, ":"); ok && allDigits(p) {
		host = h
	}
	return ValidDomain(host) || ValidIPv4(host) || host == "localhost" || schemeHost(host)
}

// schemeHost reports whether the host of a URL with a scheme has an
// alphabetic top-level label (private suffixes such as amazonaws.com are
// not in the ICANN section, but a scheme makes the address a URL anyway).
func schemeHost(h string) bool {
	i := strings.LastIndexByte(h, '.')
	if i <= 0 || i == len(h)-1 || strings.ContainsAny(h, " @") {
		return false
	}
	tld := h[i+1:]
	for j := 0; j < len(tld); j++ {
		if !(tld[j] >= 'a' && tld[j] <= 'z' || tld[j] >= 'A' && tld[j] <= 'Z') {
			return false
		}
	}
	return len(tld) >= 2
}

// urlOrDomain is the url class's value rule.
func urlOrDomain(s string) bool { return ValidURL(s) || ValidDomain(s) }

// coordinate parses a decimal degree written with at least four decimals
// (fewer is an ordinary number, not a position).
func coordinate(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	dot := strings.IndexByte(s, '.')
	if dot < 0 || len(s)-dot-1 < 4 || len(s) > 20 {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < -180 || f > 180 {
		return 0, false
	}
	return f, true
}

// geoPosition reports whether s is a latitude/longitude pair ("42.35663,
// -71.11095", "(42.35663, -71.11095)") or a single decimal degree with at
// least four decimals.
func geoPosition(s string) bool {
	t := strings.Trim(s, "()[] ")
	if a, b, ok := strings.Cut(t, ","); ok {
		la, ok1 := coordinate(a)
		_, ok2 := coordinate(b)
		return ok1 && ok2 && la >= -90 && la <= 90
	}
	_, ok := coordinate(t)
	return ok
}

// countryLangs are the languages whose country names the country class
// knows: the UN languages, the big CRM markets' and, so that endonyms
// ("Shqipëria", "Ελλάδα", "Türkiye") are known too, the official languages
// of most countries that CLDR covers.
var countryLangs = []string{"en", "zh", "zh-Hant", "es", "fr", "de", "ru", "ar", "ja", "pt", "it", "ko", "nl",
	"tr", "pl", "sv", "da", "nb", "fi", "cs", "sk", "hu", "ro", "el", "he", "id", "ms", "vi", "th", "hi", "uk",
	"bg", "hr", "sr", "sl", "et", "lv", "lt", "fa", "ur", "bn", "ca", "is", "sq", "mk", "ka", "hy", "az", "kk",
	"uz", "mn", "km", "lo", "my", "ne", "si", "sw", "am", "af", "ga", "eu", "gl", "fil", "ta", "te"}

// buildCountries returns ISO 3166-1 alpha-2 and alpha-3 codes and the
// country names of CLDR (through golang.org/x/text) in countryLangs, lower
// case.
func buildCountries() map[string]string {
	out := map[string]string{}
	namers := make([]display.Namer, 0, len(countryLangs))
	for _, l := range countryLangs {
		namers = append(namers, display.Regions(language.MustParse(l)))
	}
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			r, err := language.ParseRegion(code)
			if err != nil || !r.IsCountry() || r.String() != code {
				continue
			}
			// a deprecated code (DD, UK) names its successor
			canon := code
			if c := r.Canonicalize().String(); len(c) == 2 {
				canon = c
			}
			out[strings.ToLower(code)] = canon
			out[strings.ToLower(r.ISO3())] = canon
			for _, n := range namers {
				if name := strings.ToLower(n.Name(r)); name != "" && (out[name] == "" || canon == code) {
					out[name] = canon
				}
			}
		}
	}
	for alias, code := range map[string]string{"usa": "US", "u.s.": "US", "u.s.a.": "US", "united states of america": "US",
		"uk": "GB", "great britain": "GB", "england": "GB", "south korea": "KR", "north korea": "KP", "russia": "RU",
		"czech republic": "CZ", "holland": "NL", "中国大陆": "CN", "美国": "US", "英国": "GB", "香港": "HK", "台湾": "TW", "澳门": "MO"} {
		out[alias] = code
	}
	return out
}

func (l *lexicon) country(s string) bool { return l.countryCode(s) != "" }

var (
	sharedLexOnce sync.Once
	sharedLex     *lexicon
)

// CountryCode returns the ISO 3166-1 alpha-2 code of a country value — a
// code or a name in one of the lexicon's languages — or "" (the country
// validator's dictionary).
func CountryCode(s string) string {
	sharedLexOnce.Do(func() {
		l, err := newLexicon()
		if err == nil {
			sharedLex = l
		}
	})
	if sharedLex == nil {
		return ""
	}
	return sharedLex.countryCode(NormalizeValue(s))
}

// countryCode returns the ISO 3166-1 alpha-2 code of a country value (code
// or name), or "".
func (l *lexicon) countryCode(s string) string {
	if len(s) > 120 {
		return ""
	}
	t := strings.ToLower(strings.TrimSpace(s))
	if c := l.countries[t]; c != "" {
		return c
	}
	// UN-style forms: "Afganistán (el)", "Bolivia (Estado Plurinacional de)",
	// "the Republic of Albania", "阿尔巴尼亚共和国"
	if i := strings.IndexAny(t, "(（"); i > 0 {
		if c := l.countries[strings.TrimSpace(t[:i])]; c != "" {
			return c
		}
	}
	for _, sep := range []string{" of ", " de ", " del ", " d'", " du ", " des ", " di "} {
		if i := strings.LastIndex(t, sep); i >= 0 {
			rest := strings.TrimSpace(t[i+len(sep):])
			rest = strings.TrimPrefix(rest, "la ")
			rest = strings.TrimPrefix(rest, "l'")
			rest = strings.TrimPrefix(rest, "el ")
			rest = strings.TrimPrefix(rest, "the ")
			if c := l.countries[rest]; c != "" {
				return c
			}
		}
	}
	for _, suf := range []string{"民主人民共和国", "人民民主共和国", "联邦民主共和国", "伊斯兰共和国", "社会主义共和国", "民主共和国",
		"联邦共和国", "人民共和国", "合众国", "共和国", "联合王国", "王国", "大公国", "公国", "联邦", "国"} {
		if c := l.countries[strings.TrimSuffix(t, suf)]; strings.HasSuffix(t, suf) && c != "" {
			return c
		}
	}
	return ""
}

// region reports whether s is a first-level subdivision the lexicon knows
// (a Chinese province, a US state, a Canadian province or territory, an
// Australian state: names or postal codes) or a Chinese prefecture or
// county-level division by its unit (cnSubdivision).
func (l *lexicon) region(s string) bool {
	if l.cnProvince(s) || cnSubdivision(s) {
		return true
	}
	// a county-level city ("辛集市"): a Han name with 市 the lexicon of
	// prefecture-level cities does not hold
	if b, ok := strings.CutSuffix(s, "市"); ok && utf8.RuneCountInString(b) >= 2 && allHan(b) && !l.cnCity(s) {
		return true
	}
	return len(s) <= 40 && l.regions[strings.ToLower(strings.TrimSpace(s))] || l.worldRegion(s)
}

// usernameShape reports whether s looks like a login name: 4-64 characters
// of letters, digits and . _ - starting with a letter, with a lower-case
// letter (codes like "AFG" or "GB82WEST..." are not logins), no spaces.
func usernameShape(s string) bool {
	if len(s) < 3 || len(s) > 64 || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z') || strings.ToUpper(s) == s {
		return false
	}
	letter := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			letter = true
		case c >= '0' && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return letter
}

// ValidABARouting reports whether s is a US ABA routing transit number:
// nine digits, a valid Federal Reserve prefix and the 3-7-1 check.
func ValidABARouting(s string) bool {
	d, ok := compactDigits(s, " -")
	if !ok || len(d) != 9 {
		return false
	}
	p := atoiPrefix(d, 2)
	if !(p <= 12 || (p >= 21 && p <= 32) || (p >= 61 && p <= 72) || p == 80) {
		return false
	}
	w := [...]int{3, 7, 1, 3, 7, 1, 3, 7, 1}
	sum := 0
	for i := 0; i < 9; i++ {
		sum += int(d[i]-'0') * w[i]
	}
	return sum%10 == 0 && d != "000000000"
}

// bankAccount reports whether s could be a bank account number: 8-19 digits
// (mainland accounts are 16-19), or an ABA routing number.
func bankAccount(s string) bool {
	d, ok := compactDigits(s, " -")
	return ok && len(d) >= 8 && len(d) <= 19
}

// cardSecurityCode reports whether s is 3 or 4 digits.
func cardSecurityCode(s string) bool {
	return (len(s) == 3 || len(s) == 4) && allDigits(s)
}

// cnSubdivisionUnits end the names of Chinese prefecture- and county-level
// divisions (GB/T 2260): 自治州, 地区, 盟 (prefectures), 县, 自治县, 区, 旗,
// 自治旗, 林区, 特区 (counties and districts).
var cnSubdivisionUnits = [...]string{"自治州", "地区", "盟", "县", "区", "旗", "林区", "特区"}

// cnNonSubdivision ends names with one of those units that are not divisions:
// residential compounds, campuses, parks, scenic and service areas.
var cnNonSubdivision = [...]string{"小区", "社区", "园区", "校区", "景区", "服务区", "营业区", "库区", "厂区", "片区", "街区", "专区", "市辖区"}

// cnSubdivision reports whether s is shaped like the name of a Chinese
// prefecture- or county-level division: two to twelve Han characters ending
// in a division unit ("东城区", "密云县", "阿坝藏族羌族自治州"), optionally
// after a province and city ("北京市东城区" is an address part too).
func cnSubdivision(s string) bool {
	n := utf8.RuneCountInString(s)
	if n < 2 || n > 12 || !allHan(s) {
		return false
	}
	for _, bad := range cnNonSubdivision {
		if strings.HasSuffix(s, bad) {
			return false
		}
	}
	for _, u := range cnSubdivisionUnits {
		if strings.HasSuffix(s, u) && utf8.RuneCountInString(u) < n {
			return true
		}
	}
	return false
}
