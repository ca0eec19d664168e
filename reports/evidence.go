package reports

import (
	"strconv"
	"strings"
	"time"

	"github.com/vigil-dg/vigil/stages/audit"
)

// msgFormat renders the audit's evidence messages (audit.Msg) in the
// report's language: the template from i18n/evidence.<lang>.yaml (English
// from the audit itself), numbers, dates and durations in the locale's
// form, times in the report's zone.
type msgFormat struct {
	l   *locale
	loc *time.Location
	// gaps translates the English gap lines of the formal records (the
	// audit receives them in English) into the report's language.
	gaps map[string]string
}

func (f msgFormat) Template(key string) (string, bool) {
	s, ok := f.l.m.Evidence[key]
	return s, ok && s != ""
}

func (f msgFormat) Arg(a audit.Arg, render func(audit.Msg) string) string {
	l := f.l
	switch {
	case a.Text != nil:
		if g, ok := f.gaps[*a.Text]; ok {
			return g
		}
		return *a.Text
	case a.Term != nil:
		return l.Term(*a.Term)
	case a.Int != nil:
		return l.Num(*a.Int)
	case a.Pct != nil:
		return strconv.FormatFloat(*a.Pct, 'f', a.Prec, 64) + "%"
	case a.Age != nil:
		return l.Ago(time.Duration(*a.Age) * time.Second)
	case a.Limit != nil:
		return l.Limit(time.Duration(*a.Limit) * time.Second)
	case a.Date != nil:
		return l.Date(a.Date.UTC())
	case a.Time != nil:
		return l.Time(a.Time.In(f.loc))
	case a.Msg != nil:
		return render(*a.Msg)
	}
	return ""
}

// Term translates a word of the evidence vocabulary: severities,
// statuses, run states, key purposes, pipeline stages, unmapped reasons.
func (l *locale) Term(s string) string {
	if t, ok := l.m.Terms[s]; ok && t != "" {
		return t
	}
	for _, p := range []string{"sev.", "status.", "run."} {
		if t, ok := l.m.Strings[p+strings.ReplaceAll(s, "/", "")]; ok && l.lang != LangEN {
			return t
		}
	}
	return s
}

// CaseNote is a case's latest note: the audit's own notes ("first found",
// "found again", …) in the language, people's notes as they wrote them.
func (l *locale) CaseNote(by, note string) string {
	if by == audit.CaseAuditor {
		return l.Term(note)
	}
	return note
}

// Ago is a time before the audit: "3 h ago" / "3 小时前".
func (l *locale) Ago(d time.Duration) string {
	switch {
	case d < 0:
		return l.T("ago.future")
	case d < 2*time.Hour:
		return l.T("ago.minutes", num(int64(d.Minutes())))
	case d < 72*time.Hour:
		return l.T("ago.hours", num(int64(d.Hours())))
	}
	return l.T("ago.days", num(int64(d.Hours()/24)))
}

// Limit is a time limit: "26h", "8d" / "26 小时", "8 天".
func (l *locale) Limit(d time.Duration) string {
	switch {
	case d > 0 && d%(24*time.Hour) == 0:
		return l.T("limit.days", num(int64(d.Hours()/24)))
	case d > 0 && d%time.Hour == 0:
		return l.T("limit.hours", num(int64(d.Hours())))
	}
	return d.String()
}

// CheckRule is the rule that decides a check's status, in the language.
func (l *locale) CheckRule(id, rule string) string {
	if t, ok := l.m.CheckRules[id]; ok && t != "" {
		return t
	}
	return rule
}

func (d *Document) msgFormat() msgFormat {
	return msgFormat{l: d.lang, loc: d.Location(), gaps: d.gapText}
}

// evidence renders evidence lines in the report's language: a line with
// its message is rendered from it, a line written as plain text is shown
// as it is.
func (d *Document) evidence(lines []string, msgs []audit.Msg) []string {
	if d.lang == nil {
		return lines
	}
	f := d.msgFormat()
	out := make([]string, len(lines))
	for i, s := range lines {
		out[i] = s
		if m := audit.MsgFor(lines, msgs, s); m != nil {
			out[i] = m.Render(f)
		}
	}
	return out
}

// CheckEvidence is a check's evidence in the report's language.
func (d *Document) CheckEvidence(c audit.Check) []string {
	return d.evidence(c.Evidence, c.EvidenceMsgs)
}

// ControlEvidence is a control's evidence in the report's language.
func (d *Document) ControlEvidence(c audit.ControlResult) []string {
	return d.evidence(c.Evidence, c.EvidenceMsgs)
}

// runReason is why a detection did not run, in the report's language.
func (d *Document) runReason(r audit.DetectionRun) string {
	if r.ReasonMsg != nil && d.lang != nil {
		return r.ReasonMsg.Render(d.msgFormat())
	}
	return r.Reason
}

// detail is a finding's detail sentence in the report's language (see
// locale.DetectionDetail).
func (d *Document) detail(f audit.Finding) string {
	if d.lang == nil {
		return f.Detail
	}
	return d.lang.DetectionDetail(f.Detection, f.Detail)
}
