package audit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sort"
	"time"

	"github.com/vigil-dg/vigil/rules/detections"
)

// Options configure one audit run.
type Options struct {
	From, To  time.Time   // report period [From, To); events outside it are baseline only
	Sources   []LogSource // access logs
	Staff     *Reference  // staff reference table (roles, status, leave dates); nil: none
	Ownership *Reference  // customer ownership reference table; nil: none
	Posture   PostureInput
	// Suppressions is the path of a suppressions file ("" for none).
	Suppressions string
	// Cases is the case register (see LoadCases); nil keeps none. Run does
	// not change it: the updated register is Report.CaseFile.
	Cases *CaseFile
	// Rules are the detections to run; nil runs the built-in rules. Load
	// custom rules with LoadRules so that they are checked.
	Rules []detections.Rule
	// Params override rule parameters: detection id, or "*" for every rule
	// that declares the parameter, to parameter name to value.
	Params map[string]map[string]any
	// TimeZone is used for charts and as the default of rules' timezone
	// parameter; default Asia/Shanghai.
	TimeZone string
	// Mask pseudonymises customer identifiers in evidence; default: a keyed
	// pseudonym with a random per-run key.
	Mask func(string) string
	// DBPath is a DuckDB file to work in ("" for memory). Its audit tables,
	// which hold copies of the log events, are replaced on every run: keep
	// it where the logs themselves may be kept.
	DBPath      string
	TempDir     string // where DuckDB spills; default a directory under os.TempDir
	MemoryLimit string // DuckDB memory_limit, e.g. "4GB"; default DuckDB's
	Threads     int    // DuckDB threads; default DuckDB's
	MaxEvidence int    // evidence rows kept per finding; default 20
	// Now is the clock for suppression expiry and evidence ages; default time.Now.
	Now    func() time.Time
	Logger *slog.Logger
	// Progress, when set, is called as the logs are read with the bytes of
	// the log files read so far and their total (once with 0 first). DuckDB
	// reads the files of one mapping and format in one statement, so done
	// advances a group of files at a time. Not called when there is no
	// log file; detections and the report follow the last call.
	Progress func(done, total int64)
}

func (o *Options) defaults() error {
	var errs []error
	if o.From.IsZero() || o.To.IsZero() || !o.From.Before(o.To) {
		errs = append(errs, fmt.Errorf("%w: period From %v must be before To %v", ErrOptions, o.From, o.To))
	}
	if o.TimeZone == "" {
		o.TimeZone = "Asia/Shanghai"
	}
	if _, err := time.LoadLocation(o.TimeZone); err != nil {
		errs = append(errs, fmt.Errorf("%w: time zone: %v", ErrOptions, err))
	}
	if o.MaxEvidence <= 0 {
		o.MaxEvidence = 20
	}
	if o.Mask == nil {
		o.Mask = randomMask()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return errors.Join(errs...)
}

// ruleValues resolves each rule's parameters: defaults, then Options.TimeZone
// for timezone parameters, then "*" overrides, then per-rule overrides.
func ruleValues(rules []detections.Rule, params map[string]map[string]any, tz string) (map[string]map[string]any, error) {
	var errs []error
	ids := make([]string, len(rules))
	for i, r := range rules {
		ids[i] = r.ID
	}
	for id := range params {
		if id != "*" && !slices.Contains(ids, id) {
			errs = append(errs, fmt.Errorf("%w: parameters for unknown detection %q", ErrOptions, id))
		}
	}
	out := map[string]map[string]any{}
	for i := range rules {
		r := &rules[i]
		over := map[string]any{}
		if _, ok := r.Parameter("timezone"); ok {
			over["timezone"] = tz
		}
		for k, v := range params["*"] {
			if _, ok := r.Parameter(k); ok {
				over[k] = v
			}
		}
		for k, v := range params[r.ID] {
			over[k] = v
		}
		vals, err := r.Values(over)
		if err != nil {
			errs = append(errs, fmt.Errorf("%w: %v", ErrOptions, err))
			continue
		}
		out[r.ID] = vals
	}
	return out, errors.Join(errs...)
}

// Run ingests the logs and reference tables, runs the detections and
// posture checks, and assembles the report.
func Run(ctx context.Context, opts Options) (*Report, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	log := opts.Logger
	from, to := opts.From.UTC(), opts.To.UTC()
	now := opts.Now().UTC()
	t0 := time.Now()

	rules := opts.Rules
	if rules == nil {
		var err error
		if rules, err = LoadRules(ctx, nil); err != nil {
			return nil, err
		}
	}
	values, err := ruleValues(rules, opts.Params, opts.TimeZone)
	if err != nil {
		return nil, err
	}
	var sups []Suppression
	if opts.Suppressions != "" {
		ids := make([]string, len(rules))
		for i, r := range rules {
			ids[i] = r.ID
		}
		if sups, err = LoadSuppressions(opts.Suppressions, ids); err != nil {
			return nil, err
		}
	}

	eng, err := openEngine(ctx, opts.DBPath, opts.MemoryLimit, opts.Threads, opts.TempDir)
	if err != nil {
		return nil, err
	}
	defer eng.Close()
	eng.log = log
	for _, m := range detections.Macros {
		if err := eng.exec(ctx, m); err != nil {
			return nil, fmt.Errorf("%w: macros: %v", ErrEngine, err)
		}
	}

	eng.progress = opts.Progress
	stats, err := eng.ingest(ctx, opts.Sources, from, to)
	if err != nil {
		return nil, err
	}
	for _, s := range stats {
		log.Info("audit: source ingested", "source", s.Name, "files", len(s.Files), "read", s.Read, "mapped", s.Mapped, "unmapped", s.Unmapped)
	}
	refs, err := eng.loadReferences(ctx, opts.Staff, opts.Ownership)
	if err != nil {
		return nil, err
	}
	if err := eng.lockDown(ctx); err != nil {
		return nil, err
	}
	eng.phase("references")
	log.Info("audit: loaded", "elapsed", time.Since(t0).Round(time.Millisecond))

	provided := map[string]bool{}
	for _, r := range refs {
		provided[r.Name] = r.Provided && r.Rows > 0
	}
	if err := eng.summarizeHours(ctx, from, to); err != nil {
		return nil, err
	}
	perAction, err := eng.actionCounts(ctx)
	if err != nil {
		return nil, err
	}
	eng.phase("hourly summary")

	var runs []DetectionRun
	var findings []Finding
	var evidenceIDs [][]int64
	seen := map[string]bool{}
	for i := range rules {
		r := &rules[i]
		run := DetectionRun{ID: r.ID, Title: r.Title, Severity: r.Severity, Controls: r.Controls,
			Description: r.Description, Params: jsonParams(values[r.ID]), Status: RunRan}
		for _, a := range r.Actions {
			run.Considered += perAction[a]
		}
		if len(r.Actions) == 0 {
			for _, n := range perAction {
				run.Considered += n
			}
		}
		var missing []string
		for _, t := range r.Requires {
			if !provided[t] {
				missing = append(missing, t)
			}
		}
		if len(missing) > 0 {
			m := msg("det.noref", aText(fmt.Sprint(missing)))
			run.Status, run.Reason, run.ReasonMsg = RunSkipped, m.String(), &m
			runs = append(runs, run)
			continue
		}
		start := time.Now()
		raws, err := eng.runRule(ctx, r, values[r.ID], from, to, opts.MaxEvidence)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			err = redact(err)
			run.Status, run.Reason = RunFailed, err.Error()
			log.Error("audit: detection failed", "detection", r.ID, "err", err)
			runs = append(runs, run)
			continue
		}
		for _, raw := range raws {
			f := newFinding(r, raw)
			if seen[f.Fingerprint] {
				continue // the same finding twice: keep the first
			}
			seen[f.Fingerprint] = true
			findings = append(findings, f)
			evidenceIDs = append(evidenceIDs, raw.evidence)
			run.Findings++
		}
		log.Info("audit: detection ran", "detection", r.ID, "findings", run.Findings, "elapsed", time.Since(start).Round(time.Millisecond))
		runs = append(runs, run)
	}
	eng.phase("detections")
	if err := eng.loadEvidence(ctx, findings, evidenceIDs, opts.Mask); err != nil {
		return nil, err
	}
	eng.phase("evidence")
	var caseFile *CaseFile
	var caseStats *CaseStats
	if opts.Cases != nil {
		ran := func(id string) bool {
			for _, r := range runs {
				if r.ID == id {
					return r.Status == RunRan && r.Considered > 0
				}
			}
			return false
		}
		covered := func(start, end time.Time) bool {
			if start.Before(from) || end.After(to) {
				return false
			}
			ok, err := eng.hasEvents(ctx, start, end)
			return err == nil && ok
		}
		var st CaseStats
		findings, caseFile, st = caseReconcile(opts.Cases, findings, ran, covered, Period{From: from, To: to}, now)
		caseStats = &st
	}
	order := make([]int, len(findings))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		fa, fb := &findings[order[a]], &findings[order[b]]
		if ra, rb := detections.SeverityRank(fa.Severity), detections.SeverityRank(fb.Severity); ra != rb {
			return ra < rb
		}
		if !fa.WindowStart.Equal(fb.WindowStart) {
			return fa.WindowStart.Before(fb.WindowStart)
		}
		return fa.Fingerprint < fb.Fingerprint
	})
	sorted := make([]Finding, len(findings))
	for i, j := range order {
		sorted[i] = findings[j]
	}
	findings = sorted
	supStates := applySuppressions(findings, sups, now)
	for i := range runs {
		for _, f := range findings {
			if f.Detection == runs[i].ID && f.Suppressed && !f.NotObserved() {
				runs[i].Suppressed++
			}
		}
	}

	checks := opts.Posture.evidenceChecks(now)
	logChecks, err := eng.logChecks(ctx, from, to, stats, opts.Posture.Limits, opts.TimeZone)
	if err != nil {
		return nil, err
	}
	leavers, err := eng.leaverCheck(ctx, to, provided["staff"])
	if err != nil {
		return nil, err
	}
	checks = append(checks, logChecks...)
	checks = append(checks, leavers, incidentCheck(findings, now, opts.Posture.Limits), detectionsCheck(runs))
	checks = append(checks, recordChecks(opts.Posture.Records)...)
	for i := range checks {
		if checks[i].Evidence == nil {
			checks[i].Evidence = []string{}
		}
	}

	eng.phase("checks")
	charts, err := eng.charts(ctx, from, to, opts.TimeZone, findings)
	if err != nil {
		return nil, err
	}
	eng.phase("charts")
	rep := &Report{
		Format:       ReportFormat,
		GeneratedAt:  now,
		Period:       Period{From: from, To: to},
		TimeZone:     opts.TimeZone,
		Sources:      stats,
		References:   refs,
		Detections:   runs,
		Findings:     findings,
		Suppressions: supStates,
		Checks:       checks,
		Controls:     controlMatrix(rules, runs, findings, checks),
		Charts:       charts,
		Cases:        caseStats,
		CaseFile:     caseFile,
	}
	if rep.Findings == nil {
		rep.Findings = []Finding{}
	}
	if rep.Suppressions == nil {
		rep.Suppressions = []SuppressionState{}
	}
	rep.Summary = summarize(rep)
	log.Info("audit: done", "findings", rep.Summary.OpenFindings, "status", rep.Summary.Status, "elapsed", time.Since(t0).Round(time.Millisecond))
	return rep, nil
}

// hasEvents reports whether mapped events exist in the hours of [start, end].
func (e *engine) hasEvents(ctx context.Context, start, end time.Time) (bool, error) {
	var n int64
	err := e.conn.QueryRowContext(ctx, `SELECT count(*) FROM hourly WHERE h >= $1 AND h <= $2`,
		start.UTC().Truncate(time.Hour), end.UTC()).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("%w: coverage: %v", ErrEngine, err)
	}
	return n > 0, nil
}

func (e *engine) actionCounts(ctx context.Context) (map[string]int64, error) {
	rows, err := e.conn.QueryContext(ctx, `SELECT action, CAST(sum(n) AS BIGINT) FROM hourly GROUP BY action`)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrEngine, err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var a string
		var n int64
		if err := rows.Scan(&a, &n); err != nil {
			return nil, err
		}
		out[a] = n
	}
	return out, rows.Err()
}

// jsonParams renders parameter values for the report (durations as text).
func jsonParams(v map[string]any) map[string]any {
	out := make(map[string]any, len(v))
	for k, x := range v {
		if d, ok := x.(time.Duration); ok {
			out[k] = d.String()
			continue
		}
		out[k] = x
	}
	return out
}

func summarize(r *Report) Summary {
	s := Summary{Status: StatusNA, OpenBySeverity: map[string]int{}, ChecksByStatus: map[string]int{}, ControlsByState: map[string]int{}}
	for _, src := range r.Sources {
		s.EventsInPeriod += src.InPeriod
		s.EventsRead += src.Read
		s.EventsUnmapped += src.Unmapped
	}
	for _, f := range r.Findings {
		if f.Suppressed {
			s.Suppressed++
			continue
		}
		s.OpenFindings++
		s.OpenBySeverity[f.Severity]++
		if f.NotObserved() {
			s.NotObserved++
		}
	}
	for _, c := range r.Checks {
		s.ChecksByStatus[c.Status]++
	}
	for _, c := range r.Controls {
		s.ControlsByState[c.Status]++
		s.Status = worst(s.Status, c.Status)
	}
	return s
}
