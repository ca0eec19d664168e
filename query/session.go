package query

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// MetadataFile is the file that marks a directory as a dataset written by
// the anonymize stage.
const MetadataFile = "_vigil.json"

// Options configure a Session.
type Options struct {
	Datasets string // datasets root: one directory per table
	LogPath  string // access log (JSON lines), required; see LogPath
	// Label is a display name for the analyst (e.g. from $VIGIL_USER). It
	// is logged beside the identity but never replaces it: the access log
	// attributes every statement to the OS account of the process (its
	// effective uid), which the analyst cannot choose.
	Label string
	// User is the former name of Label. Deprecated: use Label; it no
	// longer changes who the access log names.
	User    string
	Format  string // table (default), csv, json or ndjson
	MaxRows int    // 0: DefaultTableRows for table, no limit otherwise; <0: no limit
	Logger  *slog.Logger

	Host string           // default os.Hostname
	Now  func() time.Time // default time.Now
	// TimeZone is the zone timestamps are shown in and DuckDB's TimeZone
	// setting (casts, date parts, ::DATE): an IANA name, "Local", or empty
	// for UTC. The analyst changes it with SET TimeZone = 'Zone' (RESET
	// TimeZone goes back to this one).
	TimeZone string
}

// Stats describe one statement that ran.
type Stats struct {
	Statement string   // statement type: SELECT, EXPLAIN, …
	Tables    []string // datasets the statement names
	Columns   int
	Rows      int64 // rows written to the output
	Truncated bool  // the row limit cut the result
	Duration  time.Duration
}

// Session is one analyst's connection to the datasets: an in-memory DuckDB
// with a view per dataset, locked so that SQL reads nothing else. Its
// methods are safe for concurrent use but run one statement at a time.
type Session struct {
	mu      sync.Mutex
	root    string
	log     *slog.Logger
	alog    *accessLog
	id      string
	user    string // OS account of the effective uid
	uid     int    // effective uid
	label   string // display label, never the identity
	host    string
	format  string
	maxRows int
	now     func() time.Time
	tmp     string

	eng     *engine
	sets    []dataset       // the datasets with a view
	scanned []dataset       // what the last scan found (a dataset DuckDB cannot read has no view)
	warned  map[string]bool // skipped directories already warned about

	zone, defaultZone *time.Location // shown zone; the configured one
}

// dataset is one dataset directory and its Parquet files.
type dataset struct {
	name  string
	dir   string
	files []string // absolute paths, sorted
}

// engine is one locked-down DuckDB database with a single connection.
type engine struct {
	db   *sql.DB
	conn *sql.Conn
}

// Open scans the datasets root, opens an in-memory DuckDB with one view per
// dataset and locks it down: afterwards SQL can read the datasets' Parquet
// files and nothing else, cannot write any file, load an extension or
// change a setting. The access log is opened (created 0600) before any
// statement can run.
func Open(ctx context.Context, opts Options) (*Session, error) {
	if opts.Datasets == "" {
		return nil, fmt.Errorf("%w: no datasets directory", ErrOptions)
	}
	if opts.LogPath == "" {
		return nil, fmt.Errorf("%w: no access log: every query is audited", ErrOptions)
	}
	format := FormatTable
	if opts.Format != "" {
		f, err := ParseFormat(opts.Format)
		if err != nil {
			return nil, err
		}
		format = f
	}
	zone, err := loadZone(opts.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrOptions, err)
	}
	s := &Session{format: format, maxRows: opts.MaxRows, log: opts.Logger, now: opts.Now, host: opts.Host, warned: map[string]bool{}, zone: zone, defaultZone: zone}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.host == "" {
		s.host, _ = os.Hostname()
	}
	s.uid = os.Geteuid()
	s.user = osAccount(s.uid)
	s.label = opts.Label
	if s.label == "" {
		s.label = opts.User
	}
	if s.label == s.user {
		s.label = ""
	}
	var id [8]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, err
	}
	s.id = hex.EncodeToString(id[:])

	root, err := filepath.Abs(opts.Datasets)
	if err == nil {
		root, err = filepath.EvalSymlinks(root)
	}
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s does not exist (the anonymize stage writes it)", ErrNoDatasets, opts.Datasets)
		}
		return nil, fmt.Errorf("%w: %v", ErrNoDatasets, err)
	}
	s.root = root
	sets, err := s.scan()
	if err != nil {
		return nil, err
	}
	if len(sets) == 0 {
		return nil, fmt.Errorf("%w: none in %s (the anonymize stage writes them)", ErrNoDatasets, root)
	}
	if s.alog, err = openAccessLog(opts.LogPath); err != nil {
		return nil, err
	}
	if s.tmp, err = os.MkdirTemp("", "vigil-query-"); err != nil {
		s.alog.close()
		return nil, err
	}
	if err := s.load(ctx, sets); err != nil {
		s.alog.close()
		os.RemoveAll(s.tmp)
		return nil, err
	}
	s.log.Debug("query: session open", "session", s.id, "datasets", root, "tables", len(s.sets))
	return s, nil
}

// Close closes the database and the access log.
func (s *Session) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	if s.eng != nil {
		errs = append(errs, s.eng.close())
		s.eng = nil
	}
	if s.alog != nil {
		errs = append(errs, s.alog.close())
	}
	if s.tmp != "" {
		errs = append(errs, os.RemoveAll(s.tmp))
		s.tmp = ""
	}
	return errors.Join(errs...)
}

// ID returns the session's random id, as the access log records it.
func (s *Session) ID() string { return s.id }

// Tables returns the names of the datasets, sorted.
func (s *Session) Tables() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.names()
}

func (s *Session) names() []string {
	out := make([]string, len(s.sets))
	for i, d := range s.sets {
		out[i] = d.name
	}
	return out
}

// Format returns the current output format.
func (s *Session) Format() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.format
}

// SetFormat changes the output format of the statements that follow.
func (s *Session) SetFormat(f string) error {
	f, err := ParseFormat(f)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.format = f
	s.mu.Unlock()
	return nil
}

// limit is the row limit of the current format; 0 means none.
func (s *Session) limit() int64 {
	switch {
	case s.maxRows > 0:
		return int64(s.maxRows)
	case s.maxRows < 0:
		return 0
	case s.format == FormatTable:
		return DefaultTableRows
	}
	return 0
}

// scan lists the dataset directories of the root: directories holding
// _vigil.json and at least one Parquet file. Hidden directories (the
// anonymize stage's temporary and replaced ones) are ignored; anything
// else that is not a usable dataset is logged as a warning.
func (s *Session) scan() ([]dataset, error) {
	entries, err := os.ReadDir(s.root)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoDatasets, err)
	}
	var out []dataset
	seen := map[string]string{}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		dir := filepath.Join(s.root, name)
		if e.Type()&fs.ModeSymlink != 0 {
			s.skip(dir, "a symbolic link")
			continue
		}
		if !e.IsDir() {
			continue
		}
		if reason := badName(name); reason != "" {
			s.skip(dir, reason)
			continue
		}
		if other, ok := seen[strings.ToLower(name)]; ok {
			s.skip(dir, "its name differs from "+other+" only in case")
			continue
		}
		if fi, err := os.Lstat(filepath.Join(dir, MetadataFile)); err != nil || !fi.Mode().IsRegular() {
			s.skip(dir, "no "+MetadataFile+" (not written by the anonymize stage)")
			continue
		}
		files, err := os.ReadDir(dir)
		if err != nil {
			s.skip(dir, err.Error())
			continue
		}
		d := dataset{name: name, dir: dir}
		for _, f := range files {
			fn := f.Name()
			if f.Type().IsRegular() && strings.HasSuffix(fn, ".parquet") && !strings.HasPrefix(fn, ".") && badName(fn) == "" {
				d.files = append(d.files, filepath.Join(dir, fn))
			}
		}
		if len(d.files) == 0 {
			s.skip(dir, "no Parquet files")
			continue
		}
		sort.Strings(d.files)
		seen[strings.ToLower(name)] = name
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

// skip warns, once per session, that a directory is not used as a dataset.
func (s *Session) skip(dir, reason string) {
	key := dir + "\x00" + reason
	if s.warned[key] {
		return
	}
	s.warned[key] = true
	s.log.Warn("query: dataset skipped", "dir", dir, "reason", reason)
}

// badName says why a file or directory name cannot be used in a view: DuckDB
// would take glob characters as a pattern, and control characters have no
// place in a table name.
func badName(name string) string {
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return "control character in its name"
		}
	}
	if strings.ContainsAny(name, "*?[]{}") {
		return "glob character in its name"
	}
	return ""
}

// sameSets reports whether two scans found the same tables and files.
func sameSets(a, b []dataset) bool {
	return slices.EqualFunc(a, b, func(x, y dataset) bool {
		return x.name == y.name && slices.Equal(x.files, y.files)
	})
}

// sqlString quotes s as a SQL string literal.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// sqlIdent quotes s as a SQL identifier.
func sqlIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func sqlList(items []string) string {
	q := make([]string, len(items))
	for i, it := range items {
		q[i] = sqlString(it)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// load builds a new locked-down engine over sets and makes it current.
func (s *Session) load(ctx context.Context, sets []dataset) error {
	eng, kept, err := s.build(ctx, sets)
	if err != nil {
		return err
	}
	if s.eng != nil {
		if err := s.eng.close(); err != nil {
			s.log.Warn("query: closing the previous engine", "error", err.Error())
		}
	}
	s.eng, s.sets, s.scanned = eng, kept, sets
	return nil
}

// build opens an in-memory DuckDB, creates a view per dataset (a dataset
// DuckDB cannot read is skipped with a warning) and locks it down:
//
//   - allowed_paths lists exactly the datasets' Parquet files, then
//     enable_external_access=false forbids every other file, directory,
//     URL and extension: read_csv('/etc/passwd'), ATTACH, COPY TO,
//     INSTALL and LOAD fail inside DuckDB;
//   - lock_configuration=true forbids SET and RESET, so SQL cannot undo it.
//
// Views resolve their files when queried, which allowed_paths permits.
func (s *Session) build(ctx context.Context, sets []dataset) (*engine, []dataset, error) {
	connector, err := duckdb.NewConnector("?autoinstall_known_extensions=false&autoload_known_extensions=false", func(ex driver.ExecerContext) error {
		for _, q := range []string{
			"SET autoinstall_known_extensions = false",
			"SET autoload_known_extensions = false",
			"SET TimeZone = " + sqlString(duckZoneName(s.zone)),
		} {
			if _, err := ex.ExecContext(context.Background(), q, nil); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("%w: open duckdb: %v", ErrLockdown, err)
	}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("%w: connect: %v", ErrLockdown, err)
	}
	eng := &engine{db: db, conn: conn}
	var kept []dataset
	var allowed []string
	for _, d := range sets {
		q := fmt.Sprintf("CREATE VIEW %s AS SELECT * FROM read_parquet(%s)", sqlIdent(d.name), sqlList(d.files))
		if _, err := conn.ExecContext(ctx, q); err != nil {
			if ctx.Err() != nil {
				eng.close()
				return nil, nil, ctx.Err()
			}
			s.skip(d.dir, "DuckDB cannot read it: "+err.Error())
			continue
		}
		kept = append(kept, d)
		allowed = append(allowed, d.files...)
	}
	lock := []string{
		"SET allowed_directories = []",
		"SET allowed_paths = " + sqlList(allowed),
		"SET temp_directory = " + sqlString(spillDir(s.tmp)),
		"SET max_temp_directory_size = " + sqlString(MaxSpill),
		"SET extension_directory = '.'",
		"SET secret_directory = '.'",
		"SET home_directory = '.'",
		"SET enable_external_access = false",
		"SET lock_configuration = true",
	}
	for _, q := range lock {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			eng.close()
			return nil, nil, fmt.Errorf("%w: %s: %v", ErrLockdown, q, err)
		}
	}
	var external, locked bool
	if err := conn.QueryRowContext(ctx, "SELECT current_setting('enable_external_access'), current_setting('lock_configuration')").Scan(&external, &locked); err != nil || external || !locked {
		eng.close()
		return nil, nil, fmt.Errorf("%w: settings did not take (external access %v, locked %v, error %v)", ErrLockdown, external, locked, err)
	}
	return eng, kept, nil
}

func (e *engine) close() error {
	return errors.Join(e.conn.Close(), e.db.Close())
}

// refresh rescans the datasets and, when tables or files changed (a
// nightly run replaced a dataset), rebuilds the engine.
func (s *Session) refresh(ctx context.Context) {
	sets, err := s.scan()
	if err != nil {
		s.log.Warn("query: rescanning the datasets", "error", err.Error())
		return
	}
	if sameSets(sets, s.scanned) {
		return
	}
	if err := s.load(ctx, sets); err != nil {
		s.log.Warn("query: reloading the datasets", "error", err.Error())
		return
	}
	s.log.Info("query: datasets changed; reloaded", "tables", len(s.sets))
}

// Exec runs one read-only statement and writes its result to w in the
// session's format. Every call that holds a statement appends one line to
// the access log, whether it ran, failed or was refused; if that append
// fails, Exec fails. Statements other than SELECT (including DESCRIBE,
// SHOW, SUMMARIZE, PRAGMA table_info, VALUES, FROM-first) and EXPLAIN of
// such a statement are refused with a *RefusedError.
func (s *Session) Exec(ctx context.Context, sql string, w io.Writer) (*Stats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.eng == nil {
		return nil, fmt.Errorf("%w: session closed", ErrOptions)
	}
	start := s.now()
	st := &Stats{Tables: []string{}}
	err := s.exec(ctx, sql, w, st, start)
	if errors.Is(err, ErrEmpty) {
		return st, err
	}
	if st.Duration == 0 {
		st.Duration = s.now().Sub(start)
	}
	e := &LogEntry{
		Format: LogFormat, Time: start.UTC(), User: s.user, UID: &s.uid, Label: s.label, Host: s.host, Session: s.id, Action: "query",
		Statement: st.Statement, SQLSHA256: sqlDigest(strings.TrimSpace(sql)), Tables: st.Tables, Rows: st.Rows,
		Truncated: st.Truncated, Output: s.format, Status: StatusOK,
		DurationMS: float64(st.Duration.Microseconds()) / 1000,
	}
	if err != nil {
		e.Status, e.Error = StatusError, errorClass(err)
		if errors.Is(err, ErrRefused) {
			e.Status = StatusDenied
		}
	}
	if lerr := s.alog.append(e); lerr != nil {
		return st, errors.Join(err, lerr)
	}
	return st, err
}

// errorClass names the kind of an error for the access log, never its
// message (which may quote the statement).
func errorClass(err error) string {
	var se *SQLError
	switch {
	case errors.Is(err, ErrRefused):
		return "refused"
	case errors.Is(err, ErrMultipleStatements):
		return "multiple statements"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "interrupted"
	case errors.As(err, &se):
		return se.Type
	case errors.Is(err, errOutput):
		return "output"
	}
	return "internal"
}

var errOutput = errors.New("query: writing the result")

// sqlError wraps an error from DuckDB as a *SQLError with its class.
func sqlError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	msg := err.Error()
	if strings.Contains(msg, "missing context for multi-statement query") {
		return &SQLError{Type: "Parser", Err: errors.New("the statement expands to several statements (a PIVOT without IN (...) does); list the values explicitly")}
	}
	typ := "DuckDB"
	var de *duckdb.Error
	if errors.As(err, &de) {
		msg = de.Msg
	}
	if i := strings.Index(msg, " Error: "); i > 0 && i < 40 && strings.Trim(msg[:i], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz ") == "" {
		typ = msg[:i] // DuckDB's class: Parser, Binder, Catalog, Permission, …
	}
	return &SQLError{Type: typ, Err: err}
}

func (s *Session) exec(ctx context.Context, sqlText string, w io.Writer, st *Stats, start time.Time) error {
	s.refresh(ctx)
	if name, ok := parseSetTimeZone(sqlText); ok {
		st.Statement = "SET"
		return s.setZone(ctx, name)
	}
	text, err := precheck(sqlText)
	st.Statement = leadingKeyword(sqlText)
	st.Tables = referencedTables(sqlText, s.names())
	if err != nil {
		return err
	}
	return s.eng.conn.Raw(func(dc any) error {
		c, ok := dc.(*duckdb.Conn)
		if !ok {
			return fmt.Errorf("query: unexpected driver connection %T", dc)
		}
		stmt, err := prepare(c, text)
		if err != nil {
			return err
		}
		defer stmt.Close()
		typ, err := stmt.StatementType()
		if err != nil {
			return sqlError(err)
		}
		st.Statement = stmtTypeName(typ)
		checked := text
		switch typ {
		case duckdb.STATEMENT_TYPE_SELECT:
		case duckdb.STATEMENT_TYPE_EXPLAIN:
			if err := checkExplained(c, text); err != nil {
				return err
			}
			checked, _ = explainTarget(text)
		default:
			return &RefusedError{Statement: st.Statement, Reason: "only statements that read the datasets may run (SELECT, WITH, FROM, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN)"}
		}
		res, err := resolve(ctx, c, checked)
		if err != nil {
			return err
		}
		st.Tables = s.mergeTables(st.Tables, res.tables)
		rows, err := stmt.QueryContext(ctx, nil)
		if err != nil {
			return sqlError(err)
		}
		defer rows.Close()
		return s.stream(ctx, rows, w, st, start, typ == duckdb.STATEMENT_TYPE_EXPLAIN)
	})
}

// osAccount names the OS account of uid: its user name, else "uid:N".
func osAccount(uid int) string {
	if u, err := user.LookupId(fmt.Sprint(uid)); err == nil && u.Username != "" {
		return u.Username
	}
	return "uid:" + fmt.Sprint(uid)
}

// mergeTables adds to tables the datasets DuckDB resolved the statement to.
func (s *Session) mergeTables(tables []string, resolvedNames map[string]bool) []string {
	for _, n := range s.names() {
		if resolvedNames[strings.ToLower(n)] && !slices.Contains(tables, n) {
			tables = append(tables, n)
		}
	}
	sort.Strings(tables)
	return tables
}

// prepare prepares exactly one statement. Prepare (unlike PrepareContext)
// refuses a text holding several statements instead of running all but
// the last.
func prepare(c *duckdb.Conn, text string) (*duckdb.Stmt, error) {
	ds, err := c.Prepare(text)
	if err != nil {
		return nil, sqlError(err)
	}
	stmt, ok := ds.(*duckdb.Stmt)
	if !ok {
		ds.Close()
		return nil, fmt.Errorf("query: unexpected statement %T", ds)
	}
	return stmt, nil
}

// checkExplained refuses an EXPLAIN of anything but a SELECT: EXPLAIN
// ANALYZE runs the statement it explains.
func checkExplained(c *duckdb.Conn, text string) error {
	target, ok := explainTarget(text)
	if !ok {
		return &RefusedError{Statement: "EXPLAIN", Reason: "cannot tell which statement it explains"}
	}
	stmt, err := prepare(c, target)
	if err != nil {
		return err
	}
	defer stmt.Close()
	typ, err := stmt.StatementType()
	if err != nil {
		return sqlError(err)
	}
	if typ != duckdb.STATEMENT_TYPE_SELECT {
		return &RefusedError{Statement: "EXPLAIN " + stmtTypeName(typ), Reason: "only a SELECT may be explained"}
	}
	return nil
}

// stream writes the rows of a result in the session's format, up to the
// row limit.
func (s *Session) stream(ctx context.Context, rows driver.Rows, w io.Writer, st *Stats, start time.Time, explain bool) error {
	names := rows.Columns()
	typer, _ := rows.(driver.RowsColumnTypeDatabaseTypeName)
	cols := make([]column, len(names))
	for i, n := range names {
		cols[i].name = n
		if typer != nil {
			cols[i].dbType = typer.ColumnTypeDatabaseTypeName(i)
		}
		cols[i].numeric = isNumericType(cols[i].dbType)
		cols[i].zoned = isZonedType(cols[i].dbType)
	}
	st.Columns = len(cols)
	rw := newResultWriter(s.format, w, explain)
	if err := rw.header(cols); err != nil {
		return fmt.Errorf("%w: %w", errOutput, err)
	}
	limit := s.limit()
	dest := make([]driver.Value, len(cols))
	vals := make([]any, len(cols))
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := rows.Next(dest)
		if err == io.EOF {
			break
		}
		if err != nil {
			return sqlError(err)
		}
		if limit > 0 && st.Rows >= limit {
			st.Truncated = true
			break
		}
		for i, v := range dest {
			if t, ok := v.(time.Time); ok && cols[i].zoned {
				v = t.In(s.zone)
			}
			vals[i] = v
		}
		if err := rw.row(vals); err != nil {
			return fmt.Errorf("%w: %w", errOutput, err)
		}
		st.Rows++
	}
	st.Duration = s.now().Sub(start)
	if err := rw.footer(st); err != nil {
		return fmt.Errorf("%w: %w", errOutput, err)
	}
	return nil
}
