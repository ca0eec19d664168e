package classify

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vigil-dg/vigil/rules"
)

// Scoring constants.
const (
	strongValueWeight = 0.95 // value evidence at least this strong survives a non-personal header
	assignAt          = 0.5  // below this score the column is "none"
	probeSize         = 200  // values checked before deciding whether to check the whole sample
	freeTextMinRunes  = 8.0  // mean length (runes) of a free-text column
	headerOnlyFactor  = 0.9  // header evidence with no values to confirm it
	ratioZ            = 1.0  // min_ratio is judged on the Wilson lower bound at this z
	keyDistinct       = 0.95 // share of distinct values that makes a sample look like keys
	keyBonus          = 0.3  // extra value weight for key classes with such a sample
	shapeShare        = 0.9  // share of values with the class's shape when its dictionary matches fewer
	weakDictionary    = 0.6  // below this share of dictionary matches, shape and distinctness must be near perfect
)

// wilsonLower is the lower bound of the Wilson score interval for k
// successes in n trials: small samples must do better than min_ratio to
// reach it, large ones barely notice.
func wilsonLower(k, n int, z float64) float64 {
	if n == 0 {
		return 0
	}
	nf := float64(n)
	p := float64(k) / nf
	z2 := z * z
	return (p + z2/(2*nf) - z*math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))) / (1 + z2/nf)
}

// profile is what the classifier knows about a column's sample.
type profile struct {
	header   rules.Header
	vals     []string // normalized, non-blank
	blank    int      // blank or placeholder values dropped
	distinct int
	textLike bool
	// semantics: a column of these cannot hold identifiers
	boolLike bool // every value is a truth value (true/false, yes/no, 0/1, 是/否)
	dateLike bool // nearly every value is a calendar date or timestamp
	enumLike bool // a handful of distinct values repeated many times
	// valueOnly: the header says nothing (col1, F2): classes that need a
	// header may be assigned from their values, for review
	valueOnly bool
}

// meaninglessHeader matches generated column names: col1, column_2, c3, F4,
// field5, var6, V7, Unnamed: 8, _c9, a single letter (Excel's A, B ...).
var meaninglessHeader = regexp.MustCompile(`(?i)^\s*(_?c|col|column|colonne|spalte|field|fld|f|var|v|x|unnamed:?\s*|列|字段)[ _-]?\d{1,4}\s*$|^\s*[a-z]\s*$|^\s*\d{1,4}\s*$`)

// MeaninglessHeader reports whether a column name is generated rather than
// chosen (col1, c2, F3, Unnamed: 0, a bare letter or number, empty): such a
// header is no evidence, and the column is classified on its values alone.
func MeaninglessHeader(name string) bool {
	return strings.TrimSpace(name) == "" || meaninglessHeader.MatchString(name)
}

// Semantic thresholds.
const (
	enumMaxDistinct = 12  // at most this many distinct values ...
	enumMinValues   = 30  // ... among at least this many makes a small enumeration
	dateShare       = 0.9 // share of dates that makes a date column
)

func truthValue(v string) bool {
	switch strings.ToLower(v) {
	case "true", "false", "t", "f", "yes", "no", "y", "n", "0", "1", "是", "否", "有", "无", "on", "off", "ja", "nein", "oui", "non", "sí", "si":
		return true
	}
	return false
}

// semantics sets boolLike, dateLike and enumLike.
func (p *profile) semantics() {
	n := len(p.vals)
	if n == 0 {
		return
	}
	p.boolLike = true
	for _, v := range p.vals {
		if !truthValue(v) {
			p.boolLike = false
			break
		}
	}
	p.enumLike = n >= enumMinValues && p.distinct <= enumMaxDistinct
	dates, limit := 0, min(n, probeSize)
	for _, v := range p.vals[:limit] {
		if _, ok := rules.ParseDate(v); ok {
			dates++
		}
	}
	p.dateLike = float64(dates) >= dateShare*float64(limit)
}

// semanticVeto says why a class whose values identify people cannot be the
// class of this column, or "".
func (p *profile) semanticVeto(cl *rules.Class) string {
	if cl.Value == nil {
		return ""
	}
	if p.boolLike && len(cl.Value.Values) == 0 {
		return "values are truth values"
	}
	if !cl.Value.Identifier {
		return ""
	}
	switch {
	case p.boolLike:
		return "values are truth values"
	case p.dateLike:
		return "values are dates"
	case p.enumLike:
		return fmt.Sprintf("values are a small enumeration (%d distinct)", p.distinct)
	}
	return ""
}

// repetitive reports whether the sample's values repeat: a small
// enumeration, or enough values of which under 30% are distinct.
func (p *profile) repetitive() bool {
	n := len(p.vals)
	return p.enumLike || n >= enumMinValues && float64(p.distinct) < 0.3*float64(n)
}

// properNames reports whether (nearly) every value of a sample of at least
// 30 values that do not repeat much is written like a proper name: one to five
// capitalised words of letters, no digits ("Bad Segeberg", "Record Town").
// Unrecognised proper names may be people, places or companies that no
// list knows, so "none" for such a column is unsure.
func (p *profile) properNames() bool {
	n := len(p.vals)
	if n < enumMinValues || p.repetitive() {
		return false
	}
	proper := 0
	for _, v := range p.vals {
		if properName(v) {
			proper++
		}
	}
	return float64(proper) >= 0.8*float64(n)
}

// properName reports whether v is one to five words, the first starting
// with an upper-case letter, with some lower-case letter and no digit.
func properName(v string) bool {
	words, lower := 1, false
	for i, r := range v {
		switch {
		case i == 0 && !unicode.IsUpper(r):
			return false
		case r == ' ':
			words++
		case unicode.IsLower(r):
			lower = true
		case unicode.IsLetter(r) || r == '-' || r == '\'' || r == '’' || r == '.' || r == '&':
		default:
			return false
		}
	}
	return lower && words <= 5
}

// keyLike reports whether the sample is (nearly) all distinct.
func (p *profile) keyLike() bool {
	return len(p.vals) > 0 && float64(p.distinct)/float64(len(p.vals)) >= keyDistinct
}

func newProfile(name string, sample []string) *profile {
	p := &profile{header: rules.NormalizeHeader(name), vals: make([]string, 0, len(sample))}
	runes := 0
	seen := make(map[string]struct{}, len(sample))
	for _, v := range sample {
		v = rules.NormalizeValue(v)
		if v == "" {
			p.blank++
			continue
		}
		p.vals = append(p.vals, v)
		runes += utf8.RuneCountInString(v)
		seen[v] = struct{}{}
	}
	p.distinct = len(seen)
	if len(p.vals) > 0 {
		p.textLike = float64(runes)/float64(len(p.vals)) >= freeTextMinRunes
	}
	p.semantics()
	return p
}

// candidate is the evidence for one class.
type candidate struct {
	class      *rules.Class
	header     float64 // header strength (0, rules.HeaderPattern, rules.HeaderName)
	checked    int     // values checked
	matched    int     // values that passed
	plausible  int     // values consistent with the class (header confirmation)
	full       bool    // checked every value of the sample
	valuePos   bool    // value evidence reaches the class's min_ratio
	sizeFactor float64 // in (0, 1]: how far the Wilson lower bound of the match share reaches min_ratio (small samples < 1)
	vetoed     bool
	keyGuess   bool // assigned from key-like values without a header (for review)
	score      float64
}

func (c *candidate) ratio() float64 {
	if c.checked == 0 {
		return 0
	}
	return float64(c.matched) / float64(c.checked)
}

// evaluate checks the sample against the class's value rule, stopping early
// when the class can no longer reach its min_ratio and has no header
// evidence to weigh against.
func evaluate(cl *rules.Class, p *profile, header float64) candidate {
	c := candidate{class: cl, header: header}
	v := cl.Value
	if v == nil || len(p.vals) == 0 || (v.FreeText && !p.textLike) {
		return c
	}
	n := len(p.vals)
	for i, s := range p.vals {
		if cl.MatchNormalized(s) {
			c.matched++
		}
		c.checked++
		if header == 0 && (i+1 == probeSize || (i+1)%1024 == 0) && i+1 < n {
			// best case: every remaining value matches
			if float64(c.matched+n-c.checked)/float64(n) < v.MinRatio {
				return c
			}
			if i+1 == probeSize && c.ratio() < v.MinRatio/2.5 {
				return c
			}
		}
	}
	c.full = true
	// A small sample whose values all (or nearly all) pass is evidence too,
	// discounted by how little it is: three valid phones in a 3-row table
	// are phones, at a confidence that says so.
	c.valuePos = c.ratio() >= v.MinRatio && (v.MinUnique == 0 || float64(p.distinct)/float64(n) >= v.MinUnique)
	c.sizeFactor = min(1, wilsonLower(c.matched, c.checked, ratioZ)/v.MinRatio)
	if len(cl.Value.Plausible) > 0 && (c.valuePos || header > 0) {
		for _, s := range p.vals {
			if cl.PlausibleNormalized(s) {
				c.plausible++
			}
		}
		// dictionary evidence below 90% must come with the right shape
		// for (nearly) every value
		if c.valuePos && header == 0 && c.ratio() < shapeShare && float64(c.plausible) < shapeShare*float64(c.checked) {
			c.valuePos = false
		}
		// weak dictionary evidence (a third of the names known) needs
		// every value shaped right and values that hardly repeat
		if c.valuePos && header == 0 && c.ratio() < weakDictionary &&
			(float64(c.plausible) < 0.95*float64(c.checked) || float64(p.distinct) < 0.5*float64(n)) {
			c.valuePos = false
		}
	} else {
		c.plausible = c.matched
	}
	return c
}

// score combines header and value evidence into a score in [0, 1].
func (c *candidate) scoreIt(p *profile, nonPersonal bool) {
	cl := c.class
	haveValues := len(p.vals) > 0
	v := 0.0
	if c.valuePos {
		v = cl.Value.Weight
		if cl.Value.Key && p.keyLike() {
			v = min(1, v+keyBonus)
		}
		// graded: the share that passed and the size of the sample both count
		full := 0.9 // share at which value evidence counts fully
		if cl.Value.FreeText {
			full = min(0.9, 3*cl.Value.MinRatio) // a quarter of remarks with a phone is plenty
		}
		v *= (0.7 + 0.3*min(1, c.ratio()/full)) * (0.6 + 0.4*c.sizeFactor)
	}
	switch {
	case c.header > 0 && c.valuePos:
		c.score = 1 - (1-c.header)*(1-v)
	case c.header > 0 && (cl.Value == nil):
		c.score = c.header
	case c.header > 0 && !haveValues:
		c.score = c.header * headerOnlyFactor
	case c.header > 0 && cl.Value.FreeText:
		c.score = c.header * 0.5
	case c.header > 0:
		// the header says so; do the values agree? Values of the right
		// shape confirm it, the more so the more of them pass the class's
		// own rule (dictionary, checksum).
		pr := float64(c.plausible) / float64(max(c.checked, 1))
		mr := c.ratio()
		if pr >= cl.Value.MinRatio {
			c.score = c.header * (0.7 + 0.3*min(1, mr/cl.Value.MinRatio))
		} else {
			c.score = c.header * (0.3 + 0.7*pr/cl.Value.MinRatio) * (0.7 + 0.3*min(1, mr/cl.Value.MinRatio))
		}
	case c.valuePos && !cl.Column.Required:
		c.score = v
	case c.valuePos && p.valueOnly && cl.Value.Key:
		// a key-like column without a header may be a person's number:
		// assigned for review, with little confidence
		c.score = v * 0.85
		c.keyGuess = true
	}
	if nonPersonal && c.header == 0 && c.score > 0 && !strongValue(cl, cl.Value.Weight) {
		c.vetoed = true
		c.score = 0
	}
}

// strongValue reports whether value evidence of weight v for cl outweighs a
// business-looking header: checksum-strong evidence, or validated values of a
// class that identifies people directly (phones, e-mails, names from the
// dictionaries). A header may flag such a column for review, never clear it.
func strongValue(cl *rules.Class, v float64) bool {
	if v >= strongValueWeight {
		return true
	}
	direct := cl.Category == rules.DirectIdentifier || cl.Category == rules.PIPLSensitive
	return direct && cl.Value != nil && cl.Value.Identifier && v >= 0.85
}

func ruleWords(cl *rules.Class) string {
	v := cl.Value
	var parts []string
	if len(v.Validators) > 0 {
		parts = append(parts, "pass "+strings.Join(v.Validators, " or "))
	}
	if len(v.Patterns) > 0 {
		if len(parts) > 0 {
			parts[0] = "match the value pattern and " + parts[0]
		} else {
			parts = append(parts, "match the value pattern")
		}
	}
	if len(v.Values) > 0 {
		w := "are in the value list"
		if len(parts) > 0 {
			parts = []string{w + " or " + parts[0]}
		} else {
			parts = append(parts, w)
		}
	}
	return parts[0]
}

func headerWords(h float64) string {
	if h >= rules.HeaderName {
		return "column name"
	}
	return "column pattern"
}

// classifyColumn decides the class of one column from its name and sample.
func classifyColumn(name string, sample []string, set *rules.Set, reviewBelow float64, valueOnly bool, cal Calibration) Column {
	valueOnly = valueOnly || MeaninglessHeader(name)
	header := name
	if valueOnly {
		header = ""
	}
	p := newProfile(header, sample)
	p.valueOnly = valueOnly
	col := Column{Name: name, Sampled: int64(len(sample))}
	npTerm, nonPersonal := set.NonPersonal(p.header)
	haveValues := len(p.vals) > 0

	var cands []candidate
	var semantic []string
	for _, cl := range set.Classes() {
		h := cl.MatchHeader(p.header)
		if h > 0 && h < rules.HeaderName && nonPersonal {
			// a business or system field ("IsEmailBounced", "order_phone_count"):
			// the class's header pattern is not evidence, its values still are
			h = 0
		}
		c := evaluate(cl, p, h)
		if why := p.semanticVeto(cl); why != "" && !(p.enumLike && !p.boolLike && !p.dateLike && c.valuePos && (h > 0 || cl.Value.Weight >= 0.9 || c.ratio() >= 0.95 && p.distinct >= 5)) {
			if h > 0 || c.matched > 0 {
				semantic = append(semantic, fmt.Sprintf("%s: not %s", why, cl.ID))
			}
			continue
		}
		c.scoreIt(p, nonPersonal)
		if c.score > 0 || c.vetoed || c.header > 0 {
			cands = append(cands, c)
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].score > cands[j].score })
	// A class the header names and the values confirm beats a class found
	// from values alone, unless those values are checksum-strong.
	if len(cands) > 1 && cands[0].header == 0 && cands[0].class.Value != nil && cands[0].class.Value.Weight < strongValueWeight {
		for i := 1; i < len(cands); i++ {
			if c := cands[i]; c.header > 0 && c.score >= assignAt {
				cands[0], cands[i] = cands[i], cands[0]
				break
			}
		}
	}

	var ev []string
	if p.blank > 0 {
		ev = append(ev, fmt.Sprintf("%s of %s sampled values blank or placeholders, ignored", count(p.blank), count(len(sample))))
	}
	if !haveValues {
		ev = append(ev, "no non-blank values in the sample")
	}
	ev = append(ev, semantic...)

	// A header the values contradict keeps its class but always goes to
	// review: guessing "none" would let a column named phone pass unprotected.
	if len(cands) > 0 && cands[0].score > 0 && cands[0].score < assignAt && cands[0].header > 0 {
		best := cands[0]
		setClass(&col, best.class.ID, set)
		// calibrated on the evaluation corpus: a class named by the header
		// is usually right even when the values fail its rule (a few
		// mangled or foreign IDs), so the score maps into [0.5, 0.75)
		col.Basis = Basis{Kind: KindContradicted, Score: best.score, Values: len(p.vals), ValueOnly: p.valueOnly, NonPersonal: nonPersonal}
		col.Confidence = cal.Confidence(col.Basis)
		ev = append(ev, describe(best, name, p)...)
		ev = append(ev, fmt.Sprintf("the header says %s but the values do not agree: needs review", best.class.ID))
		col.Evidence = ev
		col.Candidates = candidates(cands, 3)
		col.Review = true
		return col
	}

	if len(cands) == 0 || cands[0].score < assignAt {
		setClass(&col, rules.ClassNone, set)
		// "none" is as sure as its evidence: many values checked against
		// every class and a header that names no class. Few values (a
		// 3-row table) or no header to go by (col1) leave room for a
		// person (calibrated on the evaluation corpus).
		col.Basis = Basis{Kind: KindNone, Values: len(p.vals), ValueOnly: p.valueOnly, NonPersonal: nonPersonal, Repetitive: p.repetitive(), ProperNames: p.valueOnly && p.properNames()}
		if haveValues && p.valueOnly {
			ev = append(ev, "the header carries no meaning: judged on values alone, which cannot show every class")
		}
		if nonPersonal {
			ev = append(ev, fmt.Sprintf("header %q marks business data (non_personal: %q)", name, npTerm))
		}
		for _, c := range cands {
			if c.vetoed {
				ev = append(ev, fmt.Sprintf("%s/%s values %s (%s), vetoed by the header: that rule is not checksum-strong",
					count(c.matched), count(c.checked), ruleWords(c.class), c.class.ID))
				col.Basis.Vetoed = true
			}
		}
		if len(cands) > 0 && cands[0].score > 0 {
			top := cands[0]
			col.Basis.Score = top.score
			ev = append(ev, describe(top, name, p)...)
			ev = append(ev, fmt.Sprintf("best candidate %s scored %.2f, below %.2f", top.class.ID, top.score, assignAt))
		} else if !nonPersonal {
			ev = append(ev, "no class matched the header or the values")
		}
		col.Confidence = cal.Confidence(col.Basis)
		col.Evidence = ev
		col.Candidates = candidates(cands, 3)
		col.Review = col.Confidence < reviewBelow
		return col
	}

	best := cands[0]
	setClass(&col, best.class.ID, set)
	col.Basis = Basis{Kind: KindAssigned, Score: best.score, Values: len(p.vals), ValueOnly: p.valueOnly, NonPersonal: nonPersonal, KeyGuess: best.keyGuess}
	ev = append(ev, describe(best, name, p)...)
	if nonPersonal && best.header == 0 {
		ev = append(ev, fmt.Sprintf("header %q marks business data (non_personal: %q), but %s value evidence is strong: the header may flag the column for review, never clear it", name, npTerm, best.class.ID))
		col.Review = true
		col.Basis.HeaderCap = true
	}
	if len(cands) > 1 && cands[1].score > 0 {
		ev = append(ev, fmt.Sprintf("runner-up %s at %.2f", cands[1].class.ID, cands[1].score))
		if best.score-cands[1].score < 0.05 {
			col.Basis.Ambiguous = true
			ev = append(ev, "runner-up within 0.05: ambiguous")
		}
	}
	col.Confidence = cal.Confidence(col.Basis)
	col.Evidence = ev
	col.Candidates = candidates(cands, 3)
	col.Review = col.Review || col.Confidence < reviewBelow
	return col
}

func describe(c candidate, name string, p *profile) []string {
	var ev []string
	if c.header > 0 {
		ev = append(ev, fmt.Sprintf("header %q matches %s %s", name, c.class.ID, headerWords(c.header)))
	}
	if c.class.Value != nil && c.checked > 0 {
		if c.full {
			ev = append(ev, fmt.Sprintf("%s/%s values %s (%s, min %.0f%%)", count(c.matched), count(c.checked), ruleWords(c.class), c.class.ID, c.class.Value.MinRatio*100))
		} else {
			ev = append(ev, fmt.Sprintf("%s of the first %s values %s (%s)", count(c.matched), count(c.checked), ruleWords(c.class), c.class.ID))
		}
		if c.header > 0 && !c.valuePos && c.plausible > c.matched {
			ev = append(ev, fmt.Sprintf("%s/%s values are plausible for %s", count(c.plausible), count(c.checked), c.class.ID))
		}
		if c.class.Value.MinUnique > 0 || c.class.Value.Key {
			ev = append(ev, fmt.Sprintf("%s/%s sampled values distinct", count(p.distinct), count(len(p.vals))))
		}
	}
	if c.class.Value != nil && c.class.Value.FreeText && !p.textLike && c.header > 0 {
		ev = append(ev, "values are too short for free text")
	}
	if c.header == 0 && c.class.Column.Required {
		ev = append(ev, fmt.Sprintf("%s needs header evidence", c.class.ID))
	}
	return ev
}

func candidates(cs []candidate, n int) []Candidate {
	var out []Candidate
	for _, c := range cs {
		if c.score <= 0 || len(out) == n {
			break
		}
		out = append(out, Candidate{Class: c.class.ID, Score: round3(c.score)})
	}
	return out
}

func round3(f float64) float64 { return float64(int(f*1000+0.5)) / 1000 }
