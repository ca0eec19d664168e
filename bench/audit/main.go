// Command audit benchmarks the audit stage: it generates demo access logs
// (10 million events by default), runs the detection SQL directly in DuckDB
// as a baseline, runs the full audit (ingestion with unmapped accounting,
// detections, evidence, suppressions, posture checks, controls, charts) on
// the same files, and prints the audit time as a ratio of the baseline and
// the peak memory of each phase.
//
//	go run ./bench/audit -events 10000000
package main

import (
	"bufio"
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/vigil-dg/vigil/demo/accesslogs"
	"github.com/vigil-dg/vigil/rules/detections"
	"github.com/vigil-dg/vigil/stages/audit"
)

func main() {
	events := flag.Int("events", 10_000_000, "events to generate")
	days := flag.Int("days", 30, "days of logs")
	staffN := flag.Int("staff", 2000, "staff members")
	customers := flag.Int("customers", 200_000, "customers")
	dir := flag.String("dir", "", "work directory (default: a temporary directory, removed afterwards)")
	reuse := flag.Bool("reuse", false, "reuse logs already generated in -dir")
	verbose := flag.Bool("v", false, "log progress")
	rounds := flag.Int("rounds", 3, "rounds of direct and audit runs (the order alternates); the best time of each counts")
	public := flag.String("public", "../shared/data/logs", "directory of the public labelled logs (shared/data/logs); empty: skip")
	panther := flag.String("panther", "", "directory of the staged panther-analysis rule tests (bench/audit/corpus/stage_public.py; default: -public/panther-tests)")
	flag.Parse()
	if *public != "" {
		if err := publicEval(context.Background(), *public); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		if *panther == "" {
			*panther = filepath.Join(*public, "panther-tests")
		}
	}
	if *panther != "" {
		if err := pantherEval(context.Background(), *panther); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
	}
	if *public != "" || *panther != "" {
		if *events == 0 {
			return
		}
	}
	if err := run(*events, *days, *staffN, *customers, *dir, *reuse, *verbose, max(1, *rounds)); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(events, days, staffN, customers int, dir string, reuse, verbose bool, rounds int) error {
	ctx := context.Background()
	if dir == "" {
		d, err := os.MkdirTemp("", "vigil-bench-audit-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if verbose {
		logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	staffCSV, ownCSV := filepath.Join(dir, "staff.csv"), filepath.Join(dir, "ownership.csv")
	logs := filepath.Join(dir, "logs")
	gtPath := filepath.Join(logs, accesslogs.GroundTruthFile)
	fmt.Printf("machine: %d CPUs, %s/%s, %s\n", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	if !reuse {
		if err := writeFixtures(staffCSV, ownCSV, staffN, customers); err != nil {
			return err
		}
		resetPeak()
		t := time.Now()
		res, err := accesslogs.Generate(ctx, accesslogs.Options{Seed: 42, Days: days, StaffCSV: staffCSV, OwnershipCSV: ownCSV,
			Out: logs, EventsPerDay: events / days, Logger: logger})
		if err != nil {
			return err
		}
		fmt.Printf("generate: %d events in %d files, %s, peak RSS %s\n", res.Events, len(res.Files), time.Since(t).Round(time.Millisecond), peak())
	}
	gt, err := accesslogs.ReadGroundTruth(gtPath)
	if err != nil {
		return err
	}
	var size int64
	for _, f := range gt.Files {
		if st, err := os.Stat(filepath.Join(logs, f)); err == nil {
			size += st.Size()
		}
	}
	fmt.Printf("input: %d events, %.1f GB of JSON lines\n", gt.Events, float64(size)/1e9)
	glob := filepath.Join(logs, "salesforce-*.jsonl")
	rules, err := audit.LoadRules(ctx, nil)
	if err != nil {
		return err
	}

	// Read the files once so that both contenders find them in the page cache.
	for _, f := range gt.Files {
		if fh, err := os.Open(filepath.Join(logs, f)); err == nil {
			_, _ = io.Copy(io.Discard, fh)
			fh.Close()
		}
	}
	var bestDirect, bestAudit, cpuDirect, cpuAudit time.Duration
	var peakDirect, peakAudit string
	var bestPhases map[string]time.Duration
	var ratios []float64
	for round := 1; round <= rounds; round++ {
		// Alternate who goes first, so that neither profits from the other.
		var d, a, dc, ac time.Duration
		var phases map[string]time.Duration
		runDirect := func() error {
			resetPeak()
			c := cpuTime()
			t := time.Now()
			direct, err := baseline(ctx, glob, staffCSV, ownCSV, rules, gt.Start, gt.End)
			if err != nil {
				return err
			}
			d = time.Since(t)
			dc = cpuTime() - c
			peakDirect = peak()
			fmt.Printf("round %d: direct DuckDB (load + %d detection queries): %s wall, %s CPU (load %s), %d finding rows, peak RSS %s\n",
				round, len(rules), d.Round(time.Millisecond), dc.Round(time.Millisecond), direct.load.Round(time.Millisecond), direct.rows, peakDirect)
			return nil
		}
		runAudit := func() error {
			resetPeak()
			rec := &phaseRecorder{next: logger.Handler(), phases: map[string]time.Duration{}}
			c := cpuTime()
			t := time.Now()
			rep, err := audit.Run(ctx, audit.Options{
				From: gt.Start, To: gt.End, TimeZone: gt.TimeZone, Rules: rules,
				Sources:   []audit.LogSource{{Name: "salesforce", Paths: []string{glob}, Mapping: audit.MappingSalesforce}},
				Staff:     &audit.Reference{Path: staffCSV},
				Ownership: &audit.Reference{Path: ownCSV},
				Logger:    slog.New(rec),
			})
			if err != nil {
				return err
			}
			a = time.Since(t)
			ac = cpuTime() - c
			phases = rec.phases
			peakAudit = peak()
			fmt.Printf("round %d: audit.Run: %s wall, %s CPU, %d findings, %d events in period, %d unmapped, peak RSS %s\n",
				round, a.Round(time.Millisecond), ac.Round(time.Millisecond), len(rep.Findings), rep.Summary.EventsInPeriod, rep.Summary.EventsUnmapped, peakAudit)
			return nil
		}
		first, second := runDirect, runAudit
		if round%2 == 0 {
			first, second = runAudit, runDirect
		}
		if err := first(); err != nil {
			return err
		}
		if err := second(); err != nil {
			return err
		}
		ratios = append(ratios, a.Seconds()/d.Seconds())
		if bestDirect == 0 || d < bestDirect {
			bestDirect = d
		}
		if bestAudit == 0 || a < bestAudit {
			bestAudit, bestPhases = a, phases
		}
		if cpuDirect == 0 || dc < cpuDirect {
			cpuDirect = dc
		}
		if cpuAudit == 0 || ac < cpuAudit {
			cpuAudit = ac
		}
	}
	sort.Float64s(ratios)
	fmt.Printf("CPU time (less sensitive to other load on the machine): direct %s, audit %s; ratio %.2fx\n",
		cpuDirect.Round(time.Millisecond), cpuAudit.Round(time.Millisecond), cpuAudit.Seconds()/cpuDirect.Seconds())
	fmt.Printf("best: direct %s, audit %s; ratio audit/direct: %.2fx (target <= 1.20x), median of per-round ratios %.2fx; peak RSS direct %s, audit %s\n",
		bestDirect.Round(time.Millisecond), bestAudit.Round(time.Millisecond), bestAudit.Seconds()/bestDirect.Seconds(),
		ratios[len(ratios)/2], peakDirect, peakAudit)
	var names []string
	var extra time.Duration
	for n, v := range bestPhases {
		names = append(names, fmt.Sprintf("%s %s", n, v.Round(time.Millisecond)))
		if n != "ingest" && n != "detections" && n != "references" {
			extra += v
		}
	}
	sort.Strings(names)
	fmt.Printf("audit phases (best round): %s; work beyond loading and the detection SQL: %s\n", strings.Join(names, ", "), extra.Round(time.Millisecond))
	return nil
}

// phaseRecorder collects the durations the audit logs per phase.
type phaseRecorder struct {
	next   slog.Handler
	phases map[string]time.Duration
}

func (p *phaseRecorder) Enabled(ctx context.Context, l slog.Level) bool {
	return l == slog.LevelDebug || p.next.Enabled(ctx, l)
}

func (p *phaseRecorder) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "audit: phase" {
		var name string
		var d time.Duration
		r.Attrs(func(a slog.Attr) bool {
			switch a.Key {
			case "phase":
				name = a.Value.String()
			case "elapsed":
				d = a.Value.Duration()
			}
			return true
		})
		p.phases[name] += d
	}
	if p.next.Enabled(ctx, r.Level) {
		return p.next.Handle(ctx, r)
	}
	return nil
}

func (p *phaseRecorder) WithAttrs(as []slog.Attr) slog.Handler {
	return &phaseRecorder{next: p.next.WithAttrs(as), phases: p.phases}
}

func (p *phaseRecorder) WithGroup(name string) slog.Handler {
	return &phaseRecorder{next: p.next.WithGroup(name), phases: p.phases}
}

type baselineResult struct {
	load time.Duration
	rows int64
}

// baseline loads the logs with the same mapping SQL and runs every rule's
// SQL with its default parameters, directly on database/sql.
func baseline(ctx context.Context, glob, staffCSV, ownCSV string, rules []detections.Rule, from, to time.Time) (baselineResult, error) {
	var res baselineResult
	db, err := sql.Open("duckdb", "?autoinstall_known_extensions=false&autoload_known_extensions=false")
	if err != nil {
		return res, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	files, err := filepath.Glob(glob)
	if err != nil {
		return res, err
	}
	m, err := audit.BuiltinMapping(audit.MappingSalesforce)
	if err != nil {
		return res, err
	}
	sel, err := m.SelectSQL(files, "salesforce")
	if err != nil {
		return res, err
	}
	var canon []string
	for _, c := range detections.EventColumns {
		if c.Name == "event_id" {
			canon = append(canon, "rowid AS event_id")
		} else {
			canon = append(canon, detections.QuoteIdent(c.Name))
		}
	}
	stmts := []string{
		"SET autoinstall_known_extensions = false",
		"SET autoload_known_extensions = false",
		"SET TimeZone = 'UTC'",
		"CREATE TABLE raw AS " + sel,
		"CREATE VIEW events AS SELECT " + strings.Join(canon, ", ") + " FROM raw WHERE unmapped_reason IS NULL",
		`CREATE TABLE staff AS SELECT staff_id, lower(email) AS "user", name, email, lower(role) AS role, region, lower(status) AS status,
			TRY_CAST(hire_date AS DATE) AS hire_date, TRY_CAST(NULLIF(leave_date, '') AS DATE) AS leave_date
			FROM read_csv('` + staffCSV + `', header = true, all_varchar = true)`,
		`CREATE TABLE ownership AS SELECT customer_id, staff_id, TRY_CAST(since AS DATE) AS since
			FROM read_csv('` + ownCSV + `', header = true, all_varchar = true)`,
	}
	stmts = append(stmts, detections.Macros...)
	t := time.Now()
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return res, fmt.Errorf("%s: %w", s[:min(len(s), 60)], err)
		}
	}
	res.load = time.Since(t)
	for i := range rules {
		r := &rules[i]
		vals, err := r.Values(nil)
		if err != nil {
			return res, err
		}
		var args []any
		used := map[string]bool{}
		for _, p := range r.Parameters {
			used[p.Name] = true
			args = append(args, sql.Named(p.Name, detections.SQLValue(vals[p.Name])))
		}
		if strings.Contains(r.SQL, "$period_start") {
			args = append(args, sql.Named("period_start", from))
		}
		if strings.Contains(r.SQL, "$period_end") {
			args = append(args, sql.Named("period_end", to))
		}
		rows, err := db.QueryContext(ctx, r.SQL, args...)
		if err != nil {
			return res, fmt.Errorf("rule %s: %w", r.ID, err)
		}
		for rows.Next() {
			res.rows++
		}
		if err := rows.Close(); err != nil {
			return res, err
		}
	}
	return res, nil
}

// writeFixtures writes staff.csv and ownership.csv shaped like the demo
// generator's.
func writeFixtures(staffCSV, ownCSV string, n, customers int) error {
	r := rand.New(rand.NewPCG(7, 7))
	regions := []string{"华东", "华北", "华南", "华中", "西南", "西北", "东北"}
	roles := []string{"sales", "sales", "sales", "sales", "support", "support", "manager", "analyst", "marketing", "admin"}
	now := time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)
	f, err := os.Create(staffCSV)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "staff_id,name,email,role,region,status,hire_date,leave_date")
	var sales []string
	for i := range n {
		id := fmt.Sprintf("S%05d", i+1)
		role := roles[r.IntN(len(roles))]
		status, leave := "active", ""
		hire := now.AddDate(0, 0, -60-r.IntN(3000))
		switch x := r.IntN(100); {
		case x < 8:
			status, leave = "disabled", now.AddDate(0, 0, -1-r.IntN(400)).Format("2006-01-02")
		case x < 10:
			leave = now.AddDate(0, 0, -1-r.IntN(40)).Format("2006-01-02")
		}
		if role == "sales" && leave == "" {
			sales = append(sales, id)
		}
		fmt.Fprintf(w, "%s,员工%d,user%05d@bench.example.cn,%s,%s,%s,%s,%s\n", id, i+1, i+1, role, regions[r.IntN(len(regions))], status, hire.Format("2006-01-02"), leave)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	f, err = os.Create(ownCSV)
	if err != nil {
		return err
	}
	w = bufio.NewWriter(f)
	fmt.Fprintln(w, "customer_id,staff_id,since")
	for c := range customers {
		fmt.Fprintf(w, "C%08d,%s,%s\n", c+1, sales[r.IntN(len(sales))], now.AddDate(0, 0, -30-r.IntN(900)).Format("2006-01-02"))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// cpuTime is the user and system CPU time of this process so far, DuckDB's
// threads included.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// resetPeak resets the kernel's peak RSS counter of this process (Linux).
func resetPeak() {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// peak returns the peak RSS since the last reset (Linux VmHWM).
func peak() string {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				if kb, err := strconv.ParseInt(f[0], 10, 64); err == nil {
					return fmt.Sprintf("%.2f GB", float64(kb)/1e6)
				}
			}
		}
	}
	return "unknown"
}
