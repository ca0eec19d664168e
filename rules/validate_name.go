package rules

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// cnName reports whether s is a Chinese personal name: a family name from the
// lexicon (single or compound) followed by one or two given-name characters,
// or a transliterated minority name whose parts are joined by a middle dot
// (买买提·艾力).
func (l *lexicon) cnName(s string) bool {
	if strings.ContainsAny(s, "·•・") {
		parts := strings.FieldsFunc(s, func(r rune) bool { return r == '·' || r == '•' || r == '・' })
		if len(parts) < 2 || len(parts) > 4 || utf8.RuneCountInString(s) > 16 {
			return false
		}
		for _, p := range parts {
			if !allHan(p) {
				return false
			}
		}
		return true
	}
	n := utf8.RuneCountInString(s)
	if n < 2 || n > 4 || !allHan(s) {
		return false
	}
	r1, w1 := utf8.DecodeRuneInString(s)
	_, w2 := utf8.DecodeRuneInString(s[w1:])
	if n >= 3 && l.compound[s[:w1+w2]] {
		return true
	}
	if n == 4 { // only compound family names, or two single family names (张李明华 is rare)
		return l.surnames[string(r1)] && l.surnames[s[w1:w1+w2]]
	}
	return l.surnames[string(r1)]
}

func allHan(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !isHan(r) {
			return false
		}
	}
	return true
}

// nameWord reports whether w looks like one word of a romanized name:
// letters (any script), apostrophes and hyphens, starting with an upper-case
// letter; a single initial with a dot ("J.") also counts.
func nameWord(w string) bool {
	if w == "" || len(w) > 40 {
		return false
	}
	r, size := utf8.DecodeRuneInString(w)
	if !unicode.IsUpper(r) {
		return false
	}
	if w[size:] == "." {
		return true
	}
	for _, r := range w[size:] {
		if !unicode.IsLetter(r) && r != '\'' && r != '-' && r != '’' {
			return false
		}
	}
	return true
}

// westernName reports whether s is a romanized personal name of two or three
// words ("Mary Smith", "SMITH, Mary", "Zhang Wei", "Wei ZHANG") where a word is
// a known given name, a known family name in last position or a Chinese
// family name in pinyin in first or last position.
func (l *lexicon) westernName(s string) bool {
	if len(s) < 4 || len(s) > 60 {
		return false
	}
	var words []string
	if first, rest, ok := strings.Cut(s, ","); ok { // "Family, Given"
		words = append(strings.Fields(rest), strings.Fields(first)...)
	} else {
		words = strings.Fields(s)
	}
	if len(words) < 2 || len(words) > 3 {
		return false
	}
	for _, w := range words {
		if !nameWord(w) {
			return false
		}
	}
	first, last := strings.ToLower(words[0]), strings.ToLower(words[len(words)-1])
	return l.given[first] || l.family[last] || l.pinyin[first] || l.pinyin[last]
}

// personName reports whether s is a Chinese or a romanized personal name.
func (l *lexicon) personName(s string) bool {
	if s == "" {
		return false
	}
	if s[0] >= utf8.RuneSelf {
		return l.cnName(s)
	}
	return l.westernName(s)
}

// organizationName reports whether s ends with a legal-form or institution
// word: 有限公司, 集团, 银行, 大学, 医院, 研究所 ... or Ltd, Inc., LLC, GmbH,
// S.A., PLC, Co., Corporation ...
func organizationName(s string) bool {
	n := utf8.RuneCountInString(s)
	if n < 3 || n > 120 {
		return false
	}
	t := strings.TrimRight(s, " )）")
	for _, suf := range [...]string{"有限责任公司", "股份有限公司", "有限公司", "公司", "集团", "银行", "大学",
		"学院", "学校", "中学", "小学", "幼儿园", "医院", "卫生院", "诊所", "研究所", "研究院", "研究中心", "事务所", "合作社",
		"工作室", "商行", "经营部", "厂", "商店", "门市部", "协会", "基金会", "委员会", "分行", "支行", "分公司", "酒店", "宾馆"} {
		if strings.HasSuffix(t, suf) && utf8.RuneCountInString(t) > utf8.RuneCountInString(suf)+1 {
			return true
		}
	}
	f := strings.Fields(strings.ToLower(strings.ReplaceAll(t, ",", " ")))
	if len(f) < 2 {
		return false
	}
	last := f[len(f)-1]
	switch strings.TrimSuffix(last, ".") {
	case "ltd", "limited", "inc", "incorporated", "llc", "llp", "gmbh", "ag", "sa", "s.a", "sas", "sarl",
		"bv", "b.v", "nv", "n.v", "plc", "co", "corp", "corporation", "company", "group", "holdings",
		"kk", "spa", "s.p.a", "srl", "s.r.l", "oy", "ab", "a/s", "as", "pte", "pty", "bank", "university",
		"hospital", "institute", "foundation", "association", "partners", "lp", "kg":
		return true
	}
	return false
}
