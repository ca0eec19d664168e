package audit

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Msg is one evidence sentence as a message key with typed arguments, so
// that a report renders it in its own language with numbers and dates in
// the locale's form (package reports keeps the translations). The English
// rendering (Msg.String) is what Check.Evidence and ControlResult.Evidence
// hold; EvidenceMsgs keeps the messages beside them.
type Msg struct {
	Key  string `json:"key"`
	Args []Arg  `json:"args,omitempty"`
	// Tail are clauses appended in order (" - overdue", "; longest gap …").
	Tail []Msg `json:"tail,omitempty"`
}

// Arg is one argument of a Msg; exactly one field is set.
type Arg struct {
	Text  *string    `json:"text,omitempty"`    // shown as it is: names, ids, error details
	Term  *string    `json:"term,omitempty"`    // a word of the vocabulary (severity, status), translated
	Int   *int64     `json:"int,omitempty"`     // a count
	Pct   *float64   `json:"pct,omitempty"`     // a percentage 0..100, Prec decimals
	Prec  int        `json:"prec,omitempty"`    // decimals of Pct
	Age   *int64     `json:"age_s,omitempty"`   // seconds before the audit: "3 h ago"
	Limit *int64     `json:"limit_s,omitempty"` // a time limit in seconds: "26h", "8d"
	Date  *time.Time `json:"date,omitempty"`    // a calendar day
	Time  *time.Time `json:"time,omitempty"`    // an instant
	Msg   *Msg       `json:"msg,omitempty"`     // a nested sentence
}

// Arg constructors.
func aText(s string) Arg { return Arg{Text: &s} }
func aTerm(s string) Arg { return Arg{Term: &s} }
func aInt[T int | int64](n T) Arg {
	v := int64(n)
	return Arg{Int: &v}
}
func aPct(p float64, prec int) Arg  { return Arg{Pct: &p, Prec: prec} }
func aAge(now, t time.Time) Arg     { s := int64(now.Sub(t) / time.Second); return Arg{Age: &s} }
func aLimit(d time.Duration) Arg    { s := int64(d / time.Second); return Arg{Limit: &s} }
func aDate(t time.Time) Arg         { return Arg{Date: &t} }
func aTime(t time.Time) Arg         { return Arg{Time: &t} }
func aMsg(key string, a ...Arg) Arg { m := msg(key, a...); return Arg{Msg: &m} }
func msg(key string, a ...Arg) Msg  { return Msg{Key: key, Args: a} }
func (m Msg) with(key string, a ...Arg) Msg {
	m.Tail = append(append([]Msg{}, m.Tail...), msg(key, a...))
	return m
}

// MsgFormat renders messages in one language: the template of a key and
// the form of each argument.
type MsgFormat interface {
	Template(key string) (string, bool)
	Arg(a Arg, render func(Msg) string) string
}

// Render renders m with f; a key f does not know falls back to English.
func (m Msg) Render(f MsgFormat) string {
	tpl, ok := f.Template(m.Key)
	if !ok {
		if tpl, ok = evidenceEN[m.Key]; !ok {
			tpl = m.Key
		}
	}
	rec := func(x Msg) string { return x.Render(f) }
	args := make([]string, len(m.Args))
	for i, a := range m.Args {
		args[i] = f.Arg(a, rec)
	}
	var b strings.Builder
	b.WriteString(FillTemplate(tpl, args))
	for _, t := range m.Tail {
		b.WriteString(t.Render(f))
	}
	return b.String()
}

// String is the English rendering (the text of Evidence).
func (m Msg) String() string { return m.Render(englishFormat{}) }

// FillTemplate replaces {0}, {1}, … in tpl with args; a placeholder
// without its argument stays as it is.
func FillTemplate(tpl string, args []string) string {
	if !strings.Contains(tpl, "{") {
		return tpl
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(tpl, '{')
		if i < 0 {
			b.WriteString(tpl)
			return b.String()
		}
		j := strings.IndexByte(tpl[i:], '}')
		if j < 0 {
			b.WriteString(tpl)
			return b.String()
		}
		n, err := strconv.Atoi(tpl[i+1 : i+j])
		b.WriteString(tpl[:i])
		if err != nil || n < 0 || n >= len(args) {
			b.WriteString(tpl[i : i+j+1])
		} else {
			b.WriteString(args[n])
		}
		tpl = tpl[i+j+1:]
	}
}

// Placeholders lists the argument numbers a template uses, sorted.
func Placeholders(tpl string) []int {
	seen := map[int]bool{}
	for {
		i := strings.IndexByte(tpl, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(tpl[i:], '}')
		if j < 0 {
			break
		}
		if n, err := strconv.Atoi(tpl[i+1 : i+j]); err == nil {
			seen[n] = true
		}
		tpl = tpl[i+j+1:]
	}
	out := make([]int, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Ints(out)
	return out
}

// englishFormat renders the audit's own English text.
type englishFormat struct{}

func (englishFormat) Template(key string) (string, bool) { s, ok := evidenceEN[key]; return s, ok }

func (englishFormat) Arg(a Arg, render func(Msg) string) string {
	switch {
	case a.Text != nil:
		return *a.Text
	case a.Term != nil:
		return *a.Term
	case a.Int != nil:
		return strconv.FormatInt(*a.Int, 10)
	case a.Pct != nil:
		return strconv.FormatFloat(*a.Pct, 'f', a.Prec, 64) + "%"
	case a.Age != nil:
		return agoText(time.Duration(*a.Age) * time.Second)
	case a.Limit != nil:
		return days(time.Duration(*a.Limit) * time.Second)
	case a.Date != nil:
		return a.Date.Format("2006-01-02")
	case a.Time != nil:
		return a.Time.Format(time.RFC3339)
	case a.Msg != nil:
		return render(*a.Msg)
	}
	return ""
}

// EvidenceTemplates returns the English templates of every evidence
// message by key ({0}, {1}, … name the arguments): what a translation
// must cover.
func EvidenceTemplates() map[string]string {
	out := make(map[string]string, len(evidenceEN))
	for k, v := range evidenceEN {
		out[k] = v
	}
	return out
}

// say appends m to the evidence of a check.
func (c *Check) say(m Msg) {
	c.Evidence = append(c.Evidence, m.String())
	c.EvidenceMsgs = append(c.EvidenceMsgs, m)
}

// sayFirst puts m before the check's other evidence.
func (c *Check) sayFirst(m Msg) {
	c.Evidence = append([]string{m.String()}, c.Evidence...)
	c.EvidenceMsgs = append([]Msg{m}, c.EvidenceMsgs...)
}

func (c *ControlResult) say(m Msg) {
	c.Evidence = append(c.Evidence, m.String())
	c.EvidenceMsgs = append(c.EvidenceMsgs, m)
}

// MsgFor returns the message behind the evidence line s of a check or
// control (nil when the line was written as plain text).
func MsgFor(lines []string, msgs []Msg, s string) *Msg {
	for i := range msgs {
		if i < len(lines) && lines[i] == s {
			return &msgs[i]
		}
	}
	for i := range msgs {
		if msgs[i].String() == s {
			return &msgs[i]
		}
	}
	return nil
}

// evidenceEN are the English templates of every evidence sentence the audit
// writes; reports/i18n/evidence.<lang>.yaml translates them by key.
var evidenceEN = map[string]string{
	// crypto.key_escrow
	"escrow.never":     "the keyset was never escrowed: one lost disk loses every key",
	"escrow.last":      "last escrow export {0}, {1} (limit {2})",
	"escrow.key":       "key {0} ({1}): created {2}, {3}",
	"escrow.key.after": " - created after the last escrow export, not in the escrow copy",
	// erasure.backups
	"erasure.bk.total": "{0} erasures, {1} subjects still in kept snapshots (left out of every restore and dataset)",
	"erasure.bk.none":  "{0} {1} subject {2} (reason {3}): in no kept snapshot",
	"erasure.bk.held":  "{0} {1} subject {2} (reason {3}): still in {4} snapshots until retention removes them: {5}",
	"erasure.bk.late":  " - erased {0}, still held (limit {1})",
	// extract.rejects
	"rejects.failed":    "{0}: last extraction {1} failed: {2} of {3} rows rejected ({4}); nothing committed (vigil rejects {0}/{1})",
	"rejects.committed": "{0}: snapshot {1} rejected {2} of {3} rows ({4}) (vigil rejects {0}/{1})",
	"rejects.clean":     "{0} tables: no rows rejected",
	// backup.snapshots
	"snap.none": "{0}: no successful snapshot",
	"snap.old":  "{0}: last snapshot {1} {2} (limit {3})",
	"snap.ok":   "{0}: snapshot {1} {2}",
	// backup.restore_drills
	"restore.never":  "{0}: never verified",
	"restore.failed": "{0}: last drill {1} failed: {2}",
	"restore.old":    "{0}: last successful drill {1} (limit {2})",
	"restore.ok":     "{0}: restored and verified {1} (snapshot {2})",
	// protect.columns
	"protect.dataset": "{0}: {1} of {2} personal-data columns protected",
	"protect.total":   "{0} of {1} personal-data columns protected",
	// protect.k_anonymity
	"kanon.k":      "{0}: k={1} (target {2})",
	"kanon.l":      ", l={0} (target {1})",
	"kanon.missed": " - not reached",
	// protect.disclosure
	"disc.none":      "no dataset records a disclosure check",
	"disc.unchecked": "{0}: no disclosure check recorded (dataset missing or written before the check existed)",
	"disc.failed":    "{0}: failed: {1}",
	"disc.passed":    "{0}: passed (k={1}, {2} rows, smallest class {3}, {4} released columns checked)",
	// crypto.key_rotation
	"keys.age":      "key {0} ({1}): last rotated or created {2} (limit {3})",
	"keys.undated":  "key {0} ({1}): no creation or rotation date",
	"keys.overdue":  " - overdue",
	"keys.due_soon": " - due soon",
	// pipeline.runs
	"runs.total":  "{0} runs recorded, {1} not successful",
	"runs.latest": "{0}: latest run {1} {2}: {3}",
	"runs.error":  " ({0})",
	// inventory.classification
	"cls.ok":     "{0}: classified {1}, {2} personal-data columns",
	"cls.never":  "{0}: never classified",
	"cls.schema": " - schema changed since",
	"cls.old":    " - older than {0}",
	// retention.storage_limit
	"ret.oldest": "{0}: oldest record {1} (limit {2})",
	"ret.long":   " - kept too long",
	// erasure.requests
	"erasure.open":  "request {0}: open since {1} (limit {2})",
	"erasure.late":  "request {0}: completed after {1} days (limit {2})",
	"erasure.total": "{0} completed in time, {1} open within the limit, {2} late",
	// logs.coverage
	"cov.all":    "all sources",
	"cov.source": "source {0}",
	"cov.line":   "{0}: events in {1} of {2} hours where activity is expected",
	"cov.share":  " ({0})",
	"cov.empty":  "; {0} of {1} hours without events",
	"cov.gap":    "; longest gap {0} h from {1}",
	"cov.none":   " - no events: coverage cannot be shown",
	// logs.mapping
	"map.line":        "{0}: {1} read, {2} mapped, {3} unmapped ({4})",
	"map.reason":      ": {0} {1}",
	"map.reason_next": ", {0} {1}",
	"map.none":        "{0}: no events read",
	// access.leavers_disabled
	"leaver.active": "{0} left on {1} but the account is active",
	"leaver.all":    "all {0} leavers' accounts are disabled",
	"leaver.more":   "... and {0} more",
	// incident.assessment
	"inc.open":  "{0} {1} {2} ({3}): assess by {4}",
	"inc.total": "{0} open high/critical findings, {1} assessed (notified, closed or suppressed with a reason)",
	// monitoring.detections
	"det.skipped": "{0} skipped: {1}",
	"det.failed":  "{0} failed: {1}",
	"det.total":   "{0} detections ran, {1} skipped, {2} failed",
	"det.noref":   "no {0} reference rows",
	// records.art30, records.pia
	"rec.complete": "every item filled in",
	"rec.gaps":     "{0} gap(s)",
	"rec.gap":      "{0}",
	// control matrix
	"ctl.check_na":  "check {0}: n/a (no evidence supplied)",
	"ctl.check":     "check {0}: {1}",
	"ctl.first":     " - {0}",
	"ctl.det_none":  "detection {0}: ran over 0 events - no evidence",
	"ctl.det_ran":   "detection {0}: ran over {1} events, {2} finding(s), {3} open",
	"ctl.det_other": "detection {0}: {1} ({2})",
}

// agoText is a time before the audit: "5 min ago", "30 h ago", "4 days ago".
func agoText(d time.Duration) string {
	switch {
	case d < 0:
		return "in the future"
	case d < 2*time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 72*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	}
	return fmt.Sprintf("%d days ago", int(d.Hours()/24))
}
