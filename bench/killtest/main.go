// Command killtest checks Vigil's crash safety: it kills "vigil run nightly"
// with SIGKILL at random points and checks that what is left is either the
// old state or the new one, never half of one.
//
//	go run ./bench/killtest                  # 20 kills, 300k customers
//	go run ./bench/killtest -n 5 -rows 50000 # a quick look
//
// # What it does
//
// It builds vigil, generates a demo CRM export (-rows customers and the other
// demo tables), creates a key file and a keyset, and times one undisturbed
// run. Then, -n times: it starts "vigil run nightly", kills it with SIGKILL
// after a random delay within the duration of the latest undisturbed run
// (the first one, then each "next run" below), and checks
//
//   - integrity: "vigil snapshots list" succeeds and every visible snapshot
//     directory (not .tmp-*) under home/store/snapshots/*/ is complete: it
//     has a manifest and every file the manifest names exists with the
//     recorded size and SHA-256, and no visible directory under
//     home/datasets/ lacks its _vigil.json. When the build has "vigil verify
//     --all" (or with -verify vigil), every snapshot not verified before is
//     also passed to "vigil verify" (snapshots never change once committed,
//     so this is --all without re-reading the same files twenty times), and
//     "vigil verify --all" runs on the undisturbed store first and on the
//     final store at the end;
//   - recovery: the next run exits 0, records the killed run as interrupted
//     (it takes over the dead process's stale lock), and leaves no .tmp-*
//     (or datasets/.old-*) directory behind.
//
// -stages sets the nightly job's stages (default the real nightly job:
// snapshot, classify, anonymize).
//
// It prints one line per kill (delay; stage at the kill from the ledger, table
// being written and snapshots the killed run committed, from the store; the
// checks; how long the next run took) and a final "N passed, M failed"; the
// exit status is 1 if any kill failed. The default size takes about 5 minutes
// on 2 cores.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vigil-dg/vigil/pipeline"
)

func main() {
	n := flag.Int("n", 20, "number of kills")
	rows := flag.Int("rows", 300_000, "customers to generate (the other demo tables scale with it)")
	stages := flag.String("stages", "snapshot,classify,anonymize", "comma-separated stages of the nightly job")
	filesRows := flag.Int("max-rows-per-file", 100_000, "snapshot.max_rows_per_file, so that tables span several files")
	keepLast := flag.Int("keep-last", 2, "snapshot.keep_last")
	verify := flag.String("verify", "auto", "integrity check: vigil (vigil verify), direct (manifests, sizes, SHA-256 read here) or auto (vigil if the build has verify --all)")
	seed := flag.Uint64("seed", 0, "random seed for the kill points (0: from the clock)")
	work := flag.String("work", "", "work directory (default: a temporary one, removed afterwards unless a kill failed)")
	flag.Parse()
	if *seed == 0 {
		*seed = uint64(time.Now().UnixNano())
	}
	if *verify != "auto" && *verify != "vigil" && *verify != "direct" {
		fmt.Fprintln(os.Stderr, "killtest: -verify: want auto, vigil or direct")
		os.Exit(2)
	}
	failed, err := run(options{n: *n, rows: *rows, filesRows: *filesRows, keepLast: *keepLast, stages: *stages,
		verify: *verify, seed: *seed, work: *work})
	if err != nil {
		fmt.Fprintln(os.Stderr, "killtest:", err)
		os.Exit(1)
	}
	if failed > 0 {
		os.Exit(1)
	}
}

type options struct {
	n, rows, filesRows, keepLast int
	stages, verify               string
	seed                         uint64
	work                         string
}

// tester holds the prepared demo directory.
type tester struct {
	bin, dir string
	home     string
	stages   []string
	// useVerify: check with "vigil verify"; verified holds the snapshots it
	// passed (they are immutable, so each is verified once, and all of them
	// again at the end with --all).
	useVerify bool
	verified  map[string]bool
}

// outcome is one kill and its checks.
type outcome struct {
	delay      time.Duration
	runID      string
	stage      string // stage in progress at the kill, from the ledger
	table      string // table being written, from the store's .tmp-* directory
	committed  int    // snapshots of the killed run that were committed
	leftover   int    // .tmp-* directories left by the kill
	integrity  error
	recorded   error // the killed run is in the ledger as interrupted
	nextRun    error
	nextTook   time.Duration
	cleanAfter error // no .tmp-* after the next run
}

func (o outcome) ok() bool {
	return o.integrity == nil && o.recorded == nil && o.nextRun == nil && o.cleanAfter == nil
}

func run(opt options) (int, error) {
	n, rows, seed, work := opt.n, opt.rows, opt.seed, opt.work
	keep := work != ""
	if work == "" {
		d, err := os.MkdirTemp("", "vigil-killtest-")
		if err != nil {
			return 0, err
		}
		work = d
	}
	t := &tester{bin: filepath.Join(work, "vigil"), dir: filepath.Join(work, "demo"), verified: map[string]bool{}}
	t.home = filepath.Join(t.dir, "home")
	for _, s := range strings.Split(opt.stages, ",") {
		if s = strings.TrimSpace(s); s != "" {
			t.stages = append(t.stages, s)
		}
	}
	fmt.Printf("building vigil into %s\n", t.bin)
	if out, err := exec.Command("go", "build", "-o", t.bin, "./cmd/vigil").CombinedOutput(); err != nil {
		return 0, fmt.Errorf("go build ./cmd/vigil (run from the repository root): %v\n%s", err, out)
	}
	if err := t.prepare(rows, opt.filesRows, opt.keepLast); err != nil {
		return 0, err
	}
	help, _ := t.vigil("verify", "--help")
	hasVerify := strings.Contains(help, "--all")
	switch {
	case opt.verify == "vigil" && !hasVerify:
		return 0, errors.New("-verify vigil: this build has no \"vigil verify --all\"")
	case opt.verify == "vigil", opt.verify == "auto" && hasVerify:
		t.useVerify = true
		fmt.Println("integrity check: vigil verify of every new snapshot after each kill, vigil verify --all at the end; and manifests, sizes, SHA-256 read here")
	default:
		fmt.Println("integrity check: manifests, file sizes and SHA-256 of every visible snapshot, read here (not vigil verify)")
	}

	start := time.Now()
	if out, err := t.vigil("run", "nightly"); err != nil {
		return 0, fmt.Errorf("undisturbed run: %v\n%s", err, tail(out))
	}
	full := time.Since(start)
	if t.useVerify {
		// A store that fails verification before any kill says nothing
		// about crash safety: stop here.
		if out, err := t.vigil("verify", "--all"); err != nil {
			return 0, fmt.Errorf("vigil verify --all fails on the undisturbed store, before any kill (not a crash-safety problem; fix verify first, or use -verify direct; work directory kept: %s): %v\n%s",
				work, err, problems(out))
		}
		for ref := range t.listed() {
			t.verified[ref] = true
		}
	}
	fmt.Printf("undisturbed run: %s (stages %s, %d customers); each kill at a random point within the latest undisturbed run; seed %d\n\n",
		full.Round(time.Millisecond), strings.Join(t.stages, ","), rows, seed)

	rng := mrand.New(mrand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	const row = "%3v  %8v  %-13v  %-12v  %9v  %9v  %-9v  %-8v  %-8v  %8v  %-5v\n"
	fmt.Printf(row, "#", "KILL AT", "STAGE", "TABLE", "COMMITTED", "LEFT .tmp", "INTEGRITY", "RECORDED", "NEXT RUN", "TOOK", "CLEAN")
	failed := 0
	var details []string
	for i := 1; i <= n; i++ {
		// The kill range follows the latest undisturbed run, so that it
		// tracks the machine's load.
		delay := time.Duration(rng.Int64N(int64(full)))
		o := t.killOnce(delay)
		if o.nextRun == nil && o.nextTook > 0 {
			full = o.nextTook
		}
		if !o.ok() {
			failed++
			for _, c := range []struct {
				what string
				err  error
			}{{"integrity", o.integrity}, {"recorded", o.recorded}, {"next run", o.nextRun}, {"clean", o.cleanAfter}} {
				if c.err != nil {
					details = append(details, fmt.Sprintf("#%d %s (run %s): %s", i, c.what, o.runID, oneLine(c.err.Error())))
				}
			}
		}
		fmt.Printf(row, i, strconv.FormatInt(o.delay.Milliseconds(), 10)+" ms", o.stage, o.table,
			o.committed, o.leftover, mark(o.integrity), mark(o.recorded), mark(o.nextRun),
			strconv.FormatInt(o.nextTook.Milliseconds(), 10)+" ms", mark(o.cleanAfter))
	}
	if t.useVerify {
		if out, err := t.vigil("verify", "--all"); err != nil {
			failed++
			details = append(details, fmt.Sprintf("final vigil verify --all: %v: %s", err, oneLine(problems(out))))
		} else {
			fmt.Printf("\nfinal vigil verify --all: ok (%d snapshots)\n", len(t.listed()))
		}
	}
	fmt.Println()
	for _, d := range details {
		fmt.Println(d)
	}
	fmt.Printf("%d passed, %d failed (%s)\n", n-failed, failed, time.Since(start).Round(time.Second))
	if failed > 0 || keep {
		fmt.Printf("work directory kept: %s\n", work)
	} else {
		os.RemoveAll(work)
	}
	return failed, nil
}

func mark(err error) string {
	if err == nil {
		return "ok"
	}
	return "FAIL"
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 400 {
		s = s[:400] + "…"
	}
	return s
}

func (t *tester) prepare(rows, filesRows, keepLast int) error {
	if err := os.MkdirAll(t.dir, 0o700); err != nil {
		return err
	}
	fmt.Printf("generating %d customers into %s\n", rows, t.dir)
	if out, err := t.vigil("demo", "generate", "--rows", strconv.Itoa(rows), "--out", "data"); err != nil {
		return fmt.Errorf("demo generate: %v\n%s", err, tail(out))
	}
	cfg := fmt.Sprintf(`format: 1
home: home
timezone: UTC
keys:
  key_file: master.key
sources:
  crm:
    type: csv
    dir: data
    tables:
      customers: {file: customers.csv}
      staff: {file: staff.csv}
      ownership: {file: ownership.csv}
      orders: {file: orders.csv}
      enrollments: {file: enrollments.csv}
snapshot:
  max_rows_per_file: %d
  keep_last: %d
jobs:
  nightly:
    stages: [%s]
    retries: {max: 0}
`, filesRows, keepLast, strings.Join(t.stages, ", "))
	if err := os.WriteFile(filepath.Join(t.dir, "vigil.yaml"), []byte(cfg), 0o600); err != nil {
		return err
	}
	for _, args := range [][]string{{"keys", "keyfile", "master.key"}, {"keys", "init"}} {
		if out, err := t.vigil(args...); err != nil {
			return fmt.Errorf("vigil %s: %v\n%s", strings.Join(args, " "), err, tail(out))
		}
	}
	return nil
}

// vigil runs the binary in the demo directory and returns its combined output.
func (t *tester) vigil(args ...string) (string, error) {
	cmd := exec.Command(t.bin, append([]string{"--no-progress"}, args...)...)
	cmd.Dir = t.dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// killOnce starts a run, kills it after delay and checks what it left.
func (t *tester) killOnce(delay time.Duration) outcome {
	o := outcome{delay: delay}
	cmd := exec.Command(t.bin, "--no-progress", "run", "nightly")
	cmd.Dir = t.dir
	if err := cmd.Start(); err != nil {
		o.nextRun = err
		return o
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		// The run ended before its kill point.
		o.stage = "(ended)"
		if err != nil {
			o.integrity = fmt.Errorf("run ended on its own with %v", err)
		}
	case <-time.After(delay):
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-exited
	}

	o.runID, o.stage = t.stageAtKill(o.stage)
	o.table, o.leftover = t.tmpState()
	o.committed = t.committedBy(o.runID)
	o.integrity = errors.Join(o.integrity, t.integrity())

	began := time.Now()
	out, err := t.vigil("run", "nightly")
	o.nextTook = time.Since(began)
	if err != nil {
		o.nextRun = fmt.Errorf("%v: %s", err, tail(out))
	}
	o.recorded = t.recorded(o.runID)
	if left := t.tmpDirs(); len(left) > 0 {
		for i, p := range left {
			left[i], _ = filepath.Rel(t.home, p)
		}
		o.cleanAfter = fmt.Errorf("%d .tmp-* directories left: %s", len(left), strings.Join(left, ", "))
	}
	return o
}

// stageAtKill finds the killed run from the job lock it left behind (or the
// last run of the ledger if it had ended) and the stage it was in.
func (t *tester) stageAtKill(ended string) (runID, stage string) {
	locks := filepath.Join(t.home, "locks")
	if info, err := pipeline.ReadLock(locks, pipeline.JobLockName("nightly")); err == nil && info != nil {
		runID = info.RunID
	}
	recs, _ := pipeline.ReadLedger(t.home) // a torn last line is expected after a kill
	if runID == "" {
		if ended != "" {
			for _, r := range recs {
				if r.Kind == pipeline.KindRun {
					runID = r.RunID
				}
			}
			return runID, ended
		}
		return "", "(before lock)"
	}
	done := 0
	for _, r := range recs {
		if r.RunID != runID {
			continue
		}
		if r.Kind == pipeline.KindRun {
			return runID, "(ended)"
		}
		done++
	}
	if done < len(t.stages) {
		return runID, t.stages[done]
	}
	return runID, "(after stages)"
}

// tmpState reports the table of the newest .tmp-* snapshot directory and how
// many .tmp-* directories there are.
func (t *tester) tmpState() (string, int) {
	dirs := t.tmpDirs()
	table := "-"
	var newest time.Time
	for _, d := range dirs {
		if fi, err := os.Stat(d); err == nil && fi.ModTime().After(newest) {
			newest, table = fi.ModTime(), filepath.Base(filepath.Dir(d))
		}
	}
	return table, len(dirs)
}

func (t *tester) tmpDirs() []string {
	var out []string
	for _, pattern := range []string{
		filepath.Join(t.home, "store", "snapshots", "*", ".tmp-*"),
		filepath.Join(t.home, "datasets", ".tmp-*"),
		filepath.Join(t.home, "datasets", ".old-*"), // a dataset being replaced
		filepath.Join(t.home, "datasets", "*", ".tmp-*"),
	} {
		m, _ := filepath.Glob(pattern)
		out = append(out, m...)
	}
	return out
}

// manifest is the part of a snapshot manifest the checks need.
type manifest struct {
	Table string            `json:"table"`
	ID    string            `json:"id"`
	Extra map[string]string `json:"extra"`
	Files []struct {
		Name   string `json:"name"`
		SHA256 string `json:"sha256"`
		Size   int64  `json:"size"`
	} `json:"files"`
}

// listed returns the snapshots "vigil snapshots list --json" shows, as
// "<table>/<id>".
func (t *tester) listed() map[string]bool {
	out := map[string]bool{}
	cmd := exec.Command(t.bin, "--no-progress", "snapshots", "list", "--json")
	cmd.Dir = t.dir
	b, err := cmd.Output()
	if err != nil {
		return out
	}
	var doc struct {
		Snapshots []manifest `json:"snapshots"`
	}
	if json.Unmarshal(b, &doc) == nil {
		for _, m := range doc.Snapshots {
			out[m.Table+"/"+m.ID] = true
		}
	}
	return out
}

func (t *tester) committedBy(runID string) int {
	if runID == "" {
		return 0
	}
	n := 0
	for _, m := range t.manifests() {
		if m.Extra["run_id"] == runID {
			n++
		}
	}
	return n
}

func (t *tester) manifests() []manifest {
	var out []manifest
	dirs, _ := filepath.Glob(filepath.Join(t.home, "store", "snapshots", "*", "*", "manifest.json"))
	for _, p := range dirs {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		var m manifest
		if json.Unmarshal(b, &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// integrity checks the store after a kill: vigil verify of every snapshot
// it has not verified yet (with -verify vigil), and always the listing and
// the completeness of every visible directory.
func (t *tester) integrity() error {
	var errs []error
	if out, err := t.vigil("snapshots", "list"); err != nil {
		errs = append(errs, fmt.Errorf("vigil snapshots list: %v: %s", err, tail(out)))
	}
	if t.useVerify {
		var fresh []string
		for ref := range t.listed() {
			if !t.verified[ref] {
				fresh = append(fresh, ref)
			}
		}
		if len(fresh) > 0 {
			if out, err := t.vigil(append([]string{"verify"}, fresh...)...); err != nil {
				errs = append(errs, fmt.Errorf("vigil verify %s: %v: %s", strings.Join(fresh, " "), err, problems(out)))
			} else {
				for _, ref := range fresh {
					t.verified[ref] = true
				}
			}
		}
	}
	tables, _ := filepath.Glob(filepath.Join(t.home, "store", "snapshots", "*"))
	for _, td := range tables {
		ents, err := os.ReadDir(td)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), ".") {
				continue
			}
			if err := checkSnapshotDir(filepath.Join(td, e.Name())); err != nil {
				errs = append(errs, err)
			}
		}
	}
	sets, _ := filepath.Glob(filepath.Join(t.home, "datasets", "*"))
	for _, d := range sets {
		if strings.HasPrefix(filepath.Base(d), ".") {
			continue
		}
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			if _, err := os.Stat(filepath.Join(d, "_vigil.json")); err != nil {
				errs = append(errs, fmt.Errorf("dataset %s is visible without _vigil.json", filepath.Base(d)))
			}
		}
	}
	return errors.Join(errs...)
}

// checkSnapshotDir checks that a visible snapshot directory is complete.
func checkSnapshotDir(dir string) error {
	ref := filepath.Base(filepath.Dir(dir)) + "/" + filepath.Base(dir)
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return fmt.Errorf("snapshot %s is visible without a readable manifest: %v", ref, err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("snapshot %s: manifest: %v", ref, err)
	}
	if len(m.Files) == 0 {
		return fmt.Errorf("snapshot %s: manifest lists no files", ref)
	}
	for _, f := range m.Files {
		p := filepath.Join(dir, f.Name)
		fh, err := os.Open(p)
		if err != nil {
			return fmt.Errorf("snapshot %s: %v", ref, err)
		}
		h := sha256.New()
		n, err := io.Copy(h, fh)
		fh.Close()
		if err != nil {
			return fmt.Errorf("snapshot %s: %s: %v", ref, f.Name, err)
		}
		if n != f.Size || hex.EncodeToString(h.Sum(nil)) != f.SHA256 {
			return fmt.Errorf("snapshot %s: %s does not match its manifest (size %d, want %d)", ref, f.Name, n, f.Size)
		}
	}
	return nil
}

// recorded checks that the ledger holds the killed run's record: interrupted
// (written by the next run when it took over the stale lock), or the run's
// own record if it ended before the kill.
func (t *tester) recorded(runID string) error {
	if runID == "" {
		return nil // killed before it took its lock: nothing to record
	}
	recs, err := pipeline.ReadLedger(t.home)
	if err != nil && !errors.Is(err, pipeline.ErrLedgerDamaged) {
		return err
	}
	for _, r := range recs {
		if r.Kind == pipeline.KindRun && r.RunID == runID {
			if r.Status == pipeline.StatusInterrupted || r.Status == pipeline.StatusOK {
				return nil
			}
			return fmt.Errorf("run %s recorded as %s", runID, r.Status)
		}
	}
	return fmt.Errorf("killed run %s has no run record", runID)
}

func tail(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > 5 {
		lines = lines[len(lines)-5:]
	}
	return strings.Join(lines, "\n")
}

// problems returns the FAIL lines of vigil verify's output and the indented
// lines under them, or the output's tail.
func problems(out string) string {
	var keep []string
	in := false
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(l, "FAIL"):
			in = true
			keep = append(keep, l)
		case in && strings.HasPrefix(l, " "):
			keep = append(keep, l)
		default:
			in = false
		}
	}
	if len(keep) == 0 {
		return tail(out)
	}
	if len(keep) > 12 {
		keep = append(keep[:12], "…")
	}
	return strings.Join(keep, "\n")
}
