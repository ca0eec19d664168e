package rules

import (
	"bytes"
	"compress/gzip"
	"embed"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

//go:embed lexicon/*.txt lexicon/*.txt.gz
var lexiconFS embed.FS

// lexicon holds the word lists behind the name and place validators. It is
// built from the embedded lexicon/*.txt files and never changes afterwards.
type lexicon struct {
	surnames         map[string]bool // single-character Chinese family names
	compound         map[string]bool // compound Chinese family names
	pinyin           map[string]bool // romanized Chinese family names (lower case)
	given            map[string]bool // Western given names (lower case)
	family           map[string]bool // Western family names (lower case)
	provinces        map[string]string
	provincePrefixes map[string]bool // Chinese province names that may lead a city ("广东省", "广东")
	cities           map[string]bool
	ethnic           map[string]bool
	countries        map[string]string // ISO 3166-1 codes and CLDR country names, lower case → alpha-2 code
	regions          map[string]bool   // subdivisions outside China, lower case
	jaFamily         map[string]bool   // Japanese family names (kanji)
	jaGiven          map[string]bool   // Japanese given names (kanji, kana)
}

// readWords returns the white-space separated entries of an embedded lexicon
// file, skipping '#' comments; '_' inside an entry stands for a space.
func readWords(name string) ([]string, error) {
	b, err := lexiconFS.ReadFile("lexicon/" + name)
	if err != nil {
		return nil, fmt.Errorf("rules: lexicon %s: %w", name, err)
	}
	if strings.HasSuffix(name, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("rules: lexicon %s: %w", name, err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			return nil, fmt.Errorf("rules: lexicon %s: %w", name, err)
		}
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		for _, w := range strings.Fields(line) {
			out = append(out, strings.ToLower(strings.ReplaceAll(w, "_", " ")))
		}
	}
	return out, nil
}

func wordSet(name string) (map[string]bool, error) {
	ws, err := readWords(name)
	if err != nil {
		return nil, err
	}
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m, nil
}

func newLexicon() (*lexicon, error) {
	l := &lexicon{provinces: map[string]string{}, provincePrefixes: map[string]bool{}}
	var err error
	for _, f := range []struct {
		dst  *map[string]bool
		file string
	}{
		{&l.surnames, "cn_surnames.txt"},
		{&l.compound, "cn_compound_surnames.txt"},
		{&l.pinyin, "pinyin_surnames.txt"},
		{&l.given, "western_given_names.txt"},
		{&l.family, "western_surnames.txt"},
		{&l.cities, "cn_cities.txt"},
		{&l.ethnic, "cn_ethnic_groups.txt"},
		{&l.regions, "regions.txt"},
		{&l.jaFamily, "ja_surnames.txt"},
		{&l.jaGiven, "ja_given.txt"},
	} {
		if *f.dst, err = wordSet(f.file); err != nil {
			return nil, err
		}
	}
	// Public name statistics: the 1990 US census given names and surnames.
	for _, f := range []struct {
		dst  map[string]bool
		file string
	}{{l.given, "census1990_given.txt.gz"}, {l.family, "census1990_surnames.txt.gz"},
		// and given names and surnames of 24 European and other Latin-script
		// locales (MIT, see lexicon/NOTICE-faker-js.txt)
		{l.given, "intl_given.txt.gz"}, {l.family, "intl_surnames.txt.gz"}} {
		ws, err := readWords(f.file)
		if err != nil {
			return nil, err
		}
		for _, w := range ws {
			f.dst[w] = true
		}
	}
	l.countries = buildCountries()
	b, err := lexiconFS.ReadFile("lexicon/cn_provinces.txt")
	if err != nil {
		return nil, fmt.Errorf("rules: lexicon cn_provinces.txt: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		names := strings.Split(line, "|")
		for _, n := range names {
			n = strings.ToLower(strings.TrimSpace(n))
			l.provinces[n] = names[0]
			if utf8.RuneCountInString(n) >= 2 && n[0] >= utf8.RuneSelf {
				l.provincePrefixes[n] = true
			}
		}
	}
	return l, nil
}

// stripProvince removes a leading Chinese province name from s, if any.
func (l *lexicon) stripProvince(s string) (string, bool) {
	i, n := 0, 0
	for i < len(s) && n < 9 {
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
		n++
		if n >= 2 && l.provincePrefixes[s[:i]] && i < len(s) {
			// prefer the longest province form ("广东省" over "广东")
			j, m := i, n
			for j < len(s) && m < 9 {
				_, w2 := utf8.DecodeRuneInString(s[j:])
				j += w2
				m++
				if l.provincePrefixes[s[:j]] && j < len(s) {
					i = j
				}
			}
			return s[i:], true
		}
	}
	return s, false
}
