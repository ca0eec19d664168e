package pipeline

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"syscall"
	"time"

	"github.com/vigil-dg/vigil/internal/atomicfile"
)

// LedgerFormat is the format version written in every ledger record.
const LedgerFormat = 1

// LedgerFile is the ledger's file name inside <home>/ledger.
const LedgerFile = "runs.jsonl"

// Record kinds.
const (
	KindRun   = "run"
	KindStage = "stage"
)

// Record is one line of the run ledger: a finished stage, or a finished run.
// Times are UTC with microsecond precision.
type Record struct {
	Format    int               `json:"format"`
	Kind      string            `json:"kind"` // run | stage
	RunID     string            `json:"run_id"`
	Job       string            `json:"job"`
	Stage     string            `json:"stage,omitempty"` // stage records only
	Status    RunStatus         `json:"status"`
	Trigger   Trigger           `json:"trigger,omitempty"`   // run records only
	Scheduled *time.Time        `json:"scheduled,omitempty"` // the schedule slot, for scheduled and catch-up runs
	Start     time.Time         `json:"start"`
	End       time.Time         `json:"end"`
	Duration  float64           `json:"duration_seconds"`
	Attempt   int               `json:"attempt,omitempty"` // stage records: attempts made
	Counts    map[string]int64  `json:"counts,omitempty"`
	Detail    map[string]string `json:"detail,omitempty"`
	Error     string            `json:"error,omitempty"`
	Host      string            `json:"host,omitempty"`
	PID       int               `json:"pid,omitempty"`
}

const ledgerTimeLayout = "2006-01-02T15:04:05.000000Z"

func ledgerTime(t time.Time) string {
	return t.UTC().Truncate(time.Microsecond).Format(ledgerTimeLayout)
}

// MarshalJSON writes times in one fixed-width UTC layout, which DuckDB's
// read_json_auto detects as timestamps.
func (r Record) MarshalJSON() ([]byte, error) {
	type plain Record
	var sched *string
	if r.Scheduled != nil {
		s := ledgerTime(*r.Scheduled)
		sched = &s
	}
	return json.Marshal(struct {
		plain
		Scheduled *string `json:"scheduled,omitempty"`
		Start     string  `json:"start"`
		End       string  `json:"end"`
	}{plain(r), sched, ledgerTime(r.Start), ledgerTime(r.End)})
}

// LedgerPath returns <home>/ledger/runs.jsonl.
func LedgerPath(home string) string { return filepath.Join(home, "ledger", LedgerFile) }

// maxErrorLen bounds the error text kept in a record.
const maxErrorLen = 2000

func truncateError(s string) string {
	if len(s) <= maxErrorLen {
		return s
	}
	cut := maxErrorLen
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// AppendRecord appends one record to the ledger of home: one write of one
// line, under an exclusive flock, then fsync. If an earlier write was torn
// (the file does not end with a newline), the record starts on a new line so
// that it stays readable.
func AppendRecord(home string, rec Record) error {
	rec.Format = LedgerFormat
	rec.Error = truncateError(rec.Error)
	line, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("pipeline: encoding ledger record: %w", err)
	}
	line = append(line, '\n')
	dir := filepath.Join(home, "ledger")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("pipeline: ledger: %w", err)
	}
	path := filepath.Join(dir, LedgerFile)
	_, statErr := os.Stat(path)
	created := errors.Is(statErr, os.ErrNotExist)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return fmt.Errorf("pipeline: ledger: %w", err)
	}
	defer f.Close()
	if err := flock(f, syscall.LOCK_EX); err != nil {
		return fmt.Errorf("pipeline: ledger lock: %w", err)
	}
	defer flock(f, syscall.LOCK_UN) //nolint:errcheck // closing releases it anyway
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("pipeline: ledger: %w", err)
	}
	if st.Size() > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, st.Size()-1); err != nil {
			return fmt.Errorf("pipeline: ledger: %w", err)
		}
		if last[0] != '\n' {
			line = append([]byte{'\n'}, line...)
		}
	}
	if _, err := f.Write(line); err != nil {
		return fmt.Errorf("pipeline: ledger write: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("pipeline: ledger sync: %w", err)
	}
	if created {
		_ = atomicfile.SyncDir(dir)
	}
	return nil
}

func flock(f *os.File, how int) error {
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}

// ReadLedger reads every record of home's ledger, in file order. A missing
// ledger is empty. Lines that cannot be decoded (a torn last line after a
// crash) are skipped: the records are returned together with a *LedgerError
// matching ErrLedgerDamaged.
func ReadLedger(home string) ([]Record, error) {
	path := LedgerPath(home)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("pipeline: ledger: %w", err)
	}
	defer f.Close()
	return readLedger(path, f)
}

func readLedger(path string, r io.Reader) ([]Record, error) {
	var (
		recs []Record
		bad  []int
		torn bool
	)
	br := bufio.NewReaderSize(r, 64*1024)
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if len(line) == 0 && err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return recs, fmt.Errorf("pipeline: ledger: %w", err)
		}
		complete := bytes.HasSuffix(line, []byte{'\n'})
		line = bytes.TrimSpace(line)
		if len(line) > 0 {
			var rec Record
			if jerr := json.Unmarshal(line, &rec); jerr != nil || rec.Kind == "" || rec.RunID == "" {
				bad = append(bad, n)
				if !complete {
					torn = true
				}
			} else {
				recs = append(recs, rec)
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return recs, fmt.Errorf("pipeline: ledger: %w", err)
		}
	}
	if len(bad) > 0 {
		return recs, &LedgerError{Path: path, Lines: bad, Torn: torn}
	}
	return recs, nil
}

// readLedgerTolerant reads the ledger and ignores undecodable lines.
func readLedgerTolerant(home string) ([]Record, error) {
	recs, err := ReadLedger(home)
	if errors.Is(err, ErrLedgerDamaged) {
		err = nil
	}
	return recs, err
}

// LastRuns returns the run records of job (all jobs if job is ""), newest
// first, at most n of them (all if n <= 0). Undecodable ledger lines are
// reported as with ReadLedger.
func LastRuns(home, job string, n int) ([]Record, error) {
	recs, err := ReadLedger(home)
	if err != nil && !errors.Is(err, ErrLedgerDamaged) {
		return nil, err
	}
	return lastRuns(recs, job, n), err
}

func lastRuns(recs []Record, job string, n int) []Record {
	var runs []Record
	for _, r := range recs {
		if r.Kind == KindRun && (job == "" || r.Job == job) {
			runs = append(runs, r)
		}
	}
	sort.SliceStable(runs, func(i, j int) bool {
		if !runs[i].Start.Equal(runs[j].Start) {
			return runs[i].Start.After(runs[j].Start)
		}
		return runs[i].RunID > runs[j].RunID
	})
	if n > 0 && len(runs) > n {
		runs = runs[:n]
	}
	return runs
}
