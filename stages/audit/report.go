package audit

import (
	"sort"
	"time"

	"github.com/vigil-dg/vigil/rules/detections"
)

// ReportFormat versions the JSON form of Report.
const ReportFormat = "vigil.audit.report/v1"

// Status values of checks and controls.
const (
	StatusPass = "pass"
	StatusFail = "fail"
	StatusWarn = "warn"
	StatusNA   = "n/a"
)

// Report is the complete result of one audit run. It is plain data, ready
// to be rendered by package reports or marshalled to JSON.
type Report struct {
	Format       string             `json:"format"`
	GeneratedAt  time.Time          `json:"generated_at"`
	Period       Period             `json:"period"`
	TimeZone     string             `json:"time_zone"`
	Summary      Summary            `json:"summary"`
	Sources      []SourceStats      `json:"sources"`
	References   []ReferenceStats   `json:"references"`
	Detections   []DetectionRun     `json:"detections"`
	Findings     []Finding          `json:"findings"`
	Suppressions []SuppressionState `json:"suppressions"`
	Checks       []Check            `json:"checks"`
	Controls     []ControlResult    `json:"controls"`
	Charts       Charts             `json:"charts"`
	// Cases sums up the case register after this audit (nil without one).
	Cases *CaseStats `json:"cases,omitempty"`
	// CaseFile is the register as this audit changed it, for the caller to save.
	CaseFile *CaseFile `json:"-"`
}

// Period is the half-open time range [From, To) the report covers.
type Period struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Summary counts what the report found.
type Summary struct {
	Status          string         `json:"status"` // worst control status
	EventsInPeriod  int64          `json:"events_in_period"`
	EventsRead      int64          `json:"events_read"`
	EventsUnmapped  int64          `json:"events_unmapped"`
	OpenFindings    int            `json:"open_findings"`
	NotObserved     int            `json:"not_observed,omitempty"` // of the open findings: open cases not found again in this period
	Suppressed      int            `json:"suppressed_findings"`
	OpenBySeverity  map[string]int `json:"open_by_severity"`
	ChecksByStatus  map[string]int `json:"checks_by_status"`
	ControlsByState map[string]int `json:"controls_by_status"`
}

// DetectionRun says how one detection ran.
type DetectionRun struct {
	ID          string         `json:"id"`
	Title       string         `json:"title"`
	Severity    string         `json:"severity"`
	Controls    []string       `json:"controls"`
	Status      string         `json:"status"` // ran | skipped | failed
	Reason      string         `json:"reason,omitempty"`
	ReasonMsg   *Msg           `json:"reason_msg,omitempty"` // Reason as a message, when it is one of the audit's
	Params      map[string]any `json:"params,omitempty"`
	Considered  int64          `json:"events_considered"` // events of the rule's actions in the period
	Findings    int            `json:"findings"`
	Suppressed  int            `json:"suppressed"`
	Description string         `json:"description"`
}

// Detection run states.
const (
	RunRan     = "ran"
	RunSkipped = "skipped"
	RunFailed  = "failed"
)

// Finding is one incident found by a detection.
type Finding struct {
	Fingerprint   string          `json:"fingerprint"`
	Detection     string          `json:"detection"`
	Title         string          `json:"title"`
	Severity      string          `json:"severity"`
	User          string          `json:"user,omitempty"`
	Key           string          `json:"key,omitempty"`
	WindowStart   time.Time       `json:"window_start"`
	WindowEnd     time.Time       `json:"window_end"`
	Count         int64           `json:"count"`
	Detail        string          `json:"detail,omitempty"`
	Controls      []string        `json:"controls"`
	Remediation   string          `json:"remediation"`
	Evidence      []Evidence      `json:"evidence"`
	EvidenceTotal int64           `json:"evidence_total"`
	Suppressed    bool            `json:"suppressed"`
	Suppression   *SuppressionRef `json:"suppression,omitempty"`
	Case          *CaseRef        `json:"case,omitempty"` // its case, when a case register is kept
}

// NotObserved reports whether the finding is an open case carried over from
// an earlier audit that this period did not find again.
func (f Finding) NotObserved() bool { return f.Case != nil && f.Case.NotObserved }

// Evidence is one event behind a finding. Customer identifiers are masked;
// staff identities are shown.
type Evidence struct {
	Time        time.Time `json:"time"`
	User        string    `json:"user,omitempty"`
	Role        string    `json:"role,omitempty"`
	Action      string    `json:"action"`
	ObjectType  string    `json:"object_type,omitempty"`
	ObjectID    string    `json:"object_id,omitempty"`
	RecordCount *int64    `json:"record_count,omitempty"`
	SrcIP       string    `json:"src_ip,omitempty"`
	Country     string    `json:"country,omitempty"`
	City        string    `json:"city,omitempty"`
	UserAgent   string    `json:"user_agent,omitempty"`
	SessionID   string    `json:"session_id,omitempty"`
	Status      string    `json:"status,omitempty"`
	MFA         *bool     `json:"mfa,omitempty"`
	Detail      string    `json:"detail,omitempty"`
	Source      string    `json:"source"`
}

// SuppressionRef is the suppression that hides a finding.
type SuppressionRef struct {
	Status  string     `json:"status"`
	Reason  string     `json:"reason"`
	By      string     `json:"by"`
	Expires *time.Time `json:"expires,omitempty"`
}

// Check is one posture check.
type Check struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Status      string   `json:"status"`
	Evidence    []string `json:"evidence"`
	Controls    []string `json:"controls"`
	Remediation string   `json:"remediation,omitempty"`
	Rule        string   `json:"rule,omitempty"` // how the status is decided
	// EvidenceMsgs are the evidence lines as messages, for reports in other
	// languages (see Msg); a line written as plain text has none.
	EvidenceMsgs []Msg `json:"evidence_msgs,omitempty"`
}

// ControlResult is one row of the control matrix.
type ControlResult struct {
	detections.Control
	Status      string   `json:"status"`
	Evidence    []string `json:"evidence"`
	Detections  []string `json:"detections,omitempty"`
	Checks      []string `json:"checks,omitempty"`
	Findings    []string `json:"findings,omitempty"` // fingerprints of open findings
	Improvement string   `json:"improvement"`
	Rule        string   `json:"rule,omitempty"` // how the status is decided
	// EvidenceMsgs are the evidence lines as messages (see Check).
	EvidenceMsgs []Msg `json:"evidence_msgs,omitempty"`
}

// Charts holds the data behind the report's charts.
type Charts struct {
	FailedLoginsPerHour []TimeCount    `json:"failed_logins_per_hour"`
	EventsPerDay        []TimeCount    `json:"events_per_day"`
	ExportsPerUser      []UserExports  `json:"exports_per_user"`
	AccessHeatmap       [7][24]int64   `json:"access_heatmap"` // [weekday Monday=0][hour] in the report time zone
	FindingsBySeverity  map[string]int `json:"findings_by_severity"`
}

// TimeCount is a count in a time bucket (hour or day start, UTC).
type TimeCount struct {
	Time  time.Time `json:"time"`
	Count int64     `json:"count"`
}

// UserExports is how much one account exported.
type UserExports struct {
	User    string `json:"user"`
	Exports int64  `json:"exports"`
	Records int64  `json:"records"`
}

// Diff compares two reports by finding fingerprint. Open means not
// suppressed.
type Diff struct {
	New       []DiffEntry `json:"new"`
	Resolved  []DiffEntry `json:"resolved"`
	StillOpen []DiffEntry `json:"still_open"`
}

// DiffEntry names one finding of a Diff.
type DiffEntry struct {
	Fingerprint string    `json:"fingerprint"`
	Detection   string    `json:"detection"`
	Severity    string    `json:"severity"`
	User        string    `json:"user,omitempty"`
	Key         string    `json:"key,omitempty"`
	WindowStart time.Time `json:"window_start"`
}

func entry(f Finding) DiffEntry {
	return DiffEntry{Fingerprint: f.Fingerprint, Detection: f.Detection, Severity: f.Severity, User: f.User, Key: f.Key, WindowStart: f.WindowStart}
}

// Compare reports which open findings are new since prev, which of prev's
// open findings are no longer open, and which are open in both.
func (r *Report) Compare(prev *Report) Diff {
	open := func(rep *Report) map[string]Finding {
		m := map[string]Finding{}
		if rep == nil {
			return m
		}
		for _, f := range rep.Findings {
			if !f.Suppressed {
				m[f.Fingerprint] = f
			}
		}
		return m
	}
	now, before := open(r), open(prev)
	var d Diff
	for fp, f := range now {
		if _, ok := before[fp]; ok {
			d.StillOpen = append(d.StillOpen, entry(f))
		} else {
			d.New = append(d.New, entry(f))
		}
	}
	for fp, f := range before {
		if _, ok := now[fp]; !ok {
			d.Resolved = append(d.Resolved, entry(f))
		}
	}
	for _, l := range []*[]DiffEntry{&d.New, &d.Resolved, &d.StillOpen} {
		sort.Slice(*l, func(i, j int) bool {
			a, b := (*l)[i], (*l)[j]
			if !a.WindowStart.Equal(b.WindowStart) {
				return a.WindowStart.Before(b.WindowStart)
			}
			return a.Fingerprint < b.Fingerprint
		})
	}
	return d
}
