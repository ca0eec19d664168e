// Command snapshot benchmarks Vigil's extract-and-snapshot stage against
// DuckDB's own CSV-to-Parquet conversion of the same file, measured in the
// same run, and the peak memory of the vigil process at two sizes.
//
//	go run ./bench/snapshot                      # 1M rows timing; 500k and 5M rows memory
//	go run ./bench/snapshot -rows 200000 -mem 100000,1000000
//
// It prints the ratio vigil/duckdb (target ≤ 1.5) and peak RSS (target < 512 MB,
// growing < 1.3x between the two memory sizes).
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
)

func main() {
	rows := flag.Int("rows", 1_000_000, "customers rows for the timing comparison")
	mem := flag.String("mem", "500000,5000000", "comma-separated row counts for the peak-memory check")
	runs := flag.Int("runs", 3, "timed runs of each side (the best is kept)")
	work := flag.String("work", "", "work directory (default: a temporary one, removed afterwards)")
	flag.Parse()
	if err := run(*rows, *mem, *runs, *work); err != nil {
		fmt.Fprintln(os.Stderr, "bench/snapshot:", err)
		os.Exit(1)
	}
}

func run(rows int, mem string, runs int, work string) error {
	if work == "" {
		d, err := os.MkdirTemp("", "vigil-bench-snapshot-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		work = d
	}
	bin := filepath.Join(work, "vigil")
	if err := sh("", nil, "go", "build", "-o", bin, "./cmd/vigil"); err != nil {
		return err
	}
	best := func(f func() (time.Duration, int64, error)) (time.Duration, int64, error) {
		var bt time.Duration
		var brss int64
		for i := 0; i < runs; i++ {
			t, rss, err := f()
			if err != nil {
				return 0, 0, err
			}
			if i == 0 || t < bt {
				bt = t
			}
			brss = max(brss, rss)
		}
		return bt, brss, nil
	}

	// Memory first: Go starts children with a vfork-style clone, so a
	// child's max RSS starts at the parent's peak, which the in-process
	// DuckDB COPY below would raise.
	var missed []string
	var prev int64
	var prevRows int
	for _, f := range strings.Split(mem, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return fmt.Errorf("-mem: %w", err)
		}
		d, err := prepare(bin, work, n)
		if err != nil {
			return err
		}
		t, rss, err := snapshot(bin, d)
		if err != nil {
			return err
		}
		fmt.Printf("peak RSS at %d rows: %.1f MB (%.2f s) (target < 512 MB)\n", n, mb(rss), t.Seconds())
		if mb(rss) >= 512 {
			missed = append(missed, fmt.Sprintf("peak RSS at %d rows", n))
		}
		if prev > 0 {
			growth := float64(rss) / float64(prev)
			fmt.Printf("  growth %d → %d rows: %.2fx (target < 1.3x)\n", prevRows, n, growth)
			if growth >= 1.3 {
				missed = append(missed, "memory growth")
			}
		}
		prev, prevRows = rss, n
		os.RemoveAll(d)
	}
	dir, err := prepare(bin, work, rows)
	if err != nil {
		return err
	}
	csv := filepath.Join(dir, "data", "customers.csv")
	st, _ := os.Stat(csv)
	vt, vrss, err := best(func() (time.Duration, int64, error) { return snapshot(bin, dir) })
	if err != nil {
		return err
	}
	dt, err := duckdbCopy(csv, filepath.Join(work, "duck.parquet"), runs)
	if err != nil {
		return err
	}
	fmt.Printf("\nsnapshot of customers: %d rows, %.1f MB CSV\n", rows, float64(st.Size())/1e6)
	fmt.Printf("  vigil run (extract+encrypt+digest+manifest): %8.3f s  peak RSS %6.1f MB\n", vt.Seconds(), mb(vrss))
	fmt.Printf("  duckdb COPY (FROM read_csv) TO parquet:      %8.3f s\n", dt.Seconds())
	ratio := vt.Seconds() / dt.Seconds()
	fmt.Printf("  ratio vigil/duckdb: %.2fx (target <= 1.5x)\n", ratio)
	if ratio > 1.5 {
		missed = append(missed, "time ratio")
	}
	if len(missed) > 0 {
		return fmt.Errorf("targets missed: %s", strings.Join(missed, ", "))
	}
	return nil
}

// prepare generates demo data and a config whose job "snap" snapshots customers only.
func prepare(bin, work string, rows int) (string, error) {
	dir := filepath.Join(work, fmt.Sprintf("r%d", rows))
	if _, err := os.Stat(filepath.Join(dir, "vigil.yaml")); err == nil {
		return dir, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	if err := sh(dir, nil, bin, "demo", "generate", "--rows", strconv.Itoa(rows), "--seed", "1", "--out", "data"); err != nil {
		return "", err
	}
	cfg := `format: 1
home: home
keys:
  key_file: master.key
sources:
  crm:
    type: csv
    dir: data
    tables:
      customers: {file: customers.csv}
jobs:
  snap: {stages: [snapshot]}
`
	if err := os.WriteFile(filepath.Join(dir, "vigil.yaml"), []byte(cfg), 0o600); err != nil {
		return "", err
	}
	if err := sh(dir, nil, bin, "keys", "keyfile", "master.key"); err != nil {
		return "", err
	}
	if err := sh(dir, nil, bin, "keys", "init"); err != nil {
		return "", err
	}
	return dir, nil
}

// snapshot runs one "vigil run snap" and returns its wall time and peak RSS.
func snapshot(bin, dir string) (time.Duration, int64, error) {
	cmd := exec.Command(bin, "run", "snap", "--no-progress", "--log-level", "warn")
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, 0, fmt.Errorf("vigil run snap: %w", err)
	}
	el := time.Since(start)
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	var rss int64
	if ru != nil {
		rss = ru.Maxrss * 1024
	}
	return el, rss, nil
}

// duckdbCopy times DuckDB converting the CSV to Parquet, best of runs.
func duckdbCopy(csv, out string, runs int) (time.Duration, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	ctx := context.Background()
	for _, s := range []string{"SET autoinstall_known_extensions=false", "SET autoload_known_extensions=false"} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return 0, err
		}
	}
	var bt time.Duration
	for i := 0; i < runs; i++ {
		os.Remove(out)
		start := time.Now()
		q := fmt.Sprintf("COPY (FROM read_csv('%s')) TO '%s' (FORMAT parquet)", csv, out)
		if _, err := db.ExecContext(ctx, q); err != nil {
			return 0, err
		}
		if t := time.Since(start); i == 0 || t < bt {
			bt = t
		}
	}
	return bt, nil
}

func sh(dir string, env []string, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout = os.Stderr
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	return nil
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }
