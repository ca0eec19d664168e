package reports

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/vigil-dg/vigil/rules/detections"
	"github.com/vigil-dg/vigil/stages/audit"
)

// Format versions report.json.
const Format = 1

// DefaultTitle is the report title when Input.Title is empty.
const DefaultTitle = "Data-protection audit report"

// Input is everything one report shows.
type Input struct {
	Audit     *audit.Report  // this period's audit; required
	Previous  *audit.Report  // the previous report's audit; nil on the first report
	Inventory []InventoryRow // classified columns (classification.json)
	Datasets  []DatasetRow   // anonymized analyst datasets (_vigil.json)
	Backups   []BackupRow    // latest snapshot and restore drill per table
	Title     string         // default DefaultTitle
	// Organization is the data controller the report is for.
	Organization string
	// Lang is the report language: en (default) or zh-CN.
	Lang string
	// Records is what people stated for the GDPR Art. 30 record and the
	// PIPL assessment; nil lists every stated item as a gap.
	Records *RecordConfig
	// Inputs are the files the audit read, hashed; evidence.json and the
	// report list them.
	Inputs []InputFile
	// Attachments are inputs that change as Vigil runs, kept as copies in
	// the report folder and hashed there.
	Attachments []Attachment
	// PDF, when set, prints the rendered report.html to report.pdf (e.g.
	// headless Chromium); the PDF is signed with the other files.
	PDF func(ctx context.Context, html []byte) ([]byte, error)
	// Signer signs evidence.json; nil leaves the report unsigned (and
	// `vigil report verify` fails on it).
	Signer Signer
}

// InventoryRow is one classified column of the personal-data inventory.
// It names the column and its class, never a value.
type InventoryRow struct {
	Table      string  `json:"table"`
	Column     string  `json:"column"`
	Class      string  `json:"class"`      // "" when not personal data
	Category   string  `json:"category"`   // direct_identifier | quasi_identifier | sensitive_attribute | pipl_sensitive | none
	Confidence float64 `json:"confidence"` // 0..1
	Protection string  `json:"protection"` // protection in the analyst dataset, e.g. "pseudonym", "mask(keep_suffix=4)", "pass"
	Review     bool    `json:"review"`     // the classifier asks a person to confirm
}

// Personal reports whether the column holds personal data.
func (r InventoryRow) Personal() bool {
	c := strings.TrimSpace(r.Category)
	return c != "" && c != "none"
}

// Protected reports whether the column is protected in analyst datasets
// (anything but "pass" or nothing).
func (r InventoryRow) Protected() bool {
	m, _, _ := strings.Cut(strings.TrimSpace(r.Protection), "(")
	return m != "" && m != "pass"
}

// DatasetRow is the privacy level one anonymized dataset reached.
type DatasetRow struct {
	Table          string    `json:"table"`
	Created        time.Time `json:"created"`
	Rows           int64     `json:"rows"`            // rows written
	K              int64     `json:"k"`               // smallest equivalence class reached
	TargetK        int64     `json:"target_k"`        // 0: no target
	L              float64   `json:"l,omitempty"`     // distinct sensitive values per class; 0: not measured
	SuppressedRows int64     `json:"suppressed_rows"` // records suppressed to reach k
	Risk           float64   `json:"risk"`            // highest re-identification risk, 0..1
	// Utility detail (optional): the class-size histogram of the released
	// rows and the quasi-identifier values whose records were suppressed
	// most (released values only, from _vigil.json).
	ClassSizes   []ClassSizeRow   `json:"class_sizes,omitempty"`
	SuppressedBy []SuppressionRow `json:"suppressed_by_value,omitempty"`
}

// ClassSizeRow is one bin of a class-size histogram: classes of From..To
// rows (To 0: and more) and the rows in them.
type ClassSizeRow struct {
	From    int64 `json:"from"`
	To      int64 `json:"to,omitempty"`
	Classes int64 `json:"classes"`
	Records int64 `json:"records"`
}

// SuppressionRow is the suppression of one released value of a
// quasi-identifier.
type SuppressionRow struct {
	Column     string  `json:"column"`
	Value      string  `json:"value"`
	Records    int64   `json:"records"`
	Suppressed int64   `json:"suppressed"`
	Share      float64 `json:"share"`
}

// BackupRow is the latest snapshot and restore drill of one table.
type BackupRow struct {
	Table      string    `json:"table"`
	SnapshotID string    `json:"snapshot_id"`
	Created    time.Time `json:"created"`
	Rows       int64     `json:"rows"`
	VerifiedAt time.Time `json:"verified_at"` // zero: never verified
	VerifyOK   bool      `json:"verify_ok"`
	Detail     string    `json:"detail,omitempty"` // why the drill failed, without data
}

// Document is the rendered model: report.json, and what every format
// shows. Field names are stable within a Format.
type Document struct {
	Format        int                      `json:"format"`
	Title         string                   `json:"title"`
	Organization  string                   `json:"organization,omitempty"`
	GeneratedAt   time.Time                `json:"generated_at"`
	Period        audit.Period             `json:"period"`
	TimeZone      string                   `json:"time_zone"`
	AuditFormat   string                   `json:"audit_format"`
	Summary       audit.Summary            `json:"summary"`
	Trend         Trend                    `json:"trend"`
	Findings      []Finding                `json:"findings"`
	Suppressions  []audit.SuppressionState `json:"suppressions"`
	Controls      []audit.ControlResult    `json:"controls"`
	Checks        []audit.Check            `json:"checks"`
	Inventory     []InventoryRow           `json:"inventory"`
	Coverage      []CoverageRow            `json:"protection_coverage"`
	Datasets      []DatasetRow             `json:"datasets"`
	Backups       []BackupRow              `json:"backups"`
	Suggestions   []Suggestion             `json:"suggestions"`
	Detections    []audit.DetectionRun     `json:"detections"`
	Sources       []audit.SourceStats      `json:"sources"`
	References    []audit.ReferenceStats   `json:"references"`
	Charts        audit.Charts             `json:"charts"`
	Language      string                   `json:"language"`
	Cases         *audit.CaseStats         `json:"cases,omitempty"`
	Inputs        []InputFile              `json:"inputs"`
	FormalRecords []Record                 `json:"records"`
	Records       *RecordConfig            `json:"record_config,omitempty"`

	loc  *time.Location
	lang *locale
	// gapText maps the English gap lines of the formal records (as the
	// audit's record checks quote them) to the report's language.
	gapText map[string]string
}

// Finding is an audit finding with its id in this report.
type Finding struct {
	ID     string `json:"id"`     // F-001, ... in report order; not stable across reports (the fingerprint is)
	Status string `json:"status"` // open | suppressed
	Trend  string `json:"trend"`  // new | still_open | suppressed
	audit.Finding
}

// Finding statuses and trends.
const (
	StatusOpen       = "open"
	StatusSuppressed = "suppressed"
	TrendNew         = "new"
	TrendStillOpen   = "still_open"
	TrendResolved    = "resolved"
	TrendSuppressed  = "suppressed"
)

// Trend compares this report with the previous one by finding
// fingerprint. Suppressed findings are listed apart, never as resolved.
type Trend struct {
	Previous *PreviousReport `json:"previous"` // nil on the first report
	New      []TrendEntry    `json:"new"`      // open now, not open before (all open findings on the first report)
	Resolved []TrendEntry    `json:"resolved"` // open before, closed now (case closed, or re-checked and gone); needs a case register
	// NotObserved are findings open before that this period did not find
	// again, without a case register to say whether they were closed: not
	// resolved, only not seen.
	NotObserved []TrendEntry `json:"not_observed"`
	StillOpen   []TrendEntry `json:"still_open"`  // open before and now
	Suppressed  []TrendEntry `json:"suppressed"`  // suppressed in this report
	OpenDelta   int          `json:"open_delta"`  // open findings now minus before
	Unchanged   bool         `json:"unchanged"`   // nothing new, nothing resolved
	OpenBefore  int          `json:"open_before"` // open findings of the previous report
}

// PreviousReport identifies the report the trend compares with.
type PreviousReport struct {
	GeneratedAt  time.Time    `json:"generated_at"`
	Period       audit.Period `json:"period"`
	Status       string       `json:"status"`
	OpenFindings int          `json:"open_findings"`
	Suppressed   int          `json:"suppressed_findings"`
}

// TrendEntry is one finding of the trend.
type TrendEntry struct {
	ID    string `json:"id,omitempty"` // finding id in this report; empty for resolved findings
	Title string `json:"title"`
	audit.DiffEntry
	// Before is the finding's state in the previous report, for suppressed
	// entries: open, suppressed or absent ("" on the first report).
	Before string `json:"before,omitempty"`
}

// CoverageRow is the protection coverage of one table's personal data.
type CoverageRow struct {
	Table       string   `json:"table"`
	Columns     int      `json:"columns"`
	Personal    int      `json:"personal"`
	Protected   int      `json:"protected"`
	Review      int      `json:"review"`
	Unprotected []string `json:"unprotected"` // personal columns passed as they are
}

// Share is the protected share of personal columns (1 with none).
func (c CoverageRow) Share() float64 {
	if c.Personal == 0 {
		return 1
	}
	return float64(c.Protected) / float64(c.Personal)
}

// Suggestion is one improvement, most urgent first.
type Suggestion struct {
	Status   string   `json:"status"` // fail | warn | n/a: what it would improve
	Source   string   `json:"source"` // "check backup.snapshots", "detection brute_force", "control ISO27001:A.8.13"
	Text     string   `json:"text"`
	Controls []string `json:"controls"`
	Findings []string `json:"findings,omitempty"` // finding ids it addresses
}

// NewDocument builds the Document of in. Every problem with in is reported
// in one *InputError.
func NewDocument(in Input) (*Document, error) {
	if err := validate(in); err != nil {
		return nil, err
	}
	lang, err := newLocale(in.Lang)
	if err != nil {
		return nil, err
	}
	a := in.Audit
	loc, err := time.LoadLocation(a.TimeZone)
	if err != nil || a.TimeZone == "" {
		loc = time.UTC
	}
	d := &Document{
		Format:       Format,
		Title:        strings.TrimSpace(in.Title),
		Organization: strings.TrimSpace(in.Organization),
		GeneratedAt:  a.GeneratedAt,
		Period:       a.Period,
		TimeZone:     loc.String(),
		AuditFormat:  a.Format,
		Summary:      a.Summary,
		Suppressions: nonNil(a.Suppressions),
		Controls:     nonNil(a.Controls),
		Checks:       nonNil(a.Checks),
		Detections:   nonNil(a.Detections),
		Sources:      nonNil(a.Sources),
		References:   nonNil(a.References),
		Charts:       a.Charts,
		Inventory:    sortedByTable(in.Inventory, func(r InventoryRow) string { return r.Table }),
		Datasets:     sortedByTable(in.Datasets, func(r DatasetRow) string { return r.Table }),
		Backups:      sortedByTable(in.Backups, func(r BackupRow) string { return r.Table }),
		loc:          loc,
		lang:         lang,
		Language:     lang.lang,
		Cases:        a.Cases,
		Inputs:       allInputs(in),
		Records:      in.Records,
	}
	if d.Title == "" {
		d.Title = lang.T("title.default")
	}
	ids := map[string]string{}
	d.Findings = make([]Finding, len(a.Findings))
	for i, f := range a.Findings {
		id := fmt.Sprintf("F-%03d", i+1)
		ids[f.Fingerprint] = id
		d.Findings[i] = Finding{ID: id, Status: StatusOpen, Finding: f}
		if f.Suppressed {
			d.Findings[i].Status = StatusSuppressed
		}
	}
	d.Trend = buildTrend(a, in.Previous, ids)
	trend := map[string]string{}
	for _, e := range d.Trend.New {
		trend[e.Fingerprint] = TrendNew
	}
	for _, e := range d.Trend.StillOpen {
		trend[e.Fingerprint] = TrendStillOpen
	}
	for i := range d.Findings {
		f := &d.Findings[i]
		switch {
		case f.Suppressed:
			f.Trend = TrendSuppressed
		default:
			f.Trend = trend[f.Fingerprint]
		}
	}
	d.Coverage = coverage(d.Inventory)
	d.Suggestions = suggestions(d)
	d.FormalRecords = []Record{buildRecord(d, RecordArt30), buildRecord(d, RecordPIA)}
	if lang.lang != LangEN {
		en, err := newLocale(LangEN)
		if err != nil {
			return nil, err
		}
		de := *d
		de.lang = en
		d.gapText = map[string]string{}
		for i, kind := range []string{RecordArt30, RecordPIA} {
			if g := buildRecord(&de, kind).Gaps; len(g) == len(d.FormalRecords[i].Gaps) {
				for j := range g {
					d.gapText[g[j]] = d.FormalRecords[i].Gaps[j]
				}
			}
		}
	}
	return d, nil
}

func validate(in Input) error {
	var p []string
	if in.Audit == nil {
		p = append(p, "no audit report")
	}
	for i, r := range in.Inventory {
		if strings.TrimSpace(r.Table) == "" || strings.TrimSpace(r.Column) == "" {
			p = append(p, fmt.Sprintf("inventory row %d: table and column are required", i+1))
		}
		if r.Confidence < 0 || r.Confidence > 1 {
			p = append(p, fmt.Sprintf("inventory row %d (%s.%s): confidence %v is not within 0..1", i+1, r.Table, r.Column, r.Confidence))
		}
	}
	for i, r := range in.Datasets {
		if strings.TrimSpace(r.Table) == "" {
			p = append(p, fmt.Sprintf("dataset row %d: table is required", i+1))
		}
		if r.Risk < 0 || r.Risk > 1 {
			p = append(p, fmt.Sprintf("dataset row %d (%s): risk %v is not within 0..1", i+1, r.Table, r.Risk))
		}
	}
	for i, a := range in.Attachments {
		if filepath.Base(a.File) != a.File || a.File == "" || a.File == FileEvidence || a.File == FileJSON || a.File == FileHTML ||
			a.File == FileCSV || a.File == FileMarkdown || isRecordFile(a.File) {
			p = append(p, fmt.Sprintf("attachment %d: file name %q is not a free plain file name", i+1, a.File))
		}
	}
	for i, r := range in.Backups {
		if strings.TrimSpace(r.Table) == "" {
			p = append(p, fmt.Sprintf("backup row %d: table is required", i+1))
		}
	}
	if len(p) > 0 {
		return &InputError{Problems: p}
	}
	return nil
}

// allInputs lists the inputs with the attachments kept in the folder.
func allInputs(in Input) []InputFile {
	out := append([]InputFile{}, in.Inputs...)
	for _, a := range in.Attachments {
		sum := sha256.Sum256(a.Data)
		out = append(out, InputFile{Kind: a.Kind, Name: a.Name, Path: a.Path, Size: int64(len(a.Data)), SHA256: hex.EncodeToString(sum[:]), Copy: a.File})
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// sortedByTable copies rows, stably sorted by table (column order within a
// table is kept).
func sortedByTable[T any](rows []T, table func(T) string) []T {
	out := append([]T{}, rows...)
	sort.SliceStable(out, func(i, j int) bool { return table(out[i]) < table(out[j]) })
	return out
}

func buildTrend(cur, prev *audit.Report, ids map[string]string) Trend {
	diff := cur.Compare(prev)
	now := map[string]audit.Finding{}
	for _, f := range cur.Findings {
		now[f.Fingerprint] = f
	}
	before := map[string]audit.Finding{}
	if prev != nil {
		for _, f := range prev.Findings {
			before[f.Fingerprint] = f
		}
	}
	conv := func(es []audit.DiffEntry, titles map[string]audit.Finding) []TrendEntry {
		out := []TrendEntry{}
		for _, e := range es {
			if f, ok := now[e.Fingerprint]; ok && f.Suppressed {
				continue // open before, suppressed now: listed under suppressed
			}
			out = append(out, TrendEntry{ID: ids[e.Fingerprint], Title: titles[e.Fingerprint].Title, DiffEntry: e})
		}
		return out
	}
	t := Trend{
		New:         conv(diff.New, now),
		Resolved:    []TrendEntry{},
		NotObserved: []TrendEntry{},
		StillOpen:   conv(diff.StillOpen, now),
	}
	// Gone from the open list: with a case register an open case is carried
	// until closed, so absence means closed; without one it only means
	// "not seen in this window".
	if cur.Cases != nil {
		t.Resolved = conv(diff.Resolved, before)
	} else {
		t.NotObserved = conv(diff.Resolved, before)
	}
	t.Suppressed = []TrendEntry{}
	for _, f := range cur.Findings {
		if !f.Suppressed {
			continue
		}
		e := TrendEntry{ID: ids[f.Fingerprint], Title: f.Title, DiffEntry: audit.DiffEntry{
			Fingerprint: f.Fingerprint, Detection: f.Detection, Severity: f.Severity, User: f.User, Key: f.Key, WindowStart: f.WindowStart}}
		if prev != nil {
			e.Before = "absent"
			if pf, ok := before[f.Fingerprint]; ok {
				e.Before = StatusOpen
				if pf.Suppressed {
					e.Before = StatusSuppressed
				}
			}
		}
		t.Suppressed = append(t.Suppressed, e)
	}
	open := len(t.New) + len(t.StillOpen)
	if prev != nil {
		t.Previous = &PreviousReport{GeneratedAt: prev.GeneratedAt, Period: prev.Period, Status: prev.Summary.Status,
			OpenFindings: prev.Summary.OpenFindings, Suppressed: prev.Summary.Suppressed}
		t.OpenBefore = len(t.StillOpen) + len(t.Resolved) + len(t.NotObserved)
		for _, e := range t.Suppressed {
			if e.Before == StatusOpen {
				t.OpenBefore++
			}
		}
		t.OpenDelta = open - t.OpenBefore
		t.Unchanged = len(t.New) == 0 && len(t.Resolved) == 0 && len(t.NotObserved) == 0
	}
	return t
}

func coverage(inv []InventoryRow) []CoverageRow {
	var out []CoverageRow
	idx := map[string]int{}
	for _, r := range inv {
		i, ok := idx[r.Table]
		if !ok {
			i = len(out)
			idx[r.Table] = i
			out = append(out, CoverageRow{Table: r.Table, Unprotected: []string{}})
		}
		c := &out[i]
		c.Columns++
		if r.Review {
			c.Review++
		}
		if !r.Personal() {
			continue
		}
		c.Personal++
		if r.Protected() {
			c.Protected++
		} else {
			c.Unprotected = append(c.Unprotected, r.Column)
		}
	}
	return nonNil(out)
}

var statusRank = map[string]int{audit.StatusFail: 0, audit.StatusWarn: 1, audit.StatusNA: 2, audit.StatusPass: 3}

// suggestions collects what would improve the result: failing and warning
// checks, detections with open findings, weak controls without either, and
// controls without evidence. Identical advice is merged.
func suggestions(d *Document) []Suggestion {
	var out []Suggestion
	add := func(s Suggestion) {
		s.Text = strings.TrimSpace(s.Text)
		if s.Text == "" {
			return
		}
		for i := range out {
			if out[i].Text == s.Text {
				if statusRank[s.Status] < statusRank[out[i].Status] {
					out[i].Status = s.Status
				}
				out[i].Controls = union(out[i].Controls, s.Controls)
				out[i].Findings = union(out[i].Findings, s.Findings)
				return
			}
		}
		s.Controls = union(nil, s.Controls)
		out = append(out, s)
	}
	covered := map[string]bool{}
	for _, c := range d.Checks {
		if c.Status != audit.StatusFail && c.Status != audit.StatusWarn {
			continue
		}
		add(Suggestion{Status: c.Status, Source: "check " + c.ID, Text: c.Remediation, Controls: c.Controls})
		for _, id := range c.Controls {
			covered[id] = true
		}
	}
	type det struct {
		status, text string
		controls     []string
		findings     []string
	}
	var order []string
	dets := map[string]*det{}
	for _, f := range d.Findings {
		if f.Suppressed {
			continue
		}
		x, ok := dets[f.Detection]
		if !ok {
			x = &det{status: audit.StatusWarn, text: f.Remediation}
			dets[f.Detection] = x
			order = append(order, f.Detection)
		}
		if detections.SeverityRank(f.Severity) <= detections.SeverityRank("high") {
			x.status = audit.StatusFail
		}
		x.controls = union(x.controls, f.Controls)
		x.findings = append(x.findings, f.ID)
	}
	for _, id := range order {
		x := dets[id]
		add(Suggestion{Status: x.status, Source: "detection " + id, Text: x.text, Controls: x.controls, Findings: x.findings})
		for _, c := range x.controls {
			covered[c] = true
		}
	}
	for _, c := range d.Controls {
		switch {
		case (c.Status == audit.StatusFail || c.Status == audit.StatusWarn) && !covered[c.ID]:
			add(Suggestion{Status: c.Status, Source: "control " + c.ID, Text: c.Improvement, Controls: []string{c.ID}})
		case c.Status == audit.StatusNA:
			add(Suggestion{Status: audit.StatusNA, Source: "control " + c.ID, Text: c.Suggestion, Controls: []string{c.ID}})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return statusRank[out[i].Status] < statusRank[out[j].Status] })
	return nonNil(out)
}

func union(a, b []string) []string {
	out := append([]string{}, a...)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// Location is the time zone the report shows times in.
func (d *Document) Location() *time.Location {
	if d.loc == nil {
		return time.UTC
	}
	return d.loc
}
