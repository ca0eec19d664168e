package rules

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Category says what kind of personal data a class is, in the terms of
// privacy models and of PIPL.
type Category string

// Categories of data classes.
const (
	DirectIdentifier   Category = "direct_identifier"   // identifies a person on its own (name, phone, e-mail)
	QuasiIdentifier    Category = "quasi_identifier"    // identifies in combination (birth date, postal code, gender)
	SensitiveAttribute Category = "sensitive_attribute" // what must not be learned about a person (income, ...)
	PIPLSensitive      Category = "pipl_sensitive"      // PIPL sensitive personal information (ID numbers, financial accounts, health ...)
	CategoryNone       Category = "none"                // not personal data
)

func (c Category) valid() bool {
	switch c {
	case DirectIdentifier, QuasiIdentifier, SensitiveAttribute, PIPLSensitive, CategoryNone:
		return true
	}
	return false
}

// ClassNone is the class id of columns that hold no personal data.
const ClassNone = "none"

// Header evidence strengths returned by Class.MatchHeader.
const (
	HeaderName    = 0.9  // the header is one of the class's column names
	HeaderPattern = 0.75 // the header matches one of the class's column patterns
)

// Text is a text in English and Chinese.
type Text struct {
	EN string `json:"en" yaml:"en"`
	ZH string `json:"zh" yaml:"zh"`
}

// Example is one example from a rule pack and the line it is on.
type Example struct {
	Text string `json:"text"`
	Line int    `json:"line"`
}

// Examples are a class's own test cases: values that must (Match) and must
// not (NoMatch) pass its value rule, and headers that must (HeaderMatch) and
// must not (HeaderNoMatch) match its column rule.
type Examples struct {
	Match         []Example `json:"match,omitempty"`
	NoMatch       []Example `json:"no_match,omitempty"`
	HeaderMatch   []Example `json:"header_match,omitempty"`
	HeaderNoMatch []Example `json:"header_no_match,omitempty"`
}

// ColumnRule is the column-name evidence for a class.
type ColumnRule struct {
	Names    []string `json:"names,omitempty"`    // exact names, compared in compact form (see NormalizeHeader)
	Patterns []string `json:"patterns,omitempty"` // regular expressions searched in the header's word form
	Exclude  []string `json:"exclude,omitempty"`  // regular expressions that cancel a name or pattern match
	Required bool     `json:"required,omitempty"` // the class is only assigned with header evidence
}

// ValueRule is the value evidence for a class. A value matches when it is one
// of Values (case-insensitive), or when it matches at least one of Patterns
// (if any) and passes at least one of Validators (if any).
type ValueRule struct {
	Patterns   []string `json:"patterns,omitempty"`
	Validators []string `json:"validators,omitempty"`
	Values     []string `json:"values,omitempty"`
	Plausible  []string `json:"plausible,omitempty"`  // validators values of the class pass without that being evidence alone
	MinRatio   float64  `json:"min_ratio"`            // share of non-blank sampled values that must match
	Weight     float64  `json:"weight"`               // confidence from value evidence alone
	MinUnique  float64  `json:"min_unique,omitempty"` // share of distinct values the sample must have
	Key        bool     `json:"key,omitempty"`        // values are record keys: a (nearly) all-distinct sample is further evidence
	FreeText   bool     `json:"free_text,omitempty"`  // only for columns of free text
	Identifier bool     `json:"identifier,omitempty"` // values single out a person: a boolean, date or small-enumeration column is never of this class
}

// Class is one class of data in a rule pack.
type Class struct {
	ID          string     `json:"id"`
	Name        Text       `json:"name"`
	Description Text       `json:"description"`
	Category    Category   `json:"category"`
	Protection  Protection `json:"protection"`
	Column      ColumnRule `json:"column"`
	Value       *ValueRule `json:"value,omitempty"`
	Examples    Examples   `json:"examples"`
	Override    bool       `json:"override,omitempty"`
	Pack        string     `json:"pack"`
	File        string     `json:"file"`
	Line        int        `json:"line"`

	colNames    map[string]bool
	colPatterns []*regexp.Regexp
	colExclude  []*regexp.Regexp
	valPatterns []*regexp.Regexp
	valFuncs    []func(string) bool
	valSet      map[string]bool
	plausFuncs  []func(string) bool
}

// HasValueRule reports whether values can be evidence for the class.
func (c *Class) HasValueRule() bool { return c.Value != nil }

// MatchHeader returns the strength of the header evidence for the class:
// HeaderName, HeaderPattern, or 0.
func (c *Class) MatchHeader(h Header) float64 {
	if h.Compact == "" {
		return 0
	}
	s := 0.0
	if c.colNames[h.Compact] {
		s = HeaderName
	} else {
		for _, re := range c.colPatterns {
			if re.MatchString(h.Words) {
				s = HeaderPattern
				break
			}
		}
	}
	if s > 0 {
		for _, re := range c.colExclude {
			if re.MatchString(h.Words) {
				return 0
			}
		}
	}
	return s
}

// MatchValue reports whether v passes the class's value rule. v is normalized
// with NormalizeValue first.
func (c *Class) MatchValue(v string) bool { return c.MatchNormalized(NormalizeValue(v)) }

// MatchNormalized is MatchValue for a value already passed through
// NormalizeValue.
func (c *Class) MatchNormalized(v string) bool {
	if c.Value == nil || v == "" {
		return false
	}
	if c.valSet != nil && c.valSet[strings.ToLower(v)] {
		return true
	}
	if len(c.valPatterns) == 0 && len(c.valFuncs) == 0 {
		return false
	}
	if len(c.valPatterns) > 0 {
		ok := false
		for _, re := range c.valPatterns {
			if re.MatchString(v) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if len(c.valFuncs) == 0 {
		return true
	}
	for _, f := range c.valFuncs {
		if f(v) {
			return true
		}
	}
	return false
}

// PlausibleNormalized reports whether a normalized value is consistent with
// the class: it matches, or passes one of the value rule's plausible
// validators. A header match is confirmed, not contradicted, by such values.
func (c *Class) PlausibleNormalized(v string) bool {
	if c.MatchNormalized(v) {
		return true
	}
	for _, f := range c.plausFuncs {
		if f(v) {
			return true
		}
	}
	return false
}

// Header is a column name in the two forms rules compare against.
type Header struct {
	Raw     string // as given
	Words   string // lower case, words joined by '_': "CustomerMobileNo" → "customer_mobile_no"
	Compact string // Words without '_': "customermobileno"
}

// NormalizeHeader folds full-width characters, lower-cases and splits a column
// name into words at separators, camelCase humps, letter/digit boundaries and
// script changes (客户phone → 客户_phone).
func NormalizeHeader(raw string) Header {
	s := foldWidth(strings.TrimSpace(raw))
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(s)
	kind := func(r rune) int {
		switch {
		case r < utf8.RuneSelf && r >= '0' && r <= '9':
			return 1
		case unicode.IsUpper(r):
			return 2
		case unicode.IsLower(r) || (unicode.IsLetter(r) && r < 0x2E80):
			return 3
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			return 4 // CJK and other scripts without case
		}
		return 0
	}
	for i, r := range rs {
		k := kind(r)
		if k == 0 {
			flush()
			continue
		}
		if len(cur) > 0 {
			pk := kind(cur[len(cur)-1])
			split := false
			switch {
			case k == 2 && pk == 3: // camelCase hump
				split = true
			case k == 2 && pk == 2 && i+1 < len(rs) && kind(rs[i+1]) == 3: // "IDCard" → id, card
				split = true
			case (k == 1) != (pk == 1): // letter/digit boundary
				split = true
			case (k == 4) != (pk == 4): // script change
				split = true
			}
			if split {
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	w := strings.Join(words, "_")
	return Header{Raw: raw, Words: w, Compact: strings.ReplaceAll(w, "_", "")}
}

// foldWidth maps full-width ASCII forms (U+FF01-U+FF5E) and the ideographic
// space to their ASCII counterparts.
func foldWidth(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	need := false
	for _, r := range s {
		if (r >= 0xFF01 && r <= 0xFF5E) || r == 0x3000 {
			need = true
			break
		}
	}
	if !need {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			return r - 0xFF01 + '!'
		case r == 0x3000:
			return ' '
		}
		return r
	}, s)
}

// NormalizeValue prepares a value for matching: full-width ASCII folded,
// surrounding white space (incl. ideographic and no-break spaces) removed.
// Blank values and the usual placeholders ("-", "N/A", "null", "\N", "无")
// become "".
func NormalizeValue(v string) string {
	v = strings.TrimFunc(foldWidth(v), func(r rune) bool { return unicode.IsSpace(r) || r == 0xA0 || r == 0xFEFF })
	if len(v) <= 4 {
		switch strings.ToLower(v) {
		case "-", "--", "n/a", "na", "null", "nil", "none", `\n`, "?", "无", "空":
			return ""
		}
	}
	return v
}
