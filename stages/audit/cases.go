package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/vigil-dg/vigil/internal/atomicfile"
	"github.com/vigil-dg/vigil/rules/detections"
)

// CasesFormat is the format field of a case file.
const CasesFormat = "vigil.cases/v1"

// ErrCases is an invalid case file or case change.
var ErrCases = errors.New("audit: cases")

// Case states. A finding's case starts open when an audit first sees it.
// People move it with `vigil findings set-state`; only an audit sets
// CaseResolved, and only after re-evaluating the detection over data that
// covers the finding's window without finding it again.
const (
	CaseOpen          = "open"
	CaseAcknowledged  = "acknowledged"
	CaseInProgress    = "in_progress"
	CaseNotified      = "notified" // reported to the authority and/or the data subjects
	CaseRemediated    = "remediated"
	CaseRiskAccepted  = "risk_accepted"
	CaseFalsePositive = "false_positive"
	CaseResolved      = "resolved" // set by an audit only
)

// CaseStates lists every state, open ones first.
var CaseStates = []string{CaseOpen, CaseAcknowledged, CaseInProgress, CaseNotified, CaseRemediated, CaseRiskAccepted, CaseFalsePositive, CaseResolved}

// CaseClosed reports whether a state closes a case: the finding no longer
// counts as open.
func CaseClosed(state string) bool {
	switch state {
	case CaseRemediated, CaseRiskAccepted, CaseFalsePositive, CaseResolved:
		return true
	}
	return false
}

// CaseAssessed reports whether a state records a breach assessment (GDPR
// Art. 33, PIPL Art. 57): notified, or closed by a person.
func CaseAssessed(state string) bool {
	return state == CaseNotified || state == CaseRemediated || state == CaseRiskAccepted || state == CaseFalsePositive
}

// CaseAuditor is the "by" of changes an audit makes.
const CaseAuditor = "vigil audit"

// CaseFile is the case register: one case per finding fingerprint, kept
// next to the suppressions file and versioned by Revision (every save adds
// one), so that it can be reviewed and kept in version control.
type CaseFile struct {
	Format   string    `json:"format"`
	Revision int       `json:"revision"`
	Updated  time.Time `json:"updated"`
	Cases    []Case    `json:"cases"`
	// Audits are the audits that reconciled the register (the last
	// MaxCasePeriods), one per report period: the points of the trend.
	Audits []AuditPoint `json:"audits,omitempty"`
}

// AuditPoint is one audit that reconciled the register: when it ran and
// the period it covered.
type AuditPoint struct {
	At     time.Time `json:"at"`
	Period Period    `json:"period"`
}

// MaxCasePeriods bounds the trend: the last this many report periods.
const MaxCasePeriods = 60

// Case is the life of one finding across reports.
type Case struct {
	Fingerprint   string      `json:"fingerprint"`
	Detection     string      `json:"detection"`
	Title         string      `json:"title"`
	Severity      string      `json:"severity"`
	User          string      `json:"user,omitempty"`
	Key           string      `json:"key,omitempty"`
	WindowStart   time.Time   `json:"window_start"`
	WindowEnd     time.Time   `json:"window_end"`
	Controls      []string    `json:"controls"`
	Remediation   string      `json:"remediation,omitempty"`
	State         string      `json:"state"`
	Opened        time.Time   `json:"opened"`         // when an audit first reported it
	LastObserved  time.Time   `json:"last_observed"`  // when an audit last found it
	LastEvaluated time.Time   `json:"last_evaluated"` // when an audit last re-ran its detection over its window
	Closed        *time.Time  `json:"closed,omitempty"`
	History       []CaseEvent `json:"history"`
}

// CaseEvent is one change of a case: who, when, what and why.
type CaseEvent struct {
	At    time.Time `json:"at"`
	By    string    `json:"by"`
	From  string    `json:"from,omitempty"` // previous state; "" for notes and the opening
	To    string    `json:"to,omitempty"`   // new state; "" for notes
	Note  string    `json:"note,omitempty"`
	Audit string    `json:"audit,omitempty"` // period of the audit that made the change
}

// CaseRef is a finding's case as shown in a report.
type CaseRef struct {
	State       string     `json:"state"`
	Since       time.Time  `json:"since"`
	By          string     `json:"by"`
	Note        string     `json:"note,omitempty"`
	Opened      time.Time  `json:"opened"`
	Closed      *time.Time `json:"closed,omitempty"`
	Changes     int        `json:"changes"`
	NotObserved bool       `json:"not_observed,omitempty"` // open, but the detection did not find it in this period
}

// NewCaseFile returns an empty register.
func NewCaseFile() *CaseFile { return &CaseFile{Format: CasesFormat, Cases: []Case{}} }

// LoadCases reads a case file; a missing file is an empty register.
// Unknown fields, unknown states and duplicate fingerprints are errors.
func LoadCases(path string) (*CaseFile, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return NewCaseFile(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCases, err)
	}
	return ParseCases(path, data)
}

// ParseCases parses the JSON of a case file named name.
func ParseCases(name string, data []byte) (*CaseFile, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var cf CaseFile
	if err := dec.Decode(&cf); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCases, name, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: %s: data after the JSON object", ErrCases, name)
	}
	var errs []error
	if cf.Format != CasesFormat {
		errs = append(errs, fmt.Errorf("%w: %s: format %q is not %s", ErrCases, name, cf.Format, CasesFormat))
	}
	seen := map[string]bool{}
	for i, c := range cf.Cases {
		where := fmt.Sprintf("%s: cases[%d]", name, i)
		if !fingerprintRe.MatchString(c.Fingerprint) {
			errs = append(errs, fmt.Errorf("%w: %s: fingerprint %q is not 32 hexadecimal digits", ErrCases, where, c.Fingerprint))
		}
		if seen[c.Fingerprint] {
			errs = append(errs, fmt.Errorf("%w: %s: second case for fingerprint %s", ErrCases, where, c.Fingerprint))
		}
		seen[c.Fingerprint] = true
		if !slices.Contains(CaseStates, c.State) {
			errs = append(errs, fmt.Errorf("%w: %s: unknown state %q (%s)", ErrCases, where, c.State, strings.Join(CaseStates, ", ")))
		}
		if c.Detection == "" {
			errs = append(errs, fmt.Errorf("%w: %s: no detection", ErrCases, where))
		}
		for j, h := range c.History {
			if h.At.IsZero() || strings.TrimSpace(h.By) == "" {
				errs = append(errs, fmt.Errorf("%w: %s.history[%d]: at and by are required", ErrCases, where, j))
			}
			if h.To != "" && !slices.Contains(CaseStates, h.To) {
				errs = append(errs, fmt.Errorf("%w: %s.history[%d]: unknown state %q", ErrCases, where, j, h.To))
			}
		}
	}
	if cf.Cases == nil {
		cf.Cases = []Case{}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &cf, nil
}

// SaveCases writes the register atomically with its revision increased.
func SaveCases(path string, cf *CaseFile, now time.Time) error {
	cf.Format = CasesFormat
	cf.Revision++
	cf.Updated = now.UTC()
	sort.SliceStable(cf.Cases, func(i, j int) bool {
		a, b := cf.Cases[i], cf.Cases[j]
		if !a.Opened.Equal(b.Opened) {
			return a.Opened.Before(b.Opened)
		}
		return a.Fingerprint < b.Fingerprint
	})
	data, err := json.MarshalIndent(cf, "", "  ")
	if err != nil {
		return fmt.Errorf("%w: %v", ErrCases, err)
	}
	if err := atomicfile.WriteFile(path, append(data, '\n'), 0o640); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrCases, path, err)
	}
	return nil
}

// Find returns the case whose fingerprint is id or starts with id (at least
// 8 hexadecimal digits, unambiguous).
func (cf *CaseFile) Find(id string) (*Case, error) {
	id = strings.ToLower(strings.TrimSpace(id))
	if len(id) < 8 {
		return nil, fmt.Errorf("%w: give at least 8 digits of the fingerprint, not %q", ErrCases, id)
	}
	var hit *Case
	for i := range cf.Cases {
		if strings.HasPrefix(cf.Cases[i].Fingerprint, id) {
			if hit != nil {
				return nil, fmt.Errorf("%w: %q matches more than one case; give more digits", ErrCases, id)
			}
			hit = &cf.Cases[i]
		}
	}
	if hit == nil {
		return nil, fmt.Errorf("%w: no case with fingerprint %q", ErrCases, id)
	}
	return hit, nil
}

// SetState moves a case to state on behalf of a person. Closing a case or
// recording a notification needs a note (the reason, the reference of the
// notification); "resolved" is reserved for audits.
func (c *Case) SetState(state, by, note string, now time.Time) error {
	by, note = strings.TrimSpace(by), strings.TrimSpace(note)
	switch {
	case !slices.Contains(CaseStates, state):
		return fmt.Errorf("%w: unknown state %q (%s)", ErrCases, state, strings.Join(CaseStates[:len(CaseStates)-1], ", "))
	case state == CaseResolved:
		return fmt.Errorf("%w: only an audit marks a case resolved (after re-checking its condition); use remediated", ErrCases)
	case by == "":
		return fmt.Errorf("%w: who changes the case is required (--by)", ErrCases)
	case note == "" && (CaseClosed(state) || state == CaseNotified):
		return fmt.Errorf("%w: state %s needs a note (--note): the reason or the notification's reference", ErrCases, state)
	case state == c.State:
		return fmt.Errorf("%w: case %s is already %s", ErrCases, c.Fingerprint[:12], state)
	}
	c.History = append(c.History, CaseEvent{At: now.UTC(), By: by, From: c.State, To: state, Note: note})
	c.State = state
	c.Closed = nil
	if CaseClosed(state) {
		t := now.UTC()
		c.Closed = &t
	}
	return nil
}

// AddNote adds a note without changing the state.
func (c *Case) AddNote(by, note string, now time.Time) error {
	by, note = strings.TrimSpace(by), strings.TrimSpace(note)
	if by == "" || note == "" {
		return fmt.Errorf("%w: a note needs --by and a text", ErrCases)
	}
	c.History = append(c.History, CaseEvent{At: now.UTC(), By: by, Note: note})
	return nil
}

// Ref is the case as a report shows it.
func (c *Case) Ref() *CaseRef {
	r := &CaseRef{State: c.State, Opened: c.Opened, Closed: c.Closed, Changes: len(c.History)}
	for i := len(c.History) - 1; i >= 0; i-- {
		h := c.History[i]
		if r.Note == "" && h.Note != "" {
			r.Note = h.Note
		}
		if h.To != "" && r.By == "" {
			r.Since, r.By = h.At, h.By
		}
	}
	if r.By == "" {
		r.Since, r.By = c.Opened, CaseAuditor
	}
	return r
}

// TimeToClose is how long the case was open, and whether it is closed.
func (c *Case) TimeToClose() (time.Duration, bool) {
	if c.Closed == nil {
		return 0, false
	}
	return c.Closed.Sub(c.Opened), true
}

// CaseStats sums up the register for a report.
type CaseStats struct {
	Total           int            `json:"total"`
	Open            int            `json:"open"`
	ByState         map[string]int `json:"by_state"`
	OpenBySeverity  map[string]int `json:"open_by_severity"`
	NotObserved     int            `json:"not_observed"`      // open cases the period did not find again
	ResolvedNow     int            `json:"resolved_now"`      // cases this audit marked resolved
	Remediated      int            `json:"closed"`            // closed cases with a time to close
	MedianToClose   string         `json:"median_to_close"`   // e.g. "36h0m0s"; "" without closed cases
	MedianToCloseH  float64        `json:"median_to_close_h"` // hours
	OldestOpenSince *time.Time     `json:"oldest_open_since,omitempty"`
	// Periods is the open count by severity as each report period's audit
	// left it, oldest first, this audit last: the multi-period trend.
	Periods []CasePeriod `json:"periods"`
	// TimeToRemediate is, per severity, how long closed cases were open
	// (from the audit that first found them to remediated, risk accepted,
	// false positive or resolved).
	TimeToRemediate []SeverityTTR `json:"time_to_remediate"`
}

// CasePeriod is the open cases by severity as of one point in time: the
// audit of Period ran at At.
type CasePeriod struct {
	At         time.Time      `json:"at"`
	Period     *Period        `json:"period,omitempty"`
	BySeverity map[string]int `json:"by_severity"`
}

// SeverityTTR is the time to remediate the closed cases of one severity.
type SeverityTTR struct {
	Severity string  `json:"severity"`
	Closed   int     `json:"closed"`
	MedianH  float64 `json:"median_h"`
	P90H     float64 `json:"p90_h"` // nearest rank
}

// caseReconcile applies the register to this audit's findings. It returns
// the findings with their cases (closed cases hide their findings like a
// suppression does), open cases not observed in this period appended as
// findings marked NotObserved, and the changed register.
//
// covered(start, end) says whether the period's data covers a finding's
// window: the window lies in the period and mapped events exist in it.
// ran(detection) says whether the detection ran over events in this period.
func caseReconcile(cf *CaseFile, findings []Finding, ran func(string) bool, covered func(start, end time.Time) bool, period Period, now time.Time) ([]Finding, *CaseFile, CaseStats) {
	out := &CaseFile{Format: CasesFormat, Revision: cf.Revision, Updated: cf.Updated, Cases: make([]Case, len(cf.Cases))}
	out.Audits = addAuditPoint(cf.Audits, AuditPoint{At: now, Period: period})
	idx := map[string]int{}
	for i, c := range cf.Cases {
		c.History = append([]CaseEvent{}, c.History...)
		c.Controls = append([]string{}, c.Controls...)
		out.Cases[i] = c
		idx[c.Fingerprint] = i
	}
	label := period.From.UTC().Format("2006-01-02") + "/" + period.To.UTC().Format("2006-01-02")
	stats := CaseStats{ByState: map[string]int{}, OpenBySeverity: map[string]int{}, Periods: []CasePeriod{}}
	observed := map[string]bool{}
	for fi := range findings {
		f := &findings[fi]
		observed[f.Fingerprint] = true
		i, ok := idx[f.Fingerprint]
		if !ok {
			out.Cases = append(out.Cases, Case{Fingerprint: f.Fingerprint, Detection: f.Detection, Title: f.Title, Severity: f.Severity,
				User: f.User, Key: f.Key, WindowStart: f.WindowStart, WindowEnd: f.WindowEnd, Controls: append([]string{}, f.Controls...),
				Remediation: f.Remediation, State: CaseOpen, Opened: now,
				History: []CaseEvent{{At: now, By: CaseAuditor, To: CaseOpen, Note: "first found", Audit: label}}})
			i = len(out.Cases) - 1
			idx[f.Fingerprint] = i
		}
		c := &out.Cases[i]
		c.LastObserved, c.LastEvaluated = now, now
		if c.State == CaseResolved {
			// Resolved by an earlier audit, found again: the condition is back.
			c.History = append(c.History, CaseEvent{At: now, By: CaseAuditor, From: CaseResolved, To: CaseOpen, Note: "found again", Audit: label})
			c.State, c.Closed = CaseOpen, nil
		}
		f.Case = c.Ref()
		if CaseClosed(c.State) && !f.Suppressed {
			f.Suppressed = true
			f.Suppression = &SuppressionRef{Status: c.State, Reason: f.Case.Note, By: f.Case.By}
		}
	}
	var carried []Finding
	for i := range out.Cases {
		c := &out.Cases[i]
		if observed[c.Fingerprint] || CaseClosed(c.State) {
			continue
		}
		if ran(c.Detection) && covered(c.WindowStart, c.WindowEnd) {
			c.LastEvaluated = now
			c.History = append(c.History, CaseEvent{At: now, By: CaseAuditor, From: c.State, To: CaseResolved,
				Note: "detection re-run over logs covering the finding's window: condition gone", Audit: label})
			c.State = CaseResolved
			t := now
			c.Closed = &t
			stats.ResolvedNow++
			continue
		}
		ref := c.Ref()
		ref.NotObserved = true
		carried = append(carried, Finding{Fingerprint: c.Fingerprint, Detection: c.Detection, Title: c.Title, Severity: c.Severity,
			User: c.User, Key: c.Key, WindowStart: c.WindowStart, WindowEnd: c.WindowEnd, Controls: append([]string{}, c.Controls...),
			Remediation: c.Remediation, Evidence: []Evidence{}, Case: ref})
	}
	stats.NotObserved = len(carried)
	var ttc []time.Duration
	bySev := map[string][]time.Duration{}
	for _, c := range out.Cases {
		stats.Total++
		stats.ByState[c.State]++
		if !CaseClosed(c.State) {
			stats.Open++
			stats.OpenBySeverity[c.Severity]++
			if stats.OldestOpenSince == nil || c.Opened.Before(*stats.OldestOpenSince) {
				t := c.Opened
				stats.OldestOpenSince = &t
			}
		}
		if d, ok := c.TimeToClose(); ok {
			ttc = append(ttc, d)
			bySev[c.Severity] = append(bySev[c.Severity], d)
		}
	}
	stats.TimeToRemediate = ttrBySeverity(bySev)
	if len(ttc) > 0 {
		slices.Sort(ttc)
		m := ttc[len(ttc)/2]
		if len(ttc)%2 == 0 {
			m = (ttc[len(ttc)/2-1] + ttc[len(ttc)/2]) / 2
		}
		stats.Remediated = len(ttc)
		stats.MedianToClose = m.String()
		stats.MedianToCloseH = float64(int64(m.Hours()*10)) / 10
	}
	stats.Periods = openPerPeriod(out.Cases, out.Audits)
	return append(findings, carried...), out, stats
}

// addAuditPoint records an audit: a later audit of the same period
// replaces the earlier one; the last MaxCasePeriods are kept, by period.
func addAuditPoint(pts []AuditPoint, p AuditPoint) []AuditPoint {
	out := make([]AuditPoint, 0, len(pts)+1)
	for _, x := range pts {
		if !(x.Period.From.Equal(p.Period.From) && x.Period.To.Equal(p.Period.To)) {
			out = append(out, x)
		}
	}
	out = append(out, p)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Period.To.Before(out[j].Period.To) })
	if len(out) > MaxCasePeriods {
		out = out[len(out)-MaxCasePeriods:]
	}
	return out
}

// openPerPeriod replays the cases' histories up to each audit: the open
// cases by severity as that audit left the register, one point per report
// period. A register from before audits were recorded has one point, now.
func openPerPeriod(cases []Case, audits []AuditPoint) []CasePeriod {
	out := make([]CasePeriod, 0, len(audits))
	for _, a := range audits {
		by := map[string]int{}
		for _, c := range cases {
			open := false
			for _, h := range c.History {
				if h.At.After(a.At) {
					break
				}
				if h.To != "" {
					open = !CaseClosed(h.To)
				}
			}
			if open {
				by[c.Severity]++
			}
		}
		p := a.Period
		out = append(out, CasePeriod{At: a.At, Period: &p, BySeverity: by})
	}
	return out
}

// ttrBySeverity is the median and 90th percentile (nearest rank) of the
// times to close, per severity, most severe first.
func ttrBySeverity(by map[string][]time.Duration) []SeverityTTR {
	out := []SeverityTTR{}
	sevs := sortedKeys(by)
	sort.SliceStable(sevs, func(i, j int) bool { return detections.SeverityRank(sevs[i]) < detections.SeverityRank(sevs[j]) })
	hours := func(d time.Duration) float64 { return float64(int64(d.Hours()*10)) / 10 }
	for _, s := range sevs {
		ds := by[s]
		slices.Sort(ds)
		n := len(ds)
		m := ds[n/2]
		if n%2 == 0 {
			m = (ds[n/2-1] + ds[n/2]) / 2
		}
		p90 := ds[int(math.Ceil(0.9*float64(n)))-1]
		out = append(out, SeverityTTR{Severity: s, Closed: n, MedianH: hours(m), P90H: hours(p90)})
	}
	return out
}

// MergeAudit folds what an audit did to its copy of the register (audited,
// the audit's Report.CaseFile, made at now) into the register as it is on
// disk now, so that a `vigil findings` change made while the audit ran is
// kept: new cases are added, the audit's own history events are appended,
// and its state changes apply only where the state is still the one the
// audit saw.
func MergeAudit(disk, audited *CaseFile, now time.Time) *CaseFile {
	if disk == nil || disk.Revision == audited.Revision {
		return audited
	}
	out := &CaseFile{Format: CasesFormat, Revision: disk.Revision, Updated: disk.Updated, Cases: append([]Case{}, disk.Cases...), Audits: audited.Audits}
	idx := map[string]int{}
	for i, c := range out.Cases {
		idx[c.Fingerprint] = i
	}
	for _, a := range audited.Cases {
		i, ok := idx[a.Fingerprint]
		if !ok {
			out.Cases = append(out.Cases, a)
			continue
		}
		c := &out.Cases[i]
		c.History = append([]CaseEvent{}, c.History...)
		if a.LastObserved.After(c.LastObserved) {
			c.LastObserved = a.LastObserved
		}
		if a.LastEvaluated.After(c.LastEvaluated) {
			c.LastEvaluated = a.LastEvaluated
		}
		for _, h := range a.History {
			if h.By != CaseAuditor || !h.At.Equal(now) {
				continue
			}
			if h.To != "" && h.From != c.State {
				continue // a person changed the state meanwhile
			}
			c.History = append(c.History, h)
			if h.To != "" {
				c.State, c.Closed = h.To, a.Closed
			}
		}
	}
	return out
}
