package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-dg/vigil/demo/accesslogs"
	"github.com/vigil-dg/vigil/keys"
	"github.com/vigil-dg/vigil/pipeline"
	"github.com/vigil-dg/vigil/reports"
	"github.com/vigil-dg/vigil/stages/anonymize"
	"github.com/vigil-dg/vigil/stages/audit"
	"github.com/vigil-dg/vigil/stages/snapshot"
)

// auditStage runs the compliance audit over the configured access logs and
// Vigil's own evidence, and writes the report folder.
type auditStage struct {
	g        *globals
	from, to time.Time // zero: the 30 days before the run
	failOn   string    // severity at or above which open findings fail the stage
	lang     string    // report language; "" takes report.language
	pdf      bool      // also print report.pdf with headless Chromium
}

func (auditStage) Name() string { return "audit" }

func (s auditStage) Run(ctx context.Context, env *pipeline.Env) (pipeline.Result, error) {
	var res pipeline.Result
	cfg := env.Config
	kr, err := openKeys(ctx, cfg)
	if err != nil {
		return res, err
	}
	from, to := s.from, s.to
	if from.IsZero() || to.IsZero() {
		day := time.Date(env.Started.In(cfg.Location).Year(), env.Started.In(cfg.Location).Month(), env.Started.In(cfg.Location).Day(), 0, 0, 0, 0, cfg.Location)
		from, to = day.AddDate(0, 0, -30), day
	}
	opts := audit.Options{
		From: from, To: to,
		Suppressions: cfg.Audit.Suppressions,
		TimeZone:     ianaZone(cfg.Location),
		Mask:         customerMask(kr),
		Logger:       env.Logger,
		Now:          env.Now,
		TempDir:      filepath.Join(env.Paths.Home, "tmp"),
	}
	if err := os.MkdirAll(opts.TempDir, 0o700); err != nil {
		return res, err
	}
	for _, l := range cfg.Audit.Logs {
		src := audit.LogSource{Name: l.Name, Paths: []string{l.Path}, Mapping: l.Mapping}
		if m, ok := cfg.Audit.Mappings[l.Mapping]; ok {
			tf := m.TimeFormat
			if tf == "iso8601" || tf == "rfc3339" {
				tf = ""
			}
			src.Custom = &audit.Mapping{Name: l.Mapping, Format: l.Format, Fields: m.Fields, Values: m.Values, TimeFormat: tf,
				TimeZone: m.TimeZone, Delimiter: m.Delimiter, Columns: m.Columns}
		}
		opts.Sources = append(opts.Sources, src)
	}
	// Vigil's own query log: analysts are audited too.
	if ql := filepath.Join(env.Paths.Home, "logs", "query.jsonl"); fileExists(ql) {
		opts.Sources = append(opts.Sources, audit.LogSource{Name: "vigil query", Paths: []string{ql}, Mapping: "vigil"})
	}
	// CRM reference tables from the latest snapshots.
	var release []func()
	defer func() {
		for _, r := range release {
			r()
		}
	}()
	ref := func(table string, cols map[string]string) (*audit.Reference, error) {
		if _, err := snapshot.Latest(env.Paths.Store, table); err != nil {
			return nil, nil
		}
		sn, err := snapshot.Open(ctx, env.Paths.Store, table+"/latest", kr, kr)
		if err != nil {
			return nil, err
		}
		rr, err := sn.Records(ctx, nil)
		if err != nil {
			return nil, err
		}
		release = append(release, rr.Release)
		return &audit.Reference{Reader: rr, Columns: cols}, nil
	}
	if opts.Staff, err = ref("staff", map[string]string{"user": "email"}); err != nil {
		return res, err
	}
	if opts.Ownership, err = ref("ownership", nil); err != nil {
		return res, err
	}
	// Without staff/ownership tables, a CRM preset's export supplies them:
	// its users object and the owner column of its customer objects.
	if opts.Staff == nil || opts.Ownership == nil {
		refs, err := presetReferences(cfg, func(table string) (*audit.Reference, error) { return ref(table, nil) })
		if err != nil {
			return res, err
		}
		if opts.Staff == nil {
			opts.Staff = refs.staff
		}
		if opts.Ownership == nil {
			opts.Ownership = refs.ownership
		}
		for _, w := range refs.notes {
			env.Logger.Warn(w)
		}
	}
	in, err := gatherEvidence(cfg, kr)
	if err != nil {
		return res, err
	}
	opts.Posture = in.posture
	rc := recordConfig(cfg)
	opts.Posture.Records = recordEvidence(rc, in)
	if opts.Cases, err = audit.LoadCases(cfg.Report.Cases); err != nil {
		return res, err
	}
	lang := cfg.Report.Language
	if s.lang != "" {
		lang = s.lang
	}
	rin := reports.Input{Inventory: in.inventory, Datasets: in.datasets, Backups: in.backups,
		Organization: cfg.Report.Organization, Lang: lang, Records: rc}
	if s.pdf {
		bin, err := chromiumBinary()
		if err != nil {
			return res, err
		}
		rin.PDF = chromiumPDF(bin, opts.TempDir)
	}
	// Hash the inputs before the audit reads them.
	if rin.Inputs, rin.Attachments, err = auditInputs(cfg, opts, from, to); err != nil {
		return res, err
	}
	opts.Progress = auditProgress(s.g.bar)
	rep, err := audit.Run(ctx, opts)
	if err != nil {
		return res, err
	}
	if rin.Signer, err = reportSigner(ctx, kr, env.Now()); err != nil {
		return res, err
	}
	dir := filepath.Join(auditOut(cfg), env.RunID+"_"+from.Format("2006-01-02")+"_"+to.Format("2006-01-02"))
	rin.Audit, rin.Previous = rep, previousReport(auditOut(cfg))
	w, err := reports.Write(ctx, dir, rin)
	if err != nil {
		return res, err
	}
	if err := saveCases(cfg, rep, rep.GeneratedAt); err != nil {
		return res, err
	}
	if removed, err := pruneReports(auditOut(cfg), cfg.Report.KeepYears, env.Now()); err != nil {
		env.Logger.Warn("audit: pruning old reports", "err", err)
	} else if len(removed) > 0 {
		env.Logger.Info("audit: removed reports past their retention", "count", len(removed), "keep_years", cfg.Report.KeepYears)
	}
	for sev, n := range rep.Summary.OpenBySeverity {
		res.Add(pipeline.CountFindingsPrefix+sev, int64(n))
	}
	res.Add("events_read", rep.Summary.EventsRead)
	res.Add("events_unmapped", rep.Summary.EventsUnmapped)
	res.Add("findings_suppressed", int64(rep.Summary.Suppressed))
	res.SetDetail("report_html", w.HTML)
	res.SetDetail("report_dir", w.Dir)
	res.SetDetail("audit_status", rep.Summary.Status)
	env.Logger.Info("audit report written", "dir", w.Dir, "open_findings", rep.Summary.OpenFindings, "status", rep.Summary.Status)
	if s.g != nil && s.g.auditOut != nil {
		*s.g.auditOut = auditOutcome{Report: rep, Written: w}
	}
	failOn := s.failOn
	if failOn == "" {
		failOn = env.Config.Audit.FailOn // audit.fail_on: a scheduled audit fails, and notifies
	}
	if failOn != "" {
		if n := findingsAtOrAbove(rep, failOn); n > 0 {
			return res, fmt.Errorf("%w: %d open findings at or above %s (report: %s)", errFindings, n, failOn, w.HTML)
		}
	}
	return res, nil
}

// auditOutcome is what the audit command prints.
type auditOutcome struct {
	Report  *audit.Report    `json:"report"`
	Written *reports.Written `json:"written"`
}

var severityRank = map[string]int{"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}

func findingsAtOrAbove(rep *audit.Report, sev string) int {
	n := 0
	for s, c := range rep.Summary.OpenBySeverity {
		if severityRank[s] >= severityRank[sev] {
			n += c
		}
	}
	return n
}

func auditOut(cfg *pipeline.Config) string {
	if cfg.Audit.Out != "" {
		return cfg.Audit.Out
	}
	return cfg.Paths().Reports
}

// previousReport reads the newest report folder's report.json, if any.
func previousReport(root string) *audit.Report {
	dirs, _ := filepath.Glob(filepath.Join(root, "*", "report.json"))
	sort.Strings(dirs)
	if len(dirs) == 0 {
		return nil
	}
	prev, err := reports.ReadPrevious(dirs[len(dirs)-1])
	if err != nil {
		return nil
	}
	return prev
}

// customerMask pseudonymizes customer identifiers in evidence with the
// keyset's pseudonym key, so the same customer has the same mask across
// reports and the mask cannot be reversed without the key.
func customerMask(kr *keys.Keyring) func(string) string {
	return func(id string) string {
		if id == "" {
			return ""
		}
		t, err := kr.Token("audit-evidence", []byte(id))
		if err != nil {
			return "cust_?"
		}
		return "cust_" + hex.EncodeToString(t[:6])
	}
}

// ianaZone names loc for DuckDB, which knows IANA names but not "Local":
// the local zone is resolved from TZ, /etc/timezone or /etc/localtime, else UTC.
func ianaZone(loc *time.Location) string {
	if name := loc.String(); name != "Local" {
		return name
	}
	if tz := strings.TrimPrefix(os.Getenv("TZ"), ":"); tz != "" {
		if _, err := time.LoadLocation(tz); err == nil {
			return tz
		}
	}
	if b, err := os.ReadFile("/etc/timezone"); err == nil {
		if tz := strings.TrimSpace(string(b)); tz != "" {
			if _, err := time.LoadLocation(tz); err == nil {
				return tz
			}
		}
	}
	if target, err := os.Readlink("/etc/localtime"); err == nil {
		if _, tz, ok := strings.Cut(target, "zoneinfo/"); ok {
			if _, err := time.LoadLocation(tz); err == nil {
				return tz
			}
		}
	}
	return "UTC"
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// evidence is Vigil's own evidence for the posture checks and the report.
type evidence struct {
	posture   audit.PostureInput
	inventory []reports.InventoryRow
	datasets  []reports.DatasetRow
	backups   []reports.BackupRow
}

func gatherEvidence(cfg *pipeline.Config, kr *keys.Keyring) (*evidence, error) {
	ev := &evidence{}
	p := &ev.posture
	p.Tables = tableNames(cfg)
	ms, _ := snapshot.List(cfg.Paths().Store)
	var vr verifyRecord
	_ = readJSON(verifyRecordPath(cfg.Home), &vr)
	verified := map[string]bool{}
	for _, m := range latestPerTable(ms) {
		p.Snapshots = append(p.Snapshots, audit.SnapshotEvidence{Table: m.Table, SnapshotID: m.ID, LastSuccess: m.Created})
		b := reports.BackupRow{Table: m.Table, SnapshotID: m.ID, Created: m.Created, Rows: m.Rows}
		for _, r := range vr.Results {
			if r.Table == m.Table {
				b.VerifiedAt, b.VerifyOK = r.Started, r.OK
				if !r.OK && len(r.Problems) > 0 {
					b.Detail = string(r.Problems[0].Kind)
				}
			}
		}
		ev.backups = append(ev.backups, b)
	}
	for _, e := range lastExtractions(cfg, latestPerTable(ms)) {
		p.Rejects = append(p.Rejects, audit.RejectsEvidence{Table: e.Table, ID: e.ID, Failed: e.Status == "failed", RowsRead: e.RowsRead, RowsRejected: e.RowsRejected})
	}
	for _, r := range vr.Results {
		if verified[r.Table] {
			continue
		}
		verified[r.Table] = true
		re := audit.RestoreEvidence{Table: r.Table, SnapshotID: r.ID, LastVerified: r.Started, OK: r.OK}
		if !r.OK && len(r.Problems) > 0 {
			re.Detail = string(r.Problems[0].Kind)
		}
		p.Restores = append(p.Restores, re)
	}
	for _, t := range tableNames(cfg) {
		cls, err := latestClassification(cfg, t)
		if err != nil {
			continue
		}
		applied := map[string]string{}
		rep, derr := anonymize.ReadDatasetReport(filepath.Join(cfg.Paths().Datasets, t))
		if derr == nil {
			for _, c := range rep.Columns {
				applied[c.Name] = describeProtection(c)
				if c.Status == anonymize.StatusWithheld {
					applied[c.Name] = c.Status
				}
			}
		}
		p.Disclosure = append(p.Disclosure, disclosureEvidence(t, rep, derr))
		personal, protected := 0, 0
		for _, c := range cls.Columns {
			prot := applied[c.Name]
			if prot == "" {
				prot = c.Protection
			}
			class := c.Class
			if class == "none" {
				class = ""
			} else {
				personal++
				if prot != "" && prot != "keep" && prot != "pass" {
					protected++
				}
			}
			ev.inventory = append(ev.inventory, reports.InventoryRow{Table: t, Column: c.Name, Class: class, Category: c.Category,
				Confidence: c.Confidence, Protection: prot, Review: c.Review})
		}
		p.Classification = append(p.Classification, audit.ClassificationEvidence{Table: t, ClassifiedAt: cls.Created, PersonalColumns: personal})
		if derr == nil {
			p.Protection = append(p.Protection, audit.ProtectionEvidence{Dataset: t, PersonalColumns: personal, ProtectedColumns: protected})
			d := reports.DatasetRow{Table: t, Created: rep.Created, Rows: rep.RowsWritten, SuppressedRows: rep.RowsSuppressed}
			if rep.Privacy != nil {
				d.K, d.TargetK, d.L, d.Risk = rep.Privacy.KReached, int64(rep.Privacy.Model.K), rep.Privacy.LReached, rep.Privacy.Risk.Highest
				p.Privacy = append(p.Privacy, audit.PrivacyEvidence{Dataset: t, K: int(rep.Privacy.KReached), TargetK: rep.Privacy.Model.K})
			}
			d.ClassSizes, d.SuppressedBy = utilityRows(rep)
			ev.datasets = append(ev.datasets, d)
		}
	}
	for _, k := range kr.Info() {
		p.Keys = append(p.Keys, audit.KeyEvidence{ID: k.ID, Purpose: string(k.Purpose), Created: k.Created, Primary: k.Primary})
	}
	var esc struct {
		LastExport time.Time `json:"last_export"`
	}
	if readJSON(escrowRecordPath(cfg), &esc) == nil && !esc.LastExport.IsZero() {
		p.Escrow = audit.EscrowEvidence{Recorded: true, LastExport: esc.LastExport}
	}
	if recs, err := snapshot.ReadErasures(cfg.Paths().Store, kr); err == nil {
		for _, r := range erasureHolders(cfg.Paths().Store, recs) {
			p.ErasureBackups = append(p.ErasureBackups, audit.ErasureBackupEvidence{Subject: r.Subject[:min(16, len(r.Subject))],
				Table: r.Table, Column: r.Column, Time: r.Time, Reason: r.Reason, StillIn: r.StillIn})
		}
	} else {
		return nil, fmt.Errorf("erasure ledger: %w", err)
	}
	recs, _ := pipeline.ReadLedger(cfg.Home)
	for _, r := range recs {
		if r.Kind != "stage" {
			continue
		}
		status := string(r.Status)
		if status == "ok" {
			status = "success"
		}
		p.Runs = append(p.Runs, audit.RunRecord{RunID: r.RunID, Stage: r.Stage, Status: status, Started: r.Start, Finished: r.End, Error: r.Error})
	}
	return ev, nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func auditCmd(g *globals) *cobra.Command {
	var from, to, failOn, lang string
	var pdf bool
	c := &cobra.Command{
		Use:   "audit [--from DATE --to DATE] [--fail-on SEVERITY] [--lang en|zh-CN] [--pdf]",
		Short: "Audit access logs and Vigil's evidence; write report.html, report.json, findings.csv, report.md",
		Long: `Load the configured access logs into DuckDB (no network, no extensions),
map them onto the canonical event schema, run the detections, check Vigil's
own evidence (snapshots, restore drills, protection coverage, k reached, key
ages, log coverage), build the control matrix (ISO/IEC 27001:2022 Annex A,
GDPR, PIPL, CCPA) and write a report folder with the trend against the
previous report. The period is [--from, --to) in the config's time zone
(default: the 30 days before today). Exit 7 with --fail-on when open
findings at or above that severity remain.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.loadConfig()
			if err != nil {
				return err
			}
			st := auditStage{g: g, failOn: failOn, lang: lang, pdf: pdf}
			if lang != "" && lang != pipeline.LangEN && lang != pipeline.LangZH {
				return usageError{fmt.Errorf("--lang %q: want en or zh-CN", lang)}
			}
			if from != "" || to != "" {
				if st.from, err = parseDay(from, cfg.Location); err != nil {
					return usageError{fmt.Errorf("--from: %w", err)}
				}
				if st.to, err = parseDay(to, cfg.Location); err != nil {
					return usageError{fmt.Errorf("--to: %w", err)}
				}
				if !st.from.Before(st.to) {
					return usageError{errors.New("--from must be before --to")}
				}
			}
			if failOn != "" {
				if _, ok := severityRank[failOn]; !ok {
					return usageError{fmt.Errorf("--fail-on %q: want info, low, medium, high or critical", failOn)}
				}
			}
			job := "audit"
			if cfg.Jobs[job] == nil {
				cfg.Jobs[job] = &pipeline.Job{Name: job, Stages: []string{"audit"}}
			}
			var out auditOutcome
			g.auditOut = &out
			r := &pipeline.Runner{Config: cfg, Logger: g.log}
			_, runErr := r.RunFire(cmd.Context(), pipeline.Fire{Job: job, Trigger: pipeline.TriggerManual}, []pipeline.Stage{st})
			if out.Report != nil {
				if g.jsonOut {
					if err := g.printJSON(out.Written); err != nil {
						return err
					}
				} else {
					printAudit(g, out, cfg.Location)
				}
			}
			return runErr
		},
	}
	c.Flags().StringVar(&from, "from", "", "start of the period (YYYY-MM-DD or RFC 3339)")
	c.Flags().StringVar(&to, "to", "", "end of the period, exclusive")
	c.Flags().StringVar(&failOn, "fail-on", "", "exit 7 if open findings at or above this severity remain")
	c.Flags().StringVar(&lang, "lang", "", "report language: en or zh-CN (default report.language)")
	c.Flags().BoolVar(&pdf, "pdf", false, "also print report.pdf with headless Chromium (needs chromium)")
	return c
}

func parseDay(s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New("both --from and --to are needed")
	}
	if t, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}

func printAudit(g *globals, out auditOutcome, loc *time.Location) {
	rep := out.Report
	s := rep.Summary
	fmt.Fprintf(g.stdout, "audit %s – %s: %s; %d events (%d unmapped); %d open findings, %d suppressed\n",
		rep.Period.From.In(loc).Format("2006-01-02"), rep.Period.To.In(loc).Format("2006-01-02"), s.Status, s.EventsInPeriod, s.EventsUnmapped, s.OpenFindings, s.Suppressed)
	var sev []string
	for _, k := range []string{"critical", "high", "medium", "low", "info"} {
		if n := s.OpenBySeverity[k]; n > 0 {
			sev = append(sev, fmt.Sprintf("%s %d", k, n))
		}
	}
	if len(sev) > 0 {
		fmt.Fprintf(g.stdout, "  open by severity: %s\n", strings.Join(sev, ", "))
	}
	if s.NotObserved > 0 {
		fmt.Fprintf(g.stdout, "  %d open case(s) not observed in this period (still open until closed or re-checked)\n", s.NotObserved)
	}
	fmt.Fprintf(g.stdout, "  report: %s\n", out.Written.HTML)
	if out.Written.PDF != "" {
		fmt.Fprintf(g.stdout, "  pdf: %s\n", out.Written.PDF)
	}
	if out.Written.Signed {
		fmt.Fprintf(g.stdout, "  signed: %s (check with: vigil report verify %s)\n", out.Written.Evidence, out.Written.Dir)
	}
}

// generateDemoLogs writes a month of demo access logs for the demo staff.
func generateDemoLogs(cmd *cobra.Command, g *globals, seed uint64, dataDir string) (*accesslogs.GroundTruth, error) {
	res, err := accesslogs.Generate(cmd.Context(), accesslogs.Options{
		Seed:         int64(seed),
		StaffCSV:     filepath.Join(dataDir, "staff.csv"),
		OwnershipCSV: filepath.Join(dataDir, "ownership.csv"),
		Out:          filepath.Join(dataDir, "logs"),
		Logger:       g.log,
	})
	if err != nil {
		return nil, err
	}
	_ = res
	return accesslogs.ReadGroundTruth(filepath.Join(dataDir, "logs", accesslogs.GroundTruthFile))
}

// auditProgress draws the audit's reading of the logs as a bar over their
// bytes (advancing a file group at a time), then a spinner for the
// detections and the report.
func auditProgress(bar *progress) func(done, total int64) {
	return func(done, total int64) {
		switch {
		case done == 0:
			bar.Start("audit: reading logs", total, unitBytes)
		case done < total:
			bar.Set(done)
		default:
			bar.Start("audit", 0, "")
		}
	}
}
