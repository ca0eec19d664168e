package rules

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/vigil-dg/vigil/rules/internal/placekey"
	"golang.org/x/text/language"
)

// validCNPostalCode reports whether s is a six-digit mainland postal code whose
// first two digits are an allocated province prefix.
func validCNPostalCode(s string) bool {
	if len(s) != 6 || !allDigits(s) {
		return false
	}
	p := atoiPrefix(s, 2)
	switch {
	case p >= 1 && p <= 7, p >= 10 && p <= 13, p == 15, p == 16,
		p >= 20 && p <= 27, p >= 30 && p <= 36, p >= 40 && p <= 47,
		p >= 51 && p <= 57, p >= 61 && p <= 67, p >= 71 && p <= 75,
		p == 81, p >= 83 && p <= 86:
		return true
	}
	return false
}

// validPostalCode reports whether s is a postal code of mainland China, the
// United States (ZIP or ZIP+4), the United Kingdom, Canada, Japan or the
// Netherlands.
func validPostalCode(s string) bool {
	if validCNPostalCode(s) {
		return true
	}
	u := strings.ToUpper(s)
	switch {
	case len(u) == 5 && allDigits(u): // US ZIP, also DE/FR/IT/ES
		return true
	case len(u) == 10 && u[5] == '-' && allDigits(u[:5]) && allDigits(u[6:]): // ZIP+4
		return true
	case len(u) == 8 && u[3] == '-' && allDigits(u[:3]) && allDigits(u[4:]): // JP
		return true
	}
	return ukPostcode(u) || caPostcode(u) || nlPostcode(u)
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// ukPostcode: outward code (A9, A99, AA9, AA99, A9A, AA9A), optional space, inward 9AA.
func ukPostcode(u string) bool {
	u = strings.Replace(u, " ", "", 1)
	if len(u) < 5 || len(u) > 7 {
		return false
	}
	in, out := u[len(u)-3:], u[:len(u)-3]
	if !isDigit(in[0]) || !isUpper(in[1]) || !isUpper(in[2]) {
		return false
	}
	if !isUpper(out[0]) {
		return false
	}
	rest := out[1:]
	if len(rest) > 0 && isUpper(rest[0]) {
		rest = rest[1:]
	}
	if len(rest) == 0 || !isDigit(rest[0]) {
		return false
	}
	rest = rest[1:]
	return len(rest) == 0 || (len(rest) == 1 && (isDigit(rest[0]) || isUpper(rest[0])))
}

func caPostcode(u string) bool {
	u = strings.Replace(u, " ", "", 1)
	return len(u) == 6 && isUpper(u[0]) && isDigit(u[1]) && isUpper(u[2]) && isDigit(u[3]) && isUpper(u[4]) && isDigit(u[5])
}

func nlPostcode(u string) bool {
	u = strings.Replace(u, " ", "", 1)
	return len(u) == 6 && u[0] != '0' && allDigits(u[:4]) && isUpper(u[4]) && isUpper(u[5])
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// cnAddress reports whether s reads like a mainland street address: Chinese
// text of 6 to 100 characters naming a street-level place (路, 街, 号, 室,
// 小区 ...) together with an administrative unit (省, 市, 区, 县, 镇 ...) or a
// house number.
func cnAddress(s string) bool {
	n := utf8.RuneCountInString(s)
	if n < 6 || n > 100 {
		return false
	}
	han, digit, admin, street := 0, false, false, false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case isHan(r):
			han++
			switch r {
			case '省', '市', '区', '县', '镇', '乡', '村', '州', '旗':
				admin = true
			case '路', '街', '道', '巷', '弄', '号', '室', '楼', '栋', '幢', '苑', '园', '厦', '里', '组', '屯', '坊':
				street = true
			}
		case r == '。' || r == '？' || r == '！' || r == '@':
			return false
		}
	}
	return han >= 4 && street && (admin || digit)
}

// westernAddress reports whether s reads like a Western street address: a
// house number together with a street-type word (Street, Rd, Avenue,
// Straße, Rue, Via ...).
func westernAddress(s string) bool {
	if len(s) < 8 || len(s) > 120 {
		return false
	}
	num, street := false, false
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == ' ' || r == ',' }) {
		if w == "" {
			continue
		}
		if isDigit(w[0]) {
			num = true
			continue
		}
		w = strings.TrimSuffix(w, ".")
		switch w {
		case "street", "st", "road", "rd", "avenue", "ave", "av", "lane", "ln", "drive", "dr",
			"boulevard", "blvd", "way", "court", "ct", "place", "pl", "square", "sq", "terrace",
			"close", "crescent", "highway", "hwy", "parkway", "pkwy", "row", "rue", "via", "calle",
			"avenida", "plaza", "gardens", "mews", "strasse", "straße", "str", "weg", "gasse", "platz",
			"box", "po", "p.o", "rua", "viale", "vicolo", "piazza", "corso", "chemin", "allée", "impasse", "boulevard,",
			"ul", "utca", "út", "vej", "veien", "gata", "gatan", "tie", "katu", "straat", "laan", "plein", "ruta",
			"camino", "paseo", "ronda", "travessa", "alameda", "viela", "praça", "calle,", "carrer", "track", "trail",
			"mountains", "cliff", "turnpike", "circle", "cir", "alley", "point", "park", "ridge", "hill", "hills", "view",
			"vista", "ville", "port", "street,", "rte", "route", "rambla", "vial", "urbanización", "callejón", "pasaje",
			"glorieta", "cuesta", "carretera", "travesía", "strada", "incrocio", "stretto", "rotonda", "borgo",
			"contrada", "largo", "piazzale", "allee", "ring", "damm", "ufer", "rodovia", "estrada", "vila", "quadra",
			"trecho", "conjunto", "lote", "setor", "núcleo", "favela", "residencial", "chácara", "sítio", "colônia", "lagoa":

			street = true
		default:
			if uspsSuffix(w) {
				street = true
			}
			for _, suf := range [...]string{"straße", "strasse", "str", "weg", "gasse", "platz", "laan", "gatan", "vej", "veien", "vägen", "gade", "straat", "tie", "katu", "utca", "allee", "ring", "damm", "ufer", "pfad", "steig", "bruch"} {
				if strings.HasSuffix(w, suf) && len(w) > len(suf)+2 {
					street = true
				}
			}
		}
	}
	return num && street
}

// cnProvince reports whether s names a provincial-level division of China.
func (l *lexicon) cnProvince(s string) bool {
	_, ok := l.provinces[strings.ToLower(s)]
	return ok
}

// cnCity reports whether s names a city in the lexicon, with or without the
// 市/地区/自治州/州/盟 suffix or a leading province.
func (l *lexicon) cnCity(s string) bool {
	k := strings.ToLower(s)
	if l.cities[k] {
		return true
	}
	for _, suf := range [...]string{"市", "地区", "自治州", "州", "盟", " city"} {
		if b, ok := strings.CutSuffix(k, suf); ok && b != "" && l.cities[b] {
			return true
		}
	}
	// "广东省广州市", "广东广州"
	if rest, ok := l.stripProvince(k); ok {
		if l.cities[rest] {
			return true
		}
		for _, suf := range [...]string{"市", "地区", "自治州", "州", "盟"} {
			if b, ok := strings.CutSuffix(rest, suf); ok && b != "" && l.cities[b] {
				return true
			}
		}
	}
	return false
}

// cnEthnicity reports whether s names one of the 56 ethnic groups of China.
func (l *lexicon) cnEthnicity(s string) bool {
	return l.ethnic[strings.TrimSuffix(s, "族")]
}

// addressShape reports whether s is shaped like an address: several words
// with a number in them, or a Chinese or Japanese text of at least six
// characters with an administrative or street unit. Not evidence alone.
func addressShape(s string) bool {
	n := utf8.RuneCountInString(s)
	if n < 6 || n > 200 {
		return false
	}
	han := 0
	for _, r := range s {
		if isHan(r) || unicode.In(r, unicode.Hiragana, unicode.Katakana) {
			han++
		}
	}
	if han >= 6 {
		return strings.ContainsAny(s, "省市区县镇乡村路街道号巷弄栋楼室都道府県町丁目番")
	}
	digit := strings.ContainsAny(s, "0123456789")
	return digit && len(strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' })) >= 2
}

// textShape reports whether s is a short text with a letter in it (names of
// organizations, places): not evidence alone.
func textShape(s string) bool {
	n := utf8.RuneCountInString(s)
	if n < 2 || n > 120 {
		return false
	}
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// uspsSuffix reports whether w (lower case) is a street suffix of USPS
// Publication 28, appendix C1 (the common forms and their plurals).
func uspsSuffix(w string) bool {
	switch strings.TrimSuffix(w, "s") {
	case "alley", "annex", "arcade", "bayou", "beach", "bend", "bluff", "bottom", "branch", "bridge", "brook",
		"burg", "bypas", "bypass", "camp", "canyon", "cape", "causeway", "center", "centre", "circle", "cliff", "club",
		"common", "corner", "course", "cove", "creek", "crest", "crossing", "curve", "dale", "dam", "divide",
		"estate", "expressway", "extension", "fall", "ferry", "field", "flat", "ford", "forest", "forge", "fork",
		"fort", "freeway", "garden", "gateway", "glen", "green", "grove", "harbor", "haven", "height", "hollow",
		"inlet", "island", "isle", "junction", "key", "knoll", "lake", "landing", "light", "loaf", "lock",
		"lodge", "loop", "mall", "manor", "meadow", "mill", "mission", "motorway", "mount", "mountain", "neck",
		"orchard", "oval", "overpas", "overpass", "pass", "passage", "path", "pike", "pine", "plain", "prairie", "radial",
		"ramp", "ranch", "rapid", "rest", "river", "shoal", "shore", "skyway", "spring", "spur", "station",
		"stravenue", "stream", "summit", "throughway", "trace", "trafficway", "tunnel", "underpas", "underpass",
		"union", "valley", "viaduct", "village", "walk", "wall", "well", "apt", "suite", "unit", "fpo", "apo", "dpo", "usns", "usnv", "uss", "psc":
		return true
	}
	return false
}

// gazetteer holds the world's subdivisions and cities (see
// lexicon/NOTICE-geo.txt for the sources): match keys (placeKey) of
// subdivision and city names, and subdivision codes.
type gazetteer struct {
	regionNames map[string]struct{} // placeKey of every subdivision name
	regionCodes map[string]struct{} // the part after "CC-", upper case ("BY", "NSW", "2A")
	fullCodes   map[string]struct{} // "DE-BY"
	cities      sortedKeys          // placeKey of city names
}

var (
	worldOnce sync.Once
	world     *gazetteer
	worldErr  error
)

// worldGazetteer loads the embedded gazetteers once per process, at their
// first use (60-90 ms of CPU that commands classifying nothing do not pay):
// they are large (about 100,000 keys) and never change.
func worldGazetteer() (*gazetteer, error) {
	worldOnce.Do(func() { world, worldErr = loadGazetteer() })
	return world, worldErr
}

// places is the world gazetteer, loaded at the first lookup. The data is
// embedded and TestGazetteerKeysAreKeys (and every lookup test) loads it, so a
// failure here is a broken build, not bad input.
func (l *lexicon) places() *gazetteer {
	g, err := worldGazetteer()
	if err != nil {
		panic(err)
	}
	return g
}

func gunzipLines(name string, fn func(string)) error {
	b, err := lexiconFS.ReadFile("lexicon/" + name)
	if err != nil {
		return fmt.Errorf("rules: lexicon %s: %w", name, err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("rules: lexicon %s: %w", name, err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if line := sc.Text(); line != "" && line[0] != '#' {
			fn(line)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("rules: lexicon %s: %w", name, err)
	}
	return nil
}

func loadGazetteer() (*gazetteer, error) {
	g := &gazetteer{regionNames: map[string]struct{}{}, regionCodes: map[string]struct{}{},
		fullCodes: map[string]struct{}{}}
	err := gunzipLines("world_regions.txt.gz", func(line string) {
		code, names, _ := strings.Cut(line, "\t")
		if cc, sub, ok := strings.Cut(code, "-"); ok && sub != "" {
			g.fullCodes[cc+"-"+sub] = struct{}{}
			g.regionCodes[sub] = struct{}{}
		}
		for _, n := range strings.Split(names, "|") {
			if n != "" && !genericPlaceName(n) {
				g.regionNames[n] = struct{}{}
			}
		}
	})
	if err != nil {
		return nil, err
	}
	b, err := gunzipAll("world_cities.txt.gz")
	if err != nil {
		return nil, err
	}
	// one sorted key per line, kept as substrings of one string: no map of
	// 90,000 keys to build at every process start
	for _, line := range strings.Split(b, "\n") {
		if line != "" && line[0] != '#' {
			g.cities = append(g.cities, line)
		}
	}
	if !sort.StringsAreSorted(g.cities) {
		return nil, errors.New("rules: lexicon world_cities.txt.gz is not sorted (rebuild it with rules/internal/geogen)")
	}
	return g, nil
}

// sortedKeys is a sorted list of match keys.
type sortedKeys []string

// has reports whether k is one of the keys, ignoring names made only of
// position words ("Central", "North West").
func (s sortedKeys) has(k string) bool {
	i := sort.SearchStrings(s, k)
	return i < len(s) && s[i] == k && !genericPlaceName(k)
}

// gunzipAll returns the decompressed content of an embedded lexicon file.
func gunzipAll(name string) (string, error) {
	b, err := lexiconFS.ReadFile("lexicon/" + name)
	if err != nil {
		return "", fmt.Errorf("rules: lexicon %s: %w", name, err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return "", fmt.Errorf("rules: lexicon %s: %w", name, err)
	}
	var out strings.Builder
	out.Grow(4 * len(b)) // the lists compress about 3:1
	if _, err := io.Copy(&out, zr); err != nil {
		return "", fmt.Errorf("rules: lexicon %s: %w", name, err)
	}
	return out.String(), nil
}

// genericPlaceWords name a position or a kind of place: a subdivision
// called only by them ("Central", "North West", "Est", "City") is a word of
// sales territories and headings as much as a place, so it is no evidence.
var genericPlaceWords = map[string]bool{
	"north": true, "south": true, "east": true, "west": true, "northern": true, "southern": true,
	"eastern": true, "western": true, "central": true, "centre": true, "center": true, "northeast": true,
	"northwest": true, "southeast": true, "southwest": true, "far": true, "upper": true, "lower": true,
	"middle": true, "mid": true, "inner": true, "outer": true, "national": true, "capital": true, "city": true,
	"coast": true, "islands": true, "island": true, "lakes": true, "lake": true, "gulf": true, "delta": true,
	"midlands": true, "highlands": true, "interior": true, "border": true, "river": true, "region": true,
	"nord": true, "sud": true, "est": true, "ouest": true, "centro": true, "norte": true, "sur": true,
	"este": true, "oeste": true, "nordeste": true, "sudeste": true, "noroeste": true, "sudoeste": true,
	"ville": true, "district": true, "province": true, "state": true, "the": true,
}

// genericPlaceName reports whether every word of a place key is generic.
func genericPlaceName(k string) bool {
	for _, w := range strings.Fields(k) {
		if !genericPlaceWords[w] {
			return false
		}
	}
	return true
}

// placeKey is the match key of a place name (see placekey.Key). The
// gazetteers hold keys.
func placeKey(s string) string { return placekey.Key(s) }

// worldCity reports whether s names a city or town of the GeoNames
// gazetteer (see lexicon/NOTICE-geo.txt): a place of at least 8,000
// inhabitants, a capital or a first-level seat, by its name, its ASCII name,
// its alternate names in the country's own script (Λεμεσός, Кострома,
// 町田市), its Latin-script alternate names for cities of 200,000 or more and
// seats (Venezia, Genève), and its alternate names in every script for
// cities of 500,000 or more and capitals. "Boston, MA" and "Lyon, France"
// pass on the part before the comma when the rest is a subdivision or a
// country.
func (l *lexicon) worldCity(s string) bool {
	if len(s) < 2 || len(s) > 80 {
		return false
	}
	w := l.places()
	if w.cities.has(placeKey(s)) {
		return true
	}
	if c, rest, ok := strings.Cut(s, ","); ok {
		rest = strings.TrimSpace(rest)
		if w.cities.has(placeKey(c)) && rest != "" && (l.worldRegion(rest) || l.countryCode(rest) != "") {
			return true
		}
	}
	return false
}

// city is the city validator: a Chinese city of the Chinese lexicon or a
// city of the world gazetteer.
func (l *lexicon) city(s string) bool { return l.cnCity(s) || l.worldCity(s) }

// worldRegion reports whether s is a subdivision of the gazetteer: a name
// (ISO 3166-2 or GeoNames first-level, any level ISO lists), a full code
// ("DE-BY"), or a bare code of 2 or 3 letters or letters and digits written
// in upper case ("NSW", "BY", "2A") that some country uses. Bare codes are
// weak alone (two-letter codes of some subdivision cover two thirds of all
// letter pairs): a column is a region column only when nearly all its values
// pass, and a column of country codes passes the country rule, whose weight
// is higher.
func (l *lexicon) worldRegion(s string) bool {
	if len(s) < 2 || len(s) > 60 {
		return false
	}
	w := l.places()
	if len(s) <= 3 {
		if !subdivisionCode(s) {
			return false
		}
		if len(s) == 2 && languageNotCountry(l, s) {
			// "EN", "ZH", "KO": a language code that is no country code
			// is read as a language, so a column of language codes is no
			// region column
			return false
		}
		_, ok := w.regionCodes[s]
		return ok
	}
	if len(s) <= 6 && subdivisionCode(s) {
		_, ok := w.fullCodes[s]
		return ok
	}
	k := placeKey(s)
	if _, ok := w.regionNames[k]; ok {
		return true
	}
	// "Governorate Sfax", "Freistaat Bayern", "Province of Cádiz", "Kyiv
	// Oblast", "New York State": the name without its unit word
	if b := stripUnitWords(k); b != k && b != "" {
		_, ok := w.regionNames[b]
		return ok
	}
	return false
}

// regionUnitWords lead or end a subdivision's name without being part of it
// in the lists ("Governorate Sfax", "Kyiv Oblast", "Région Bretagne").
var (
	regionUnitLead = map[string]bool{"governorate": true, "province": true, "provincia": true, "provincie": true,
		"prefecture": true, "region": true, "regione": true, "regiao": true, "county": true, "state": true,
		"oblast": true, "canton": true, "kanton": true, "district": true, "department": true, "departement": true,
		"departamento": true, "estado": true, "freistaat": true, "land": true, "bundesland": true, "municipality": true,
		"parish": true, "emirate": true, "voivodeship": true, "wojewodztwo": true, "comunidad": true, "autonomous": true,
		"of": true, "de": true, "di": true, "del": true, "da": true, "do": true, "du": true, "la": true, "le": true, "the": true}
	regionUnitTail = map[string]bool{"province": true, "region": true, "county": true, "state": true, "oblast": true,
		"kraj": true, "krai": true, "governorate": true, "district": true, "prefecture": true, "canton": true,
		"department": true, "voivodeship": true, "raion": true, "municipality": true, "parish": true, "maakond": true}
)

// stripUnitWords drops unit words from the front and the end of a place key.
func stripUnitWords(k string) string {
	w := strings.Fields(k)
	for len(w) > 1 && regionUnitLead[w[0]] {
		w = w[1:]
	}
	for len(w) > 1 && regionUnitTail[w[len(w)-1]] {
		w = w[:len(w)-1]
	}
	return strings.Join(w, " ")
}

// subdivisionCode reports whether s is shaped like a subdivision code as
// people write it: 2-3 upper-case letters and digits with at least one
// letter ("NSW", "BY", "2A"), or a full ISO 3166-2 code: country code,
// hyphen, 1-3 upper-case letters or digits ("DE-BY", "ES-M", "JP-13").
func subdivisionCode(s string) bool {
	full := len(s) >= 4 && len(s) <= 6 && s[2] == '-' && isUpper(s[0]) && isUpper(s[1])
	if full {
		s = s[3:]
	} else if len(s) < 2 || len(s) > 3 {
		return false
	}
	letter := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isUpper(c):
			letter = true
		case isDigit(c):
		default:
			return false
		}
	}
	return letter || full
}

// regionShape reports whether s has the shape of a subdivision — a name
// (name_shape, or Han text) or a code — without being evidence alone.
func regionShape(s string) bool {
	if subdivisionCode(s) || nameShape(s) {
		return true
	}
	n, han := 0, 0
	for _, r := range s {
		n++
		if isHan(r) {
			han++
		}
	}
	return han >= 2 && han == n && n <= 20
}

// languageNotCountry reports whether a two-letter code is an ISO 639-1
// language code and not an ISO 3166-1 country code.
func languageNotCountry(l *lexicon, code string) bool {
	lc := strings.ToLower(code)
	if l.countries[lc] != "" {
		return false
	}
	_, err := language.ParseBase(lc)
	return err == nil
}
