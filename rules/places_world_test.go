package rules

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func testLexicon(t testing.TB) *lexicon {
	t.Helper()
	l, err := newLexicon()
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// The generator (rules/internal/geogen) writes match keys; every entry must
// be what placeKey makes of it, or the lookup could never find it.
func TestGazetteerKeysAreKeys(t *testing.T) {
	g, err := worldGazetteer()
	if err != nil {
		t.Fatal(err)
	}
	if len(g.cities) < 50000 || len(g.regionNames) < 5000 || len(g.regionCodes) < 1500 {
		t.Fatalf("gazetteer too small: %d cities, %d region names, %d codes", len(g.cities), len(g.regionNames), len(g.regionCodes))
	}
	bad := 0
	check := func(what, k string) {
		if placeKey(k) != k && bad < 10 {
			bad++
			t.Errorf("%s entry %q is not a match key (%q)", what, k, placeKey(k))
		}
	}
	for _, k := range g.cities {
		check("city", k)
	}
	for k := range g.regionNames {
		check("region", k)
	}
	for c := range g.regionCodes {
		if strings.ToUpper(c) != c || c == "" {
			t.Errorf("region code %q is not upper case", c)
		}
	}
}

func TestWorldCity(t *testing.T) {
	l := testLexicon(t)
	for _, s := range []string{
		"München", "Munich", "MÜNCHEN", "Köln", "Zürich", "São Paulo", "Reykjavík", "Łódź", "Kraków",
		"Orléans", "Pärnu", "Limassol", "Brakpan", "Olsztyn", "Москва", "東京", "서울", "القاهرة", "Αθήνα",
		"Boston, MA", "Lyon, France", "Springfield, Illinois", "Kabul", "Ulaanbaatar", "Mexico City",
		"Venezia", "Genève", "Firenze", "Nürnberg", "Λεμεσός", "Πάτρα", "Кострома", "Тверь", "町田市", "Göteborg",
	} {
		if !l.city(s) {
			t.Errorf("city(%q) = false, want true", s)
		}
	}
	for _, s := range []string{
		"", "x", "Marketing", "John Smith", "12345", "Foo Bar Baz", "Sales Department", "Boston, Marketing",
		"qwertyuiop", "2024-01-01", "info@example.com", "Central", "City", "North", "Sud",
	} {
		if l.city(s) {
			t.Errorf("city(%q) = true, want false", s)
		}
	}
	// Chinese places are the Chinese lexicon's: the gazetteer holds no Han
	// names of places in China, so a county-level "汾阳市" stays a region.
	if l.worldCity("广州") || !l.city("广州") || !l.city("广州市") {
		t.Error("广州: the Chinese lexicon, not the gazetteer, should decide")
	}
	if !l.region("汾阳市") {
		t.Error("region(汾阳市) = false: county-level city")
	}
}

func TestWorldRegion(t *testing.T) {
	l := testLexicon(t)
	for _, s := range []string{
		"Bayern", "Bavaria", "Freistaat Bayern", "DE-BY", "BY", "NSW", "Île-de-France", "Nordrhein-Westfalen",
		"Lääne-Virumaa", "Jihočeský kraj", "Jihoceský kraj", "Governorate Sfax", "Upper Austria", "Gauteng",
		"Eastern Cape", "Qeqqata", "Toscana", "Andalucía", "Ontario", "ON", "California", "CA", "São Paulo",
		"Maharashtra", "Hokkaido", "Tokyo", "Nuevo León", "FR-75C", "FR-IDF", "2A", "Kyiv Oblast",
		"广东省", "东城区", "神奈川県", "東京都", "北海道", "서울특별시", "경기도", "경북",
	} {
		if !l.region(s) {
			t.Errorf("region(%q) = false, want true", s)
		}
	}
	for _, s := range []string{
		"", "Q", "12", "123", "Marketing", "John", "John Smith", "DE-ZZ", "XX-BY", "by", "ABCD",
		"Atlantisland", "Sales", "13812345678", "阳光小区", "info@example.com",
		"Central", "North West", "Eastern", "Nord", "Sud", "City", "Islands", "EN", "ZH", "KO",
	} {
		if l.region(s) {
			t.Errorf("region(%q) = true, want false", s)
		}
	}
}

func TestStripUnitWords(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"governorate sfax", "sfax"},
		{"province of cadiz", "cadiz"},
		{"kyiv oblast", "kyiv"},
		{"new york state", "new york"},
		{"region", "region"},
		{"bayern", "bayern"},
	} {
		if got := stripUnitWords(tc.in); got != tc.want {
			t.Errorf("stripUnitWords(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzPlaceLookup(f *testing.F) {
	l := testLexicon(f)
	for _, s := range []string{"München", "DE-BY", "BY", "Boston, MA", "Governorate Sfax", "Λευκωσία", "", "\xff\xfe", "a,", ",b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := placeKey(s)
		if utf8.ValidString(s) && placeKey(k) != k {
			t.Fatalf("placeKey not idempotent on %q: %q then %q", s, k, placeKey(k))
		}
		_ = l.city(s)
		_ = l.region(s)
		_ = stripUnitWords(k)
	})
}

func BenchmarkLoadGazetteer(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := loadGazetteer(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWorldLookups(b *testing.B) {
	l := testLexicon(b)
	vals := []string{"München", "Boston", "Marketing", "Lääne-Virumaa", "Governorate Sfax", "NSW", "John Smith", "Reykjavík"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v := vals[i%len(vals)]
		_ = l.city(v)
		_ = l.region(v)
	}
}

// Columns of business codes and words must stay well below the region and
// city rules' min_ratio (0.85), whatever single values coincide with a place;
// a column of country codes passes region codes too, but the country rule
// (all of them) weighs more.
func TestVocabulariesAreNotPlaces(t *testing.T) {
	l := testLexicon(t)
	for name, vals := range map[string][]string{
		"currency":    {"USD", "EUR", "GBP", "JPY", "CNY", "CHF", "CAD", "AUD", "HKD", "SGD", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "RUB", "INR", "BRL", "MXN", "ZAR", "KRW", "TRY", "NZD"},
		"language":    {"EN", "DE", "FR", "ES", "IT", "ZH", "JA", "KO", "PT", "RU", "AR", "NL", "SV", "PL", "TR", "CS", "DA", "FI", "NO", "HU", "EL", "HE", "TH", "VI"},
		"language3":   {"ENG", "DEU", "FRA", "SPA", "ITA", "ZHO", "JPN", "KOR", "POR", "RUS", "ARA", "NLD"},
		"department":  {"HR", "IT", "PR", "QA", "RD", "OPS", "FIN", "MKT", "LEG", "ENG", "CS", "BD"},
		"status":      {"OK", "KO", "NA", "ERR", "NEW", "OLD", "ACT", "INA", "DEL", "PEN"},
		"airport":     {"LHR", "JFK", "CDG", "FRA", "AMS", "PEK", "PVG", "HND", "NRT", "SIN", "DXB", "LAX", "ORD", "ATL", "SFO", "MUC", "ZRH", "MAD", "BCN", "FCO"},
		"colour":      {"Red", "Blue", "Green", "Black", "White", "Orange", "Yellow", "Purple", "Pink", "Brown", "Grey", "Silver", "Gold"},
		"month":       {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
		"tier":        {"Basic", "Standard", "Premium", "Enterprise", "Gold", "Silver", "Bronze", "Platinum", "Free", "Pro"},
		"industry":    {"Banking", "Retail", "Manufacturing", "Healthcare", "Education", "Energy", "Media", "Technology", "Agriculture", "Consulting", "Insurance", "Transportation"},
		"lead source": {"Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other", "Trade Show", "Word of mouth", "Employee Referral", "Advertisement"},
		"continent":   {"Africa", "Asia", "Europe", "North America", "South America", "Oceania", "Antarctica"},
		"territory":   {"North", "South", "East", "West", "Central", "North East", "South West", "Northern", "Southern"},
	} {
		c, r := 0, 0
		for _, v := range vals {
			if l.city(v) {
				c++
			}
			if l.region(v) {
				r++
			}
		}
		if cs, rs := float64(c)/float64(len(vals)), float64(r)/float64(len(vals)); cs >= 0.8 || rs >= 0.8 {
			t.Errorf("%s: city share %.2f, region share %.2f (want < 0.8)", name, cs, rs)
		}
	}
	codes := []string{"US", "DE", "FR", "GB", "CN", "JP", "IT", "ES", "CA", "AU", "BR", "IN", "RU", "NL", "SE", "CH", "PL", "BE", "AT", "NO"}
	for _, c := range codes {
		if !l.country(c) {
			t.Errorf("country(%q) = false", c)
		}
	}
}

// A column of subdivision codes passes the region rule nearly whole and the
// country rule below its min_ratio (0.75), so region wins value-only. (Not
// so for every country: three quarters of Italy's province codes - MI, RM,
// TO, NA, PA, BA ... - are also country codes, so such a column without a
// header reads as country codes.)
func TestSubdivisionCodeColumns(t *testing.T) {
	l := testLexicon(t)
	for name, vals := range map[string][]string{
		"DE Länder":      {"BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV", "NI", "NW", "RP", "SL", "SN", "ST", "SH", "TH"},
		"AU states":      {"NSW", "VIC", "QLD", "WA", "SA", "TAS", "ACT", "NT"},
		"US states":      {"CA", "NY", "TX", "FL", "IL", "PA", "OH", "GA", "NC", "MI", "NJ", "VA", "WA", "AZ", "MA", "TN", "IN", "MO", "MD", "WI"},
		"full ISO codes": {"DE-BY", "FR-IDF", "IT-MI", "ES-M", "GB-LND", "JP-13", "CN-GD", "US-CA", "CA-ON", "AU-NSW"},
	} {
		r, c := 0, 0
		for _, v := range vals {
			if l.region(v) {
				r++
			}
			if l.country(v) {
				c++
			}
		}
		rs, cs := float64(r)/float64(len(vals)), float64(c)/float64(len(vals))
		if rs < 0.9 || cs >= 0.75 {
			t.Errorf("%s: region share %.2f (want ≥ 0.9), country share %.2f (want < 0.75)", name, rs, cs)
		}
	}
}
