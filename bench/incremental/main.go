// Command incremental measures change-only snapshots and PostgreSQL
// extraction against baselines run in the same process:
//
//  1. Second night, CSV source: the demo customers export (R rows) is
//     snapshotted (night 1), then 1% of its rows change and 0.1% are
//     deleted and it is snapshotted again (night 2). restic (Debian package
//     "restic") backs up the same file both nights. Time and repository
//     growth are printed side by side; the bar: Vigil's second night adds
//     less than restic's.
//     The first night is also the head-to-head: first backup time and
//     repository size, then "vigil verify --all" against "restic check
//     --read-data" on that one-snapshot repository, each as a ratio
//     vigil/restic (wall and CPU time of the same run; run with
//     -rows 1000000 for the 1M-row figure).
//  2. PostgreSQL extraction of a P-row table (default 5M) by vigil run
//     nightly, as a ratio to psql \copy … TO CSV of the same table, and the
//     peak RSS of the vigil process (target < 512 MB).
//
// Usage:
//
//	go run ./bench/incremental                          # 200k CSV rows, 5M PostgreSQL rows
//	go run ./bench/incremental -rows 50000 -pgrows 500000
//	go run ./bench/incremental -rows 1000000 -pgrows 0     # the 1M-row restic comparison
package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vigil-dg/vigil/internal/pglocal"
)

func main() {
	rows := flag.Int("rows", 200_000, "demo customers rows for the second-night comparison (0: skip)")
	pgrows := flag.Int("pgrows", 5_000_000, "PostgreSQL table rows for the extraction comparison (0: skip)")
	work := flag.String("work", "", "work directory (default: a temporary one, removed afterwards)")
	flag.Parse()
	if err := run(*rows, *pgrows, *work); err != nil {
		fmt.Fprintln(os.Stderr, "bench/incremental:", err)
		os.Exit(1)
	}
}

func run(rows, pgrows int, work string) error {
	if work == "" {
		d, err := os.MkdirTemp("", "vigil-bench-incremental-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		work = d
	}
	bin := filepath.Join(work, "vigil")
	if _, _, err := timed("", nil, "go", "build", "-o", bin, "./cmd/vigil"); err != nil {
		return err
	}
	failed := false
	if rows > 0 {
		ok, err := secondNight(bin, filepath.Join(work, "csv"), rows)
		if err != nil {
			return err
		}
		failed = failed || !ok
	}
	if pgrows > 0 {
		ok, err := pgExtraction(bin, filepath.Join(work, "pg"), pgrows)
		if err != nil {
			return err
		}
		failed = failed || !ok
	}
	if failed {
		return fmt.Errorf("a target was missed")
	}
	return nil
}

const csvConfig = `format: 1
home: home
keys: {key_file: master.key}
sources:
  crm:
    type: csv
    dir: data
    tables:
      customers: {file: customers.csv, key: [%s]}
jobs:
  nightly: {stages: [snapshot]}
`

func secondNight(bin, dir string, rows int) (bool, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, err
	}
	if _, _, err := timed(dir, nil, bin, "demo", "generate", "--rows", fmt.Sprint(rows), "--out", "data"); err != nil {
		return false, err
	}
	data := filepath.Join(dir, "data", "customers.csv")
	b, err := os.ReadFile(data)
	if err != nil {
		return false, err
	}
	key, _, _ := strings.Cut(strings.TrimPrefix(string(b), "\ufeff"), ",")
	if err := os.WriteFile(filepath.Join(dir, "vigil.yaml"), []byte(fmt.Sprintf(csvConfig, key)), 0o600); err != nil {
		return false, err
	}
	for _, args := range [][]string{{"keys", "keyfile", "master.key"}, {"keys", "init"}} {
		if _, _, err := timed(dir, nil, bin, args...); err != nil {
			return false, err
		}
	}
	repo := filepath.Join(dir, "restic")
	renv := []string{"RESTIC_PASSWORD=bench-only", "RESTIC_REPOSITORY=" + repo, "RESTIC_CACHE_DIR=" + filepath.Join(dir, "restic-cache")}
	if _, _, err := timed(dir, renv, "restic", "init"); err != nil {
		return false, fmt.Errorf("restic (Debian: apt-get install restic): %w", err)
	}
	store := filepath.Join(dir, "home", "store")
	type night struct {
		vt, rt       time.Duration
		vsize, rsize int64
	}
	var nights [2]night
	for i := range nights {
		if i == 1 {
			if err := changeCSV(data); err != nil {
				return false, err
			}
		}
		vt, _, err := timed(dir, nil, bin, "run", "nightly", "--no-progress")
		if err != nil {
			return false, err
		}
		vcpu := cpuOfLast
		rt, _, err := timed(dir, renv, "restic", "backup", "--quiet", "data/customers.csv")
		if err != nil {
			return false, err
		}
		lastCPU = [2]time.Duration{vcpu, cpuOfLast}
		nights[i] = night{vt: vt, rt: rt, vsize: du(store), rsize: du(repo)}
		if i == 0 {
			if err := firstNight(dir, bin, renv, rows, vt, rt, lastCPU[0], lastCPU[1], nights[0].vsize, nights[0].rsize); err != nil {
				return false, err
			}
		}
	}
	fsize, _ := os.Stat(data)
	fmt.Printf("\nSecond night, CSV source: demo customers, %d rows (%.1f MB), 1%% changed and 0.1%% deleted\n", rows, float64(fsize.Size())/1e6)
	fmt.Printf("%-28s %12s %14s %12s %14s\n", "", "vigil time", "vigil store", "restic time", "restic repo")
	fmt.Printf("%-28s %12s %14s %12s %14s\n", "night 1 (full)", nights[0].vt.Round(time.Millisecond), mb(nights[0].vsize), nights[0].rt.Round(time.Millisecond), mb(nights[0].rsize))
	vg, rg := nights[1].vsize-nights[0].vsize, nights[1].rsize-nights[0].rsize
	fmt.Printf("%-28s %12s %14s %12s %14s\n", "night 2 (added by it)", nights[1].vt.Round(time.Millisecond), "+"+mb(vg), nights[1].rt.Round(time.Millisecond), "+"+mb(rg))
	ok := vg < rg
	fmt.Printf("second night growth vigil/restic = %.3f (target < 1): %s\n", float64(vg)/float64(max(rg, 1)), verdict(ok))
	return ok, nil
}

// lastCPU holds the CPU time of the last vigil night and restic backup;
// cpuOfLast that of the last command timed.
var (
	lastCPU   [2]time.Duration
	cpuOfLast time.Duration
)

// firstNight prints the head-to-head on the first (full) backup of the
// same export, and times vigil verify --all against restic check
// --read-data on it, as ratios vigil/restic.
func firstNight(dir, bin string, renv []string, rows int, vt, rt, vcpu, rcpu time.Duration, vsize, rsize int64) error {
	vv, _, err := timed(dir, nil, bin, "verify", "--all", "--no-progress")
	if err != nil {
		return err
	}
	vvcpu := cpuOfLast
	rc, _, err := timed(dir, renv, "restic", "check", "--read-data")
	if err != nil {
		return err
	}
	rccpu := cpuOfLast
	fmt.Printf("\nVigil against restic %s, first backup of the same export: demo customers, %d rows\n", resticVersion(), rows)
	fmt.Printf("%-34s %12s %12s %12s %12s %8s %8s\n", "", "vigil wall", "vigil CPU", "restic wall", "restic CPU", "wall x", "CPU x")
	row := func(name string, vw, vc, rw, rc time.Duration) {
		fmt.Printf("%-34s %12s %12s %12s %12s %8.2f %8.2f\n", name, vw.Round(time.Millisecond), vc.Round(time.Millisecond),
			rw.Round(time.Millisecond), rc.Round(time.Millisecond), vw.Seconds()/rw.Seconds(), vc.Seconds()/max(rc.Seconds(), 1e-9))
	}
	row("first backup", vt, vcpu, rt, rcpu)
	row("verify --all / check --read-data", vv, vvcpu, rc, rccpu)
	fmt.Printf("%-34s %12s %12s %12s %12s %8.2f\n", "repository size", mb(vsize), "", mb(rsize), "", float64(vsize)/float64(max(rsize, 1)))
	fmt.Println("(vigil verify also restores to plain Parquet, re-reads it and has DuckDB recompute the digest; restic check --read-data decrypts and hashes every pack)")
	return nil
}

func resticVersion() string {
	out, err := exec.Command("restic", "version").Output()
	if err != nil {
		return "(version unknown)"
	}
	f := strings.Fields(string(out))
	if len(f) >= 2 {
		return f[1]
	}
	return strings.TrimSpace(string(out))
}

// changeCSV changes 1% of the rows (last field) and deletes 0.1%.
func changeCSV(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	bom := bytes.HasPrefix(b, []byte("\ufeff"))
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
	if err != nil {
		return err
	}
	var out bytes.Buffer
	if bom {
		out.WriteString("\ufeff")
	}
	w := csv.NewWriter(&out)
	w.Write(recs[0])
	for i, r := range recs[1:] {
		switch {
		case i%100 == 7:
			r[len(r)-1] += " (updated)"
		case i%1000 == 500:
			continue
		}
		w.Write(r)
	}
	w.Flush()
	return os.WriteFile(path, out.Bytes(), 0o600)
}

const pgConfig = `format: 1
home: home
keys: {key_file: master.key}
sources:
  db:
    type: postgres
    dsn_env: BENCH_PG_DSN
    tables:
      customers: {table: crm.customers}
jobs:
  nightly: {stages: [snapshot]}
`

func pgExtraction(bin, dir string, rows int) (bool, error) {
	srv, err := pglocal.Start(filepath.Join(dir, "server"))
	if err != nil {
		return false, err
	}
	defer srv.Stop()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, srv.DSN)
	if err != nil {
		return false, err
	}
	// CRM-shaped rows: ids, names, e-mail, phone, money, dates, flags, free text.
	_, err = conn.Exec(ctx, fmt.Sprintf(`CREATE SCHEMA crm;
		CREATE TABLE crm.customers (id int8 PRIMARY KEY, name text, email text, phone text, city text, amount numeric(12,2),
			born date, created timestamptz, active boolean, notes text);
		INSERT INTO crm.customers SELECT i, 'Customer ' || i, 'user' || i || '@example.com', '+86 138' || lpad((i * 7919 %% 100000000)::text, 8, '0'),
			(ARRAY['Beijing','Shanghai','Hangzhou','Shenzhen','Chengdu'])[1 + i %% 5], (i %% 100000) / 100.0,
			DATE '1950-01-01' + (i * 37 %% 20000)::int, TIMESTAMPTZ '2020-01-01' + i * interval '17 seconds', i %% 3 <> 0,
			CASE WHEN i %% 4 = 0 THEN 'prefers e-mail; call after 18:00' END
		FROM generate_series(1::int8, %d) AS i`, rows))
	if err == nil {
		_, err = conn.Exec(ctx, "VACUUM ANALYZE crm.customers")
	}
	conn.Close(ctx)
	if err != nil {
		return false, err
	}
	if err := os.WriteFile(filepath.Join(dir, "vigil.yaml"), []byte(pgConfig), 0o600); err != nil {
		return false, err
	}
	env := []string{"BENCH_PG_DSN=" + srv.DSN}
	for _, args := range [][]string{{"keys", "keyfile", "master.key"}, {"keys", "init"}} {
		if _, _, err := timed(dir, env, bin, args...); err != nil {
			return false, err
		}
	}
	pt, _, err := timed(dir, nil, "psql", srv.DSN, "-q", "-c", `\copy crm.customers TO 'customers.csv' CSV HEADER`)
	if err != nil {
		return false, err
	}
	vt, rss, err := timed(dir, env, bin, "run", "nightly", "--no-progress")
	if err != nil {
		return false, err
	}
	ratio := vt.Seconds() / pt.Seconds()
	memOK := rss < 512<<20
	fmt.Printf("\nPostgreSQL extraction, %d rows (10 CRM-shaped columns)\n", rows)
	fmt.Printf("psql \\copy TO csv %10s\nvigil snapshot     %10s   ratio vigil/psql = %.2f (encrypted, digested Parquet vs plaintext CSV)\n",
		pt.Round(time.Millisecond), vt.Round(time.Millisecond), ratio)
	fmt.Printf("vigil peak RSS     %10s   (target < 512 MB): %s\n", mb(rss), verdict(memOK))
	return memOK, nil
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

func mb(n int64) string { return fmt.Sprintf("%.2f MB", float64(n)/1e6) }

func du(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// timed runs a command and returns its wall time and peak RSS.
func timed(dir string, env []string, name string, args ...string) (time.Duration, int64, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if err != nil {
		return 0, 0, fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss * 1024
	}
	cpuOfLast = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return d, rss, nil
}
