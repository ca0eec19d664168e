package rules

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
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
	if notGivenNameEnd(s) {
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

// placeOrOrgEnds are characters that end the names of places, divisions
// and organizations and (almost) never a given name: 东城区, 温州市, 吴江县,
// 王府井店, 方正集团公司.
const placeOrOrgEnds = "省市区县州盟旗镇乡路街巷弄号楼室厦司局厅处院校馆店厂站队委"

func notGivenNameEnd(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return strings.ContainsRune(placeOrOrgEnds, r)
}

// jaName reports whether s is a Japanese name written family name first
// with a space: two parts of Han or kana ("佐藤 太郎", "小泉 あすか") of which
// the family name or the given name is a known one. Chinese names are not
// written with a space, so the space carries the evidence the dictionaries
// (a few hundred names) cannot.
func (l *lexicon) jaName(s string) bool {
	family, given, ok := strings.Cut(strings.ReplaceAll(s, "\u3000", " "), " ")
	if !ok {
		return false
	}
	family, given = strings.TrimSpace(family), strings.TrimSpace(given)
	nf, ng := utf8.RuneCountInString(family), utf8.RuneCountInString(given)
	if nf < 1 || nf > 4 || ng < 1 || ng > 5 || !hanOrKana(family) || !hanOrKana(given) || notGivenNameEnd(given) {
		return false
	}
	// kana in a part is Japanese; two Han parts need a known name
	return l.jaFamily[family] || l.jaGiven[given] || !allHan(family+given)
}

func hanOrKana(s string) bool {
	for _, r := range s {
		if !isHan(r) && !unicode.In(r, unicode.Hiragana, unicode.Katakana) {
			return false
		}
	}
	return s != ""
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

// nameAffixes are titles before and generational or academic suffixes after
// a name; they are dropped before the words are checked.
func nameAffix(w string) bool {
	switch strings.ToLower(strings.TrimSuffix(w, ".")) {
	case "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "madam", "mme", "mlle", "m", "herr", "frau",
		"sr", "sra", "srta", "don", "doña", "dott", "sig", "jr", "ii", "iii", "iv", "phd", "md", "dds", "esq", "dra", "drª", "sto", "sta",
		"dipl", "dipl.-ing", "ing", "mag", "univ.prof", "mba", "bsc", "msc", "b.sc", "m.sc", "b.a", "m.a", "b.eng", "m.eng", "dr.-ing":
		return true
	}
	return false
}

// foldName lower-cases w and removes accents ("José" → "jose", "Horký" →
// "horky") so that the census lists match.
func foldName(w string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(w)) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// nameWords splits a romanized name into its words: "Family, Given" is
// turned around, titles and suffixes are dropped. ok is false when a word is
// not shaped like a name word.
func nameWords(s string) (words []string, ok bool) {
	if len(s) < 2 || len(s) > 60 {
		return nil, false
	}
	var raw []string
	if first, rest, cut := strings.Cut(s, ","); cut {
		rest = strings.TrimSpace(rest)
		if rf := strings.Fields(rest); len(rf) == 1 && nameAffix(rf[0]) { // "Smith, Jr."
			raw = strings.Fields(first)
		} else {
			raw = append(strings.Fields(rest), strings.Fields(first)...)
		}
	} else {
		raw = strings.Fields(s)
	}
	for i, w := range raw {
		if nameAffix(w) && len(raw) > 1 {
			continue
		}
		if i > 0 && i < len(raw)-1 && nameParticle(w) { // "da Paz", "de la Cruz", "van der Berg"
			continue
		}
		if !nameWord(w) {
			return nil, false
		}
		words = append(words, w)
	}
	return words, len(words) >= 1 && len(words) <= 4
}

// nameShape reports whether s has the shape of a romanized name: one to four
// capitalized words of letters or initials. It is not evidence alone (every
// capitalized word has that shape); it confirms a name header.
func nameShape(s string) bool {
	if s != "" && s[0] >= utf8.RuneSelf && cjkNameShape(s) {
		return true
	}
	_, ok := nameWords(s)
	return ok
}

// cjkNameShape reports whether s is two to twelve Han or kana characters,
// optionally split once by a space or a middle dot (江古田 里佳, 买买提·艾力).
func cjkNameShape(s string) bool {
	n, seps := 0, 0
	for _, r := range s {
		switch {
		case isHan(r) || unicode.In(r, unicode.Hiragana, unicode.Katakana):
			n++
		case r == ' ' || r == '\u3000' || r == '·' || r == '・':
			seps++
		default:
			return false
		}
	}
	return n >= 2 && n <= 12 && seps <= 2 && !(seps == 0 && notGivenNameEnd(s))
}

func initial(w string) bool { return len(w) <= 2 && (len(w) == 1 || w[1] == '.') }

// westernName reports whether s is a romanized personal name: one word that
// is a known given or family name (the 1990 US census lists, folded of
// accents, plus pinyin family names), or two to four words ("Mary Smith",
// "SMITH, Mary", "Dr. José García Jr.", "J. R. Smith", "Zhang Wei") whose
// first word is a known given name or an initial and whose last word is a
// known name, or with a pinyin family name first or last.
func (l *lexicon) westernName(s string) bool {
	words, ok := nameWords(s)
	if !ok {
		return false
	}
	known := func(w string) bool {
		f := foldName(strings.TrimSuffix(w, "."))
		return l.given[f] || l.family[f]
	}
	if len(words) == 1 {
		w := words[0]
		return utf8.RuneCountInString(w) >= 3 && (known(w) || l.pinyin[foldName(w)])
	}
	for _, w := range words {
		if titleWord(strings.ToLower(w)) {
			return false
		}
	}
	first, last := words[0], words[len(words)-1]
	ff, lf := foldName(first), foldName(last)
	if l.pinyin[ff] || l.pinyin[lf] {
		return true
	}
	if initial(first) && initial(last) {
		return false
	}
	// a known given name first or a known family name last ("Formula Gray"
	// passes too: a column decides on the share of its values)
	return l.given[ff] || l.family[lf] || (initial(first) && known(last))
}

// personName reports whether s is a Chinese or a romanized personal name. A
// label before a colon ("个人户名:张三", "Name: Mary Smith") is dropped.
func (l *lexicon) personName(s string) bool {
	if s == "" {
		return false
	}
	if i := strings.LastIndexAny(s, ":："); i >= 0 && i < len(s)-1 {
		label := s[:i]
		if utf8.RuneCountInString(label) <= 12 && !strings.ContainsAny(label, "0123456789@") {
			s = strings.TrimSpace(s[i+len(string([]rune(s[i:])[0])):])
		}
	}
	if s == "" {
		return false
	}
	if s[0] >= utf8.RuneSelf {
		if l.cnName(s) || l.jaName(s) {
			return true
		}
		// nicknames from a family name: 小王, 老李
		if r, w := utf8.DecodeRuneInString(s); (r == '小' || r == '老') && utf8.RuneCountInString(s) == 2 {
			return l.surnames[s[w:]]
		}
		if !nameShapeASCIIStart(s) {
			return false
		}
	}
	return l.westernName(s)
}

// nameShapeASCIIStart reports whether s starts with a Latin letter with an
// accent (Élodie): such names go through westernName.
func nameShapeASCIIStart(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.Is(unicode.Latin, r)
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
	for _, pre := range [...]string{"株式会社", "合同会社", "有限会社", "合資会社", "合名会社"} {
		if (strings.HasPrefix(t, pre) || strings.HasSuffix(t, pre)) && utf8.RuneCountInString(t) > utf8.RuneCountInString(pre) {
			return true
		}
	}
	if partnershipName(t) {
		return true
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
		"hospital", "institute", "foundation", "association", "partners", "lp", "kg", "e.g", "kgaa", "ohg", "gbr",
		"ug", "e.v", "s.a.r.l", "s.a.s", "snc", "eurl", "s.l", "slu", "s.l.u", "ltda", "eireli", "s/a", "s.p.a.", "s.n.c",
		"k.k", "gk", "pte.ltd", "sdn", "bhd", "tbk", "pt", "oü", "sp.z.o.o", "s.r.o", "a.s", "zrt", "kft", "aps", "asa", "hf":
		return true
	}
	return false
}

// titleWord reports whether w (lower case) is a word of job titles and
// business names that the census lists also hold as surnames ("Senior
// Broker", "Sales Manager"): a value with one is not a name.
func titleWord(w string) bool {
	switch w {
	case "senior", "junior", "manager", "director", "broker", "sales", "general", "president", "chief", "officer",
		"engineer", "head", "lead", "vice", "executive", "assistant", "agent", "support", "service", "services",
		"marketing", "customer", "account", "product", "partner", "partners", "consulting", "solutions", "group",
		"international", "global", "systems", "technology", "technologies", "company", "dynamics", "investments":
		return true
	}
	return false
}

// partnershipName reports whether s is named the way partnerships and
// family firms are: a list of family names ("Woods, Williams and Hall",
// "Orlando, Martini e Coppola") or a founder and his sons ("Klein et Fils",
// "Tejedor and Sons", "Ferreira Souza e Filhos").
func partnershipName(s string) bool {
	l := strings.ToLower(s)
	for _, suf := range [...]string{" and sons", " & sons", " et fils", " e filhos", " e figli", " e hijos", " y hijos",
		" und söhne", " & co", " & co.", " and co", " and co.", " & partners", " und partner"} {
		if strings.HasSuffix(l, suf) && len(l) > len(suf)+2 {
			return true
		}
	}
	head, tail, ok := strings.Cut(s, ", ")
	if !ok || !nameWord(head) {
		return false
	}
	for _, conj := range [...]string{" and ", " & ", " et ", " e ", " y ", " und "} {
		if a, b, ok := strings.Cut(tail, conj); ok && nameWord(strings.TrimSpace(a)) {
			w := strings.Fields(b)
			return len(w) >= 1 && nameWord(w[0])
		}
	}
	return false
}

// nameParticle reports whether w is a lower-case particle inside a family
// name (da, de la, van der, bin ...).
func nameParticle(w string) bool {
	switch w {
	case "da", "de", "do", "dos", "das", "del", "della", "degli", "di", "du", "des", "la", "le", "van", "von",
		"der", "den", "ter", "ten", "bin", "ibn", "al", "el", "y", "e", "zu", "af", "av":
		return true
	}
	return false
}
