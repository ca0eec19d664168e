package audit

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/vigil-dg/vigil/rules/detections"
)

// LogSource is one set of log files read through one mapping.
type LogSource struct {
	Name    string   // label in the report; defaults to the mapping name
	Paths   []string // files or glob patterns; .gz and .zst files are decompressed by DuckDB
	Mapping string   // built-in mapping (BuiltinMappingNames), or auto (chosen per file by content)
	Custom  *Mapping // user-defined mapping; used instead of Mapping when set
}

// SourceStats accounts for every event of a source: Read = Mapped + Unmapped.
type SourceStats struct {
	Name            string           `json:"name"`
	Mapping         string           `json:"mapping"`
	Format          string           `json:"format"`
	Files           []string         `json:"files"`
	Read            int64            `json:"read"`
	Mapped          int64            `json:"mapped"`
	Unmapped        int64            `json:"unmapped"`
	InPeriod        int64            `json:"in_period"` // mapped events inside the report period
	Reasons         map[string]int64 `json:"unmapped_reasons,omitempty"`
	UnknownActions  []ValueCount     `json:"unknown_actions,omitempty"`  // most frequent raw actions with no canonical action
	UnparsableLines []FileLine       `json:"unparsable_lines,omitempty"` // first lines that could not be parsed
	FirstEvent      *time.Time       `json:"first_event,omitempty"`
	LastEvent       *time.Time       `json:"last_event,omitempty"`
}

// ValueCount is a value and how often it occurred.
type ValueCount struct {
	Value string `json:"value"`
	Count int64  `json:"count"`
}

// FileLine locates a line in a log file.
type FileLine struct {
	File string `json:"file"`
	Line int64  `json:"line"`
}

// maxLineExamples caps the unparsable lines listed per source.
const maxLineExamples = 20

func ingestTableDDL() string {
	var cols []string
	for _, f := range mappableFields() {
		cols = append(cols, quoteIdent(f)+" "+columnType(f))
	}
	cols = append(cols, "source VARCHAR", "unmapped_reason VARCHAR", "raw_action VARCHAR", "raw VARCHAR", "file VARCHAR")
	return "CREATE OR REPLACE TABLE ingest (" + strings.Join(cols, ", ") + ")"
}

func eventsViewDDL() string {
	var cols []string
	for _, c := range detections.EventColumns {
		if c.Name == "event_id" {
			cols = append(cols, "rowid AS event_id")
			continue
		}
		cols = append(cols, quoteIdent(c.Name))
	}
	return "CREATE OR REPLACE VIEW events AS SELECT " + strings.Join(cols, ", ") + " FROM ingest WHERE unmapped_reason IS NULL"
}

const unmappedDDL = `CREATE OR REPLACE TABLE unmapped (source VARCHAR, file VARCHAR, line BIGINT, reason VARCHAR, raw_action VARCHAR, raw VARCHAR)`

// resolveMapping returns the mapping a source uses.
func (s LogSource) resolveMapping() (Mapping, error) {
	if s.Custom != nil {
		return *s.Custom, s.Custom.Validate()
	}
	if s.Mapping == "" {
		return Mapping{}, errors.New("no mapping: set Mapping or Custom")
	}
	return BuiltinMapping(s.Mapping)
}

func (s LogSource) label() string {
	if s.Name != "" {
		return s.Name
	}
	if s.Custom != nil {
		return s.Custom.Name
	}
	return s.Mapping
}

// expandPaths resolves globs; every pattern must match at least one file.
func expandPaths(paths []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	var errs []error
	for _, p := range paths {
		matches, err := filepath.Glob(p)
		if err != nil {
			errs = append(errs, fmt.Errorf("pattern %q: %w", p, err))
			continue
		}
		if len(matches) == 0 {
			errs = append(errs, fmt.Errorf("no file matches %q", p))
			continue
		}
		for _, m := range matches {
			if st, err := os.Stat(m); err != nil || st.IsDir() {
				continue
			}
			if !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	if len(out) == 0 && len(errs) == 0 {
		errs = append(errs, errors.New("no files"))
	}
	sort.Strings(out)
	return out, errors.Join(errs...)
}

// ingest reads every source into the ingest table and builds the events
// view and the unmapped table.
func (e *engine) ingest(ctx context.Context, sources []LogSource, from, to time.Time) ([]SourceStats, error) {
	if err := e.exec(ctx, ingestTableDDL()); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrEngine, err)
	}
	if err := e.exec(ctx, unmappedDDL); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrEngine, err)
	}
	names := map[string]bool{}
	var stats []SourceStats
	var errs []error
	e.startProgress(sources)
	for i, src := range sources {
		name := src.label()
		if names[name] {
			errs = append(errs, &SourceError{Source: name, Err: errors.New("duplicate source name")})
			continue
		}
		names[name] = true
		st, err := e.ingestSource(ctx, i, name, src)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		stats = append(stats, st)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if err := e.exec(ctx, eventsViewDDL()); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrEngine, err)
	}
	e.phase("ingest")
	if err := e.exec(ctx, `INSERT INTO unmapped SELECT source, file, NULL, unmapped_reason, raw_action, raw
		FROM ingest WHERE unmapped_reason IS NOT NULL`); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrEngine, err)
	}
	for i := range stats {
		if err := e.sourceStats(ctx, &stats[i], from, to); err != nil {
			return nil, err
		}
	}
	e.phase("source stats")
	return stats, nil
}

func (e *engine) ingestSource(ctx context.Context, i int, name string, src LogSource) (SourceStats, error) {
	st := SourceStats{Name: name, Reasons: map[string]int64{}}
	files, err := expandPaths(src.Paths)
	if err != nil {
		return st, &SourceError{Source: name, Path: strings.Join(src.Paths, ", "), Err: err}
	}
	st.Files = files
	groups, err := src.plan(files)
	if err != nil {
		return st, &SourceError{Source: name, Err: err}
	}
	var mappings, formats []string
	for j, g := range groups {
		if !slices.Contains(mappings, g.m.Name) {
			mappings = append(mappings, g.m.Name)
		}
		if !slices.Contains(formats, g.m.Format) {
			formats = append(formats, g.m.Format)
		}
		if err := e.ingestGroup(ctx, fmt.Sprintf("%d_%d", i, j), name, g); err != nil {
			return st, err
		}
		e.advance(g.files)
	}
	st.Mapping, st.Format = strings.Join(mappings, "+"), strings.Join(formats, "+")
	return st, nil
}

// startProgress tells e.progress the total bytes of the sources' log files.
func (e *engine) startProgress(sources []LogSource) {
	if e.progress == nil {
		return
	}
	var total int64
	for _, src := range sources {
		files, _ := expandPaths(src.Paths) // a bad pattern fails the source later
		total += fileBytes(files)
	}
	e.done, e.total = 0, total
	if total > 0 {
		e.progress(0, total)
	}
}

// advance adds the bytes of files, just ingested, to the progress.
func (e *engine) advance(files []string) {
	if e.progress == nil || e.total <= 0 {
		return
	}
	e.done = min(e.done+fileBytes(files), e.total)
	e.progress(e.done, e.total)
}

// fileBytes is the total size of files (those it cannot stat count 0).
func fileBytes(files []string) int64 {
	var n int64
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil {
			n += fi.Size()
		}
	}
	return n
}

// ingestGroup reads files that share one mapping and format.
func (e *engine) ingestGroup(ctx context.Context, suffix, name string, g fileGroup) error {
	rejects, scans := "vigil_rejects_"+suffix, "vigil_reject_scans_"+suffix
	missing, err := e.missingColumns(ctx, g.m, g.files)
	if err != nil {
		return &SourceError{Source: name, Path: strings.Join(g.files, ", "), Err: redact(err)}
	}
	c, err := g.m.compile(g.files, name, rejects, scans, missing...)
	if err != nil {
		return &SourceError{Source: name, Err: err}
	}
	if err := e.exec(ctx, "INSERT INTO ingest "+c.selectSQL); err != nil {
		return &SourceError{Source: name, Path: strings.Join(g.files, ", "), Err: redact(err)}
	}
	if c.csvRejects != "" {
		// Lines DuckDB could not parse as CSV never reach ingest; keep them in
		// unmapped with their line numbers.
		q := `INSERT INTO unmapped
			SELECT ` + mustLiteral(name) + `, s.file_path, e.line, 'unparsable', NULL, any_value(e.csv_line)
			FROM ` + rejects + ` e JOIN ` + scans + ` s ON s.scan_id = e.scan_id AND s.file_id = e.file_id
			GROUP BY s.file_path, e.line`
		if err := e.exec(ctx, q); err != nil {
			return &SourceError{Source: name, Err: fmt.Errorf("csv rejects: %w", err)}
		}
	}
	return nil
}

// missingColumns returns the source columns the mapping reads that none of
// the files has: they are read as NULL. JSON mappings with a declared
// schema need none (DuckDB reads absent keys as NULL).
func (e *engine) missingColumns(ctx context.Context, m Mapping, files []string) ([]string, error) {
	if m.Format == "json" && m.jsonColumns() != nil {
		return nil, nil
	}
	lits := make([]string, len(files))
	for i, f := range files {
		q, err := quoteLiteral(f)
		if err != nil {
			return nil, err
		}
		lits[i] = q
	}
	list := "[" + strings.Join(lits, ", ") + "]"
	read := "read_json(" + list + ", format = '" + m.jsonFormat() + "', ignore_errors = true, union_by_name = true, maximum_object_size = 16777216)"
	if m.Format == "csv" {
		read = "read_csv(" + list + ", header = true, all_varchar = true, union_by_name = true, ignore_errors = true"
		if m.Delimiter != "" {
			d, err := quoteLiteral(m.Delimiter)
			if err != nil {
				return nil, err
			}
			read += ", delim = " + d
		}
		read += ")"
	}
	rows, err := e.conn.QueryContext(ctx, "DESCRIBE SELECT * FROM "+read)
	if err != nil {
		return nil, fmt.Errorf("reading the columns: %w", err)
	}
	defer rows.Close()
	present := map[string]bool{}
	cols, _ := rows.Columns()
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		if n, ok := vals[0].(string); ok {
			present[n] = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var missing []string
	for _, c := range m.neededColumns() {
		if !present[c] {
			missing = append(missing, c)
		}
	}
	return missing, nil
}

func (e *engine) sourceStats(ctx context.Context, st *SourceStats, from, to time.Time) error {
	row := e.conn.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE unmapped_reason IS NULL),
		count(*) FILTER (WHERE unmapped_reason IS NULL AND time >= $1 AND time < $2),
		min(time) FILTER (WHERE unmapped_reason IS NULL), max(time) FILTER (WHERE unmapped_reason IS NULL)
		FROM ingest WHERE source = $3`, from, to, st.Name)
	var first, last *time.Time
	if err := row.Scan(&st.Read, &st.Mapped, &st.InPeriod, &first, &last); err != nil {
		return fmt.Errorf("%w: source stats: %v", ErrEngine, err)
	}
	if first != nil {
		f, l := first.UTC(), last.UTC()
		st.FirstEvent, st.LastEvent = &f, &l
	}
	// CSV lines that never reached ingest.
	var rejected int64
	if err := e.conn.QueryRowContext(ctx, `SELECT count(*) FROM unmapped WHERE source = $1 AND line IS NOT NULL`, st.Name).Scan(&rejected); err != nil {
		return fmt.Errorf("%w: source stats: %v", ErrEngine, err)
	}
	st.Read += rejected
	st.Unmapped = st.Read - st.Mapped
	rows, err := e.conn.QueryContext(ctx, `SELECT reason, count(*) FROM unmapped WHERE source = $1 GROUP BY reason ORDER BY reason`, st.Name)
	if err != nil {
		return fmt.Errorf("%w: source stats: %v", ErrEngine, err)
	}
	for rows.Next() {
		var r string
		var n int64
		if err := rows.Scan(&r, &n); err != nil {
			rows.Close()
			return err
		}
		st.Reasons[r] = n
	}
	rows.Close()
	if len(st.Reasons) == 0 {
		st.Reasons = nil
	}
	rows, err = e.conn.QueryContext(ctx, `SELECT raw_action, count(*) AS n FROM unmapped
		WHERE source = $1 AND reason = 'unknown_action' GROUP BY raw_action ORDER BY n DESC, raw_action LIMIT 10`, st.Name)
	if err != nil {
		return fmt.Errorf("%w: source stats: %v", ErrEngine, err)
	}
	for rows.Next() {
		var vc ValueCount
		if err := rows.Scan(&vc.Value, &vc.Count); err != nil {
			rows.Close()
			return err
		}
		st.UnknownActions = append(st.UnknownActions, vc)
	}
	rows.Close()
	rows, err = e.conn.QueryContext(ctx, `SELECT file, line FROM unmapped WHERE source = $1 AND line IS NOT NULL
		ORDER BY file, line LIMIT `+fmt.Sprint(maxLineExamples), st.Name)
	if err != nil {
		return fmt.Errorf("%w: source stats: %v", ErrEngine, err)
	}
	for rows.Next() {
		var fl FileLine
		if err := rows.Scan(&fl.File, &fl.Line); err != nil {
			rows.Close()
			return err
		}
		st.UnparsableLines = append(st.UnparsableLines, fl)
	}
	rows.Close()
	if st.Format == "json" && st.Reasons["unparsable"] > 0 && len(st.UnparsableLines) == 0 {
		st.UnparsableLines = e.findBadJSONLines(ctx, st.Name)
	}
	return nil
}

// findBadJSONLines locates the first malformed lines of the files that had
// unparsable records (DuckDB does not report line numbers for JSON).
func (e *engine) findBadJSONLines(ctx context.Context, source string) []FileLine {
	rows, err := e.conn.QueryContext(ctx, `SELECT DISTINCT file FROM unmapped WHERE source = $1 AND reason = 'unparsable' ORDER BY file`, source)
	if err != nil {
		return nil
	}
	var files []string
	for rows.Next() {
		var f string
		if rows.Scan(&f) == nil {
			files = append(files, f)
		}
	}
	rows.Close()
	var out []FileLine
	for _, f := range files {
		lines, _ := badJSONLines(f, maxLineExamples-len(out))
		for _, l := range lines {
			out = append(out, FileLine{File: f, Line: l})
		}
		if len(out) >= maxLineExamples {
			break
		}
	}
	return out
}

// badJSONLines returns up to limit line numbers of file that are not JSON
// objects. Plain and gzip files are scanned; other compressions are skipped.
func badJSONLines(file string, limit int) ([]int64, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	switch {
	case strings.HasSuffix(file, ".gz"):
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, err
		}
		defer gz.Close()
		r = gz
	case strings.HasSuffix(file, ".zst"):
		return nil, nil
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 64*1024*1024)
	var out []int64
	var n int64
	for sc.Scan() && len(out) < limit {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if n == 1 && line[0] == '[' {
			return nil, nil // one JSON array: DuckDB reads it whole; no line to name
		}
		if line[0] != '{' || !json.Valid([]byte(line)) {
			out = append(out, n)
		}
	}
	return out, sc.Err()
}
