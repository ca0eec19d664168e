package reports

import (
	"embed"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
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
}

type detectionText struct {
	Title       string `yaml:"title"`
	Remediation string `yaml:"remediation"`
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
