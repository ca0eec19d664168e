package reports

import (
	"embed"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/vigil-dg/vigil/stages/audit"
)

// Languages a report is written in.
const (
	LangEN = "en"
	LangZH = "zh-CN"
)

// Languages lists the supported report languages.
func Languages() []string { return []string{LangEN, LangZH} }

//go:embed i18n/*.yaml
var i18nFS embed.FS

// messages is one language's catalog: template strings by key, and
// detection, control and check texts by id.
type messages struct {
	Strings    map[string]string        `yaml:"strings"`
	Detections map[string]detectionText `yaml:"detections"`
	Controls   map[string]string        `yaml:"controls"` // control id: title
	Checks     map[string]checkText     `yaml:"checks"`
	// ControlSuggestions are the controls' standing suggestions by id.
	ControlSuggestions map[string]string `yaml:"control_suggestions"`

	// From i18n/evidence.<lang>.yaml: the audit's evidence messages by key
	// (see audit.EvidenceTemplates), the words of its vocabulary, and the
	// rules that decide check statuses.
	Evidence   map[string]string `yaml:"evidence"`
	Terms      map[string]string `yaml:"terms"`
	CheckRules map[string]string `yaml:"check_rules"`
	// Details translate detections' detail sentences by detection id.
	Details map[string][]detailPattern `yaml:"-"`
	// Descriptions are the detections' descriptions by id (why a finding
	// has its severity, where its threshold comes from).
	Descriptions map[string]string `yaml:"-"`
}

type detectionText struct {
	Title       string `yaml:"title"`
	Remediation string `yaml:"remediation"`
	Description string `yaml:"description"` // optional: why it fires and the threshold's origin
}

// detailPattern translates a detection's detail sentences (from
// i18n/details.<lang>.yaml, by detection id): the first pattern matching
// the English sentence (or, failing that, each of its "; "-separated
// parts) gives the text, {1}, {2}, … being its groups, numbers and dates
// in the locale's form, other groups looked up as terms.

type detailPattern struct {
	Match string `yaml:"match"`
	Text  string `yaml:"text"`
	re    *regexp.Regexp
}

type checkText struct {
	Title       string `yaml:"title"`
	Remediation string `yaml:"remediation"`
}

// loadMessages reads the catalog of lang: i18n/<lang>.yaml for template
// strings, controls and checks, and i18n/detections.<lang>.yaml for
// detections (a file of its own so that new detections add their
// translation beside it).
func loadMessages(lang string) (*messages, error) {
	var m messages
	b, err := i18nFS.ReadFile("i18n/" + lang + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("%w: language %q (want %s)", ErrInput, lang, strings.Join(Languages(), " or "))
	}
	if err := yaml.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("reports: i18n/%s.yaml: %w", lang, err)
	}
	if b, err := i18nFS.ReadFile("i18n/detections." + lang + ".yaml"); err == nil {
		var d map[string]detectionText
		if err := yaml.Unmarshal(b, &d); err != nil {
			return nil, fmt.Errorf("reports: i18n/detections.%s.yaml: %w", lang, err)
		}
		m.Detections = d
	}
	if b, err := i18nFS.ReadFile("i18n/details." + lang + ".yaml"); err == nil {
		if err := yaml.Unmarshal(b, &m.Details); err != nil {
			return nil, fmt.Errorf("reports: i18n/details.%s.yaml: %w", lang, err)
		}
		for id, ps := range m.Details {
			for i := range ps {
				re, err := regexp.Compile("^(?:" + ps[i].Match + ")$")
				if err != nil {
					return nil, fmt.Errorf("reports: i18n/details.%s.yaml: %s: pattern %d: %w", lang, id, i+1, err)
				}
				ps[i].re = re
			}
		}
	}
	if b, err := i18nFS.ReadFile("i18n/descriptions." + lang + ".yaml"); err == nil {
		if err := yaml.Unmarshal(b, &m.Descriptions); err != nil {
			return nil, fmt.Errorf("reports: i18n/descriptions.%s.yaml: %w", lang, err)
		}
	}
	if b, err := i18nFS.ReadFile("i18n/evidence." + lang + ".yaml"); err == nil {
		var e messages
		if err := yaml.Unmarshal(b, &e); err != nil {
			return nil, fmt.Errorf("reports: i18n/evidence.%s.yaml: %w", lang, err)
		}
		m.Evidence, m.Terms, m.CheckRules = e.Evidence, e.Terms, e.CheckRules
		for k, v := range e.Strings {
			if _, dup := m.Strings[k]; dup {
				return nil, fmt.Errorf("reports: i18n/evidence.%s.yaml: string %q is also in %s.yaml", lang, k, lang)
			}
			m.Strings[k] = v
		}
	}
	return &m, nil
}

// locale renders the strings, dates and numbers of one language.
type locale struct {
	lang string
	m    *messages
	en   *messages
}

func newLocale(lang string) (*locale, error) {
	if lang == "" {
		lang = LangEN
	}
	m, err := loadMessages(lang)
	if err != nil {
		return nil, err
	}
	en := m
	if lang != LangEN {
		if en, err = loadMessages(LangEN); err != nil {
			return nil, err
		}
	}
	return &locale{lang: lang, m: m, en: en}, nil
}

// T returns the message key with args applied (fmt verbs). A key missing
// from the language falls back to English, then to the key itself, so a
// gap shows instead of breaking the report; the catalog test makes sure
// there is none.
func (l *locale) T(key string, args ...any) string {
	s, ok := l.m.Strings[key]
	if !ok {
		if s, ok = l.en.Strings[key]; !ok {
			s = key
		}
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// Detection returns the title and remediation of a detection in the
// language, falling back to the rule's own English text.
func (l *locale) Detection(id, title, remediation string) (string, string) {
	if l.lang == LangEN {
		return title, remediation
	}
	d, ok := l.m.Detections[id]
	if !ok {
		return title, remediation
	}
	if d.Title != "" {
		title = d.Title
	}
	if d.Remediation != "" {
		remediation = d.Remediation
	}
	return title, remediation
}

// DetectionDetail translates a detection's detail sentence with the
// detection's patterns; a sentence no pattern matches is shown as it is.
func (l *locale) DetectionDetail(id, s string) string {
	if l.lang == LangEN || s == "" {
		return s
	}
	if t, ok := l.detailText(id, s); ok {
		return t
	}
	parts := strings.Split(s, "; ")
	if len(parts) < 2 {
		return s
	}
	for i, p := range parts {
		t, ok := l.detailText(id, p)
		if !ok {
			return s
		}
		parts[i] = t
	}
	return strings.Join(parts, l.T("list.sep"))
}

func (l *locale) detailText(id, s string) (string, bool) {
	for _, p := range l.m.Details[id] {
		g := p.re.FindStringSubmatch(s)
		if g == nil {
			continue
		}
		return detailFill(p.Text, func(ref string) (string, bool) {
			kind := ""
			if ref != "" && (ref[0] == '#' || ref[0] == '@') {
				kind, ref = ref[:1], ref[1:]
			}
			n, err := strconv.Atoi(ref)
			if err != nil || n < 0 || n >= len(g) {
				return "", false
			}
			x := g[n]
			switch kind {
			case "#":
				if v, err := strconv.ParseInt(x, 10, 64); err == nil {
					return l.Num(v), true
				}
			case "@":
				if t, err := time.Parse("2006-01-02", x); err == nil {
					return l.Date(t), true
				}
			default:
				return l.Term(x), true
			}
			return x, true
		}), true
	}
	return "", false
}

// detailFill replaces {1} (the group as a term), {#1} (a number) and {@1}
// (a date) in tpl.
func detailFill(tpl string, arg func(string) (string, bool)) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(tpl, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(tpl[i:], '}')
		if j < 0 {
			break
		}
		b.WriteString(tpl[:i])
		if v, ok := arg(tpl[i+1 : i+j]); ok {
			b.WriteString(v)
		} else {
			b.WriteString(tpl[i : i+j+1])
		}
		tpl = tpl[i+j+1:]
	}
	b.WriteString(tpl)
	return b.String()
}

// Control returns the control title in the language.
func (l *locale) Control(id, title string) string {
	if t, ok := l.m.Controls[id]; ok && t != "" {
		return t
	}
	return title
}

// Check returns the check title and remediation in the language.
func (l *locale) Check(id, title, remediation string) (string, string) {
	if c, ok := l.m.Checks[id]; ok {
		if c.Title != "" {
			title = c.Title
		}
		if c.Remediation != "" {
			remediation = c.Remediation
		}
	}
	return title, remediation
}

// Date formats a date: 2025-06-01 in English, 2025年6月1日 in Chinese.
func (l *locale) Date(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	if l.lang == LangZH {
		return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
	}
	return t.Format("2006-01-02")
}

// Num formats an integer: 12,345 in both languages (GB/T 15835 allows the
// comma grouping in running text); kept as one function so a locale could
// change it.
func (l *locale) Num(v int64) string { return num(v) }

// Pct formats a share 0..1.
func (l *locale) Pct(f float64) string { return strconv.FormatFloat(f*100, 'f', 0, 64) + "%" }

// List joins items in the language: "a, b" / "a、b".
func (l *locale) List(items []string) string {
	if l.lang == LangZH {
		return strings.Join(items, "、")
	}
	return strings.Join(items, ", ")
}

// Time formats a time of day: 2025-06-01 14:05 / 2025年6月1日 14:05.
func (l *locale) Time(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	if l.lang == LangZH {
		return l.Date(t) + " " + t.Format("15:04")
	}
	return t.Format("2006-01-02 15:04")
}

// period is [from, to) in loc, an end at midnight shown as the day before.
func (l *locale) period(p audit.Period, loc *time.Location) string {
	from, to := p.From.In(loc), p.To.In(loc)
	midnight := func(t time.Time) bool { return t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 }
	if midnight(from) && midnight(to) {
		if l.lang == LangZH {
			return l.Date(from) + "至" + l.Date(to.AddDate(0, 0, -1))
		}
		return from.Format("2 Jan 2006") + " – " + to.AddDate(0, 0, -1).Format("2 Jan 2006")
	}
	return l.Time(from) + " – " + l.Time(to)
}

// ControlSuggestion is a control's standing suggestion in the language.
func (l *locale) ControlSuggestion(id, s string) string {
	if t, ok := l.m.ControlSuggestions[id]; ok && t != "" {
		return t
	}
	return s
}

// Framework names a framework: GDPR / 《通用数据保护条例》(GDPR).
func (l *locale) Framework(s string) string {
	key := "fw." + strings.NewReplacer("/", "", " ", "", ":", "").Replace(strings.ToLower(s))
	if t, ok := l.m.Strings[key]; ok {
		return t
	}
	return s
}

// Hours formats a duration in hours: "36 h" / "36 小时"; days from 72 h.
func (l *locale) Hours(h float64) string {
	if h >= 72 {
		return l.T("unit.days", strconv.FormatFloat(h/24, 'f', 1, 64))
	}
	return l.T("unit.hours", strconv.FormatFloat(h, 'f', 1, 64))
}

// Duration is the length of [from, to).
func (l *locale) Duration(from, to time.Time) string {
	d := to.Sub(from)
	switch {
	case d <= 0:
		return l.T("unit.instant")
	case d < time.Minute:
		return l.T("unit.seconds", int(d.Seconds()))
	case d < 2*time.Hour:
		return l.T("unit.minutes", int(d.Minutes()))
	}
	return l.Hours(d.Hours())
}

// StatusLabel puts a symbol before a status so that it does not rely on
// colour alone.
func (l *locale) StatusLabel(s string) string {
	sym := map[string]string{audit.StatusPass: "✓", audit.StatusWarn: "!", audit.StatusFail: "✗", audit.StatusNA: "–"}[s]
	if sym == "" {
		return s
	}
	return sym + " " + l.T("status."+strings.ReplaceAll(s, "/", ""))
}

func catKey(c string) string {
	if c == "" {
		return "none"
	}
	return c
}
