package extract

// The PostgreSQL source.
//
// # PostgreSQL source
//
// [OpenPostgres] reads one table, or the result of one SELECT, from a
// PostgreSQL server (github.com/jackc/pgx/v5) as a [TableReader]. It opens
// its own connection and runs everything inside one REPEATABLE READ READ
// ONLY transaction, so all rows come from a single snapshot and a query
// cannot write. Rows are streamed from the server as Next is called (the
// result is never loaded whole); the transaction and the connection end at
// Close. The session uses TimeZone UTC and DateStyle ISO; values are read in
// PostgreSQL's text form and converted by the same rules as declared CSV
// columns.
//
// PostgresOptions.Source names a table as "table" or "schema.table"; each
// part is quoted as an identifier (pgx.Identifier), so it is taken
// literally, case included, and cannot inject SQL. PostgresOptions.Query is
// run as given instead (one statement, no parameters).
//
// Column types come from the result's PostgreSQL types unless declared in
// PostgresOptions.Types (by exact column name). The mapping keeps every
// value exactly (faithful types):
//
//   - int2, int4, int8 → int64
//   - numeric(p,s) → decimal(p,s); numeric(p,-s) → decimal(p+s,0); a scale
//     above the precision gives decimal(s,s); precision above 38 → string
//   - numeric without a precision → string holding the exact value
//     (PostgreSQL's text form, NaN and ±Infinity included); declare the
//     column as decimal(p,s) to get a decimal (values that do not fit are
//     then rejected, never rounded)
//   - float4, float8 → float64 (PostgreSQL 12+ prints the shortest text that
//     reads back to the same value; NaN and ±Infinity are kept)
//   - bool → bool; date → date; timestamp and timestamptz → timestamp
//     (microseconds, UTC; timestamp without time zone is read as UTC).
//     ±infinity, BC dates and years after 9999 are rejected.
//   - bytea → binary (the bytes themselves)
//   - everything else (text, varchar, char, uuid, json, jsonb, time, timetz,
//     interval, inet, money, enums, arrays, ranges, composite types, …) →
//     string holding PostgreSQL's text form: json/jsonb as their text,
//     arrays as PostgreSQL array literals ('{a,"b c",NULL}', any number of
//     dimensions), intervals in the "postgres" IntervalStyle.
//   - a domain is read as its base type.
//
// Whatever the Arrow type, the original PostgreSQL type of every column is
// recorded: SourceInfo returns it under "postgres.columns" (JSON: name,
// type as format_type prints it, e.g. "numeric(12,2)", "timestamp with time
// zone", "crm.deal_stage[]", and NOT NULL), and the definitions of the
// enums and domains the columns use under "postgres.types" (enum labels in
// order; domain base type, NOT NULL and CHECK constraints). The snapshot
// stage stores both in the manifest's extra fields; restoring into
// PostgreSQL uses them to recreate the columns, enums and domains with the
// original types.
//
// SQL NULL is null; unlike CSV, an empty string stays an empty string.
//
// A row with a value its column's type cannot take is rejected, like a CSV
// record: Reject.File names the source ("postgres:schema.table" or
// "postgres:query"), Line is the row number in the result (1-based), Column
// the column, Reason says why without quoting the value, and Raw holds the
// row's text form as one CSV record (NULL is an empty field, an empty
// string is ""). Raw is personal data: never log it. Stats.RowsRead ==
// RowsWritten + RowsRejected at every moment; Stats.Bytes counts the text
// received. When reading fails, the partial batch is dropped and not counted.
//
// # Errors
//
// Errors name the Vigil table and the source (and the column where there is
// one). Failing to reach the server, or losing it while reading, gives an
// [*UnavailableError]: it matches [ErrSourceUnavailable] with errors.Is and
// has Temporary() true, so the pipeline retries it. Authentication failures,
// a missing database, SQL errors and a query that tries to write are not
// temporary. The DSN is never part of an error (pgx parse errors can quote
// it), the password is scrubbed from every message, and PostgreSQL messages
// of data exceptions (SQLSTATE classes 22 and 23, which can quote row
// values) are replaced by their SQLSTATE code.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// ErrSourceUnavailable is matched (errors.Is) by errors that mean a source
// could not be reached or went away; retrying later may succeed.
var ErrSourceUnavailable = errors.New("extract: source unavailable")

// DefaultConnectTimeout bounds connecting to PostgreSQL when the DSN sets no
// connect_timeout.
const DefaultConnectTimeout = 30 * time.Second

// UnavailableError is a transient failure to reach or keep a source. It
// matches ErrSourceUnavailable and the underlying error; Temporary reports
// true so that callers retry it. Its message never contains the password.
type UnavailableError struct {
	Table  string // the Vigil table
	Source string // e.g. "postgres:crm.customers" or "postgres:query"
	Op     string // what failed: "connect", "begin transaction", "query", "read"
	Err    error
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("extract: table %s (%s): source unavailable: %s: %v", e.Table, e.Source, e.Op, e.Err)
}

// Unwrap returns ErrSourceUnavailable and the underlying error.
func (e *UnavailableError) Unwrap() []error { return []error{ErrSourceUnavailable, e.Err} }

// Temporary reports true: the failure may go away.
func (e *UnavailableError) Temporary() bool { return true }

// PostgresOptions configures OpenPostgres. Exactly one of Query and Source
// is set. Zero values take the defaults.
type PostgresOptions struct {
	DSN       string           // connection string (key=value or URL); secret: never logged
	Table     string           // the Vigil table's name in messages; default Source
	Query     string           // a SELECT to run, or
	Source    string           // "table" or "schema.table" to copy whole
	Types     map[string]Type  // declared column types (exact column names), overriding the mapping
	Where     string           // Source only: a condition appended as WHERE (may use $1, $2, … from Args)
	Args      []any            // parameters of Where
	BatchRows int              // rows per record batch, default 16384 (DefaultBatchRows)
	Alloc     memory.Allocator // default memory.DefaultAllocator
	// OnReject receives each rejected row, in result order, on the goroutine
	// calling Next; an error stops reading. When nil, rejected rows are only
	// counted in Stats.
	OnReject func(Reject) error
}

// OpenPostgres connects, starts a REPEATABLE READ READ ONLY transaction and
// runs the query (or SELECT * FROM Source). The schema is known when it
// returns; rows are streamed by Next. Cancelling ctx stops reading.
func OpenPostgres(ctx context.Context, opts PostgresOptions) (TableReader, error) {
	if opts.Table == "" {
		opts.Table = opts.Source
	}
	switch {
	case opts.DSN == "":
		return nil, fmt.Errorf("%w: table %s: empty PostgreSQL DSN (is the environment variable named by dsn_env set?)", ErrInvalidOption, opts.Table)
	case opts.Query == "" && opts.Source == "":
		return nil, fmt.Errorf("%w: table %s: PostgreSQL source needs a query or a source table", ErrInvalidOption, opts.Table)
	case opts.Query != "" && opts.Source != "":
		return nil, fmt.Errorf("%w: table %s: PostgreSQL source has both a query and a source table; give one", ErrInvalidOption, opts.Table)
	case opts.BatchRows < 0:
		return nil, fmt.Errorf("%w: table %s: BatchRows %d is negative", ErrInvalidOption, opts.Table, opts.BatchRows)
	}
	if opts.BatchRows == 0 {
		opts.BatchRows = DefaultBatchRows
	}
	if opts.Alloc == nil {
		opts.Alloc = memory.DefaultAllocator
	}
	var errs []error
	for name, t := range opts.Types {
		if err := t.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("table %s: column %q: %w", opts.Table, name, err))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	sql, label := opts.Query, "postgres:query"
	if opts.Source != "" {
		parts := strings.Split(opts.Source, ".")
		if len(parts) > 2 || slicesContainsEmpty(parts) {
			return nil, fmt.Errorf("%w: table %s: source %q: want \"table\" or \"schema.table\"", ErrInvalidOption, opts.Table, opts.Source)
		}
		sql = "SELECT * FROM " + pgx.Identifier(parts).Sanitize()
		if opts.Where != "" {
			sql += " WHERE " + opts.Where
		}
		label = "postgres:" + opts.Source
	}

	cfg, err := pgx.ParseConfig(opts.DSN)
	if err != nil {
		// Not wrapped: pgx's message and its cause (a url.Error) can quote the DSN.
		return nil, fmt.Errorf("%w: table %s: the PostgreSQL DSN cannot be parsed (the value is not shown: it may hold a password)", ErrInvalidOption, opts.Table)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	cfg.RuntimeParams["timezone"] = "UTC"
	cfg.RuntimeParams["datestyle"] = "ISO, YMD"
	cfg.RuntimeParams["intervalstyle"] = "postgres"
	cfg.RuntimeParams["bytea_output"] = "hex"
	cfg.RuntimeParams["extra_float_digits"] = "1"
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "vigil-extract"
	}

	r := &pgReader{opts: opts, label: label, password: cfg.Password}
	r.refs.Store(1)
	r.ctx, r.cancel = context.WithCancel(ctx)
	if err := r.open(cfg, sql); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

func slicesContainsEmpty(s []string) bool {
	for _, p := range s {
		if p == "" {
			return true
		}
	}
	return false
}

// pgColumn is one result column and the scratch value of the current row.
type pgColumn struct {
	name   string
	typ    Type
	reason string // why a value is rejected
	mode   pgMode // pgFloat and pgBytea: not a Vigil Type

	null bool
	i64  int64
	i32  int32
	dec  decimal128.Num
	b    bool
	f64  float64
	text []byte
}

// pgMode marks columns read into Arrow types that extract.Type does not have.
type pgMode int

const (
	pgTyped pgMode = iota // by typ
	pgFloat               // float64
	pgBytea               // binary
)

// pgReader implements TableReader over one pgx query. Everything runs on the
// caller's goroutine.
type pgReader struct {
	refs     atomic.Int64
	opts     PostgresOptions
	label    string
	password string

	ctx    context.Context
	cancel context.CancelFunc
	conn   *pgx.Conn
	tx     pgx.Tx
	rows   pgx.Rows

	schema *arrow.Schema
	cols   []pgColumn
	info   map[string]string // SourceInfo
	bld    *array.RecordBuilder
	row    int64 // rows taken from the result
	// estimate is the planner's row estimate of the query (RowsEstimate).
	estimate int64
	rawBuf   []byte

	cur  arrow.RecordBatch
	err  error
	done bool

	mu    sync.Mutex
	stats Stats

	shared bool // a Sub reader: the connection and transaction belong to the parent

	closeOnce sync.Once
}

func (r *pgReader) open(cfg *pgx.ConnConfig, sql string) error {
	conn, err := pgx.ConnectConfig(r.ctx, cfg)
	if err != nil {
		return r.wrap("connect", err)
	}
	r.conn = conn
	tx, err := conn.BeginTx(r.ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return r.wrap("begin transaction", err)
	}
	r.tx = tx
	r.estimate = r.planRows(sql)
	return r.query(sql)
}

// planRows is the planner's estimate of the rows sql returns, from EXPLAIN
// in the reader's transaction (under a savepoint: a failure changes
// nothing; the query itself then reports the problem). The estimate
// (pg_class.reltuples scaled to the table's current size, and the WHERE of
// a watermark night or a query's own filters) costs no scan; count(*) would
// read the whole table a second time. 0 when unknown.
func (r *pgReader) planRows(sql string) int64 {
	sp, err := r.tx.Begin(r.ctx)
	if err != nil {
		return 0
	}
	defer sp.Rollback(r.ctx)
	var plan []byte
	if err := sp.QueryRow(r.ctx, "EXPLAIN (FORMAT JSON) "+sql, r.opts.Args...).Scan(&plan); err != nil {
		return 0
	}
	return explainRows(plan)
}

// explainRows reads "Plan Rows" of the top plan node from EXPLAIN (FORMAT
// JSON) output; 0 when absent.
func explainRows(plan []byte) int64 {
	var out []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		} `json:"Plan"`
	}
	if json.Unmarshal(plan, &out) != nil || len(out) == 0 || out[0].Plan.Rows < 1 || out[0].Plan.Rows > 1e15 {
		return 0
	}
	return int64(out[0].Plan.Rows)
}

// RowsEstimate is the planner's row estimate of the query (0: unknown) and
// the rows taken so far.
func (r *pgReader) RowsEstimate() (total, done int64) { return r.estimate, r.row }

// query runs sql in the reader's transaction and builds the schema.
func (r *pgReader) query(sql string) error {
	if err := r.describe(sql); err != nil {
		return err
	}
	// Text format for every column: one conversion path (shared with CSV)
	// and the text form for Reject.Raw and string columns.
	args := append([]any{pgx.QueryExecModeDescribeExec, pgx.QueryResultFormats{pgx.TextFormatCode}}, r.opts.Args...)
	rows, err := r.tx.Query(r.ctx, sql, args...)
	if err != nil {
		if rows != nil {
			rows.Close()
		}
		return r.wrap("query", err)
	}
	r.rows = rows
	if err := r.buildSchema(r.tx.Conn().TypeMap(), rows.FieldDescriptions()); err != nil {
		return err
	}
	r.bld = array.NewRecordBuilder(r.opts.Alloc, r.schema)
	return nil
}

// buildSchema maps the result columns to Vigil types; all problems are reported together.
func (r *pgReader) buildSchema(tm *pgtype.Map, fds []pgconn.FieldDescription) error {
	var errs []error
	colErr := func(col string, err error) {
		errs = append(errs, &ParseError{File: r.label, Column: col, Err: fmt.Errorf("table %s: %w", r.opts.Table, err)})
	}
	if len(fds) == 0 {
		// Execution may have failed before the row description arrived.
		if r.rows.Next(); r.rows.Err() != nil {
			return r.wrap("query", r.rows.Err())
		}
		return fmt.Errorf("extract: table %s (%s): the query returns no columns", r.opts.Table, r.label)
	}
	r.cols = make([]pgColumn, len(fds))
	fields := make([]arrow.Field, len(fds))
	byFold := make(map[string]int, len(fds))
	for i, fd := range fds {
		name := fd.Name
		key := strings.ToLower(name)
		if prev, dup := byFold[key]; dup {
			colErr(name, fmt.Errorf("%w (also column %d; give the columns distinct names with AS)", ErrDuplicateColumn, prev+1))
		} else {
			byFold[key] = i
		}
		pgName := "oid " + strconv.FormatUint(uint64(fd.DataTypeOID), 10)
		if t, ok := tm.TypeForOID(fd.DataTypeOID); ok {
			pgName = t.Name
		}
		t, declared := r.opts.Types[name]
		var reason string
		switch {
		case declared:
			reason = fmt.Sprintf("value in column %q is not a valid %s (the declared type)", name, t)
		default:
			t = pgMapType(fd.DataTypeOID, fd.TypeModifier)
			reason = fmt.Sprintf("value in column %q does not fit %s (mapped from PostgreSQL %s); declare the column's type in the config (string keeps any value)", name, t, pgName)
			if t.Kind == KindDate || t.Kind == KindTimestamp {
				reason = fmt.Sprintf("value in column %q does not fit %s (mapped from PostgreSQL %s): infinite, BC or after year 9999; declare the column as string in the config to keep it", name, t, pgName)
			}
		}
		r.cols[i] = pgColumn{name: name, typ: t, reason: reason}
		at := t.ArrowType()
		if !declared {
			switch fd.DataTypeOID {
			case pgtype.Float4OID, pgtype.Float8OID:
				r.cols[i].mode, at = pgFloat, arrow.PrimitiveTypes.Float64
			case pgtype.ByteaOID:
				r.cols[i].mode, at = pgBytea, arrow.BinaryTypes.Binary
				r.cols[i].reason = fmt.Sprintf("value in column %q is not PostgreSQL hex bytea output", name)
			}
		}
		fields[i] = arrow.Field{Name: name, Type: at, Nullable: true}
	}
	declared := make([]string, 0, len(r.opts.Types))
	for name := range r.opts.Types {
		declared = append(declared, name)
	}
	sort.Strings(declared)
	for _, name := range declared {
		i, ok := byFold[strings.ToLower(name)]
		switch {
		case !ok:
			colErr(name, fmt.Errorf("%w: declared type for a column the result does not have", ErrUnknownColumn))
		case fds[i].Name != name:
			colErr(name, fmt.Errorf("%w: declared type for a column the result does not have (it has %q)", ErrUnknownColumn, fds[i].Name))
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	r.schema = arrow.NewSchema(fields, nil)
	return nil
}

// pgMapType maps a PostgreSQL type (OID and type modifier) to a Vigil type.
func pgMapType(oid uint32, typmod int32) Type {
	switch oid {
	case pgtype.Int2OID, pgtype.Int4OID, pgtype.Int8OID:
		return TypeInt64
	case pgtype.BoolOID:
		return TypeBool
	case pgtype.DateOID:
		return TypeDate
	case pgtype.TimestampOID, pgtype.TimestamptzOID:
		return TypeTimestamp
	case pgtype.NumericOID:
		if typmod < 4 { // -1: no precision given: keep the exact text
			return TypeString
		}
		m := typmod - 4
		p := (m >> 16) & 0xffff
		s := ((m & 0x7ff) ^ 1024) - 1024 // 11-bit signed scale (PostgreSQL 15 allows negative ones)
		switch {
		case s < 0:
			p, s = p-s, 0
		case s > p:
			p = s
		}
		if p < 1 || p > MaxDecimalPrecision {
			return TypeString
		}
		return Decimal(p, s)
	}
	return TypeString
}

// Schema returns the table's Arrow schema.
func (r *pgReader) Schema() *arrow.Schema { return r.schema }

// Next reads up to BatchRows rows into the next batch. It releases the previous batch.
func (r *pgReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.done {
		return false
	}
	n, size := 0, 0
	var nbytes int64
	for n < r.opts.BatchRows && size < DefaultMaxBatchBytes {
		if !r.rows.Next() {
			if err := r.rows.Err(); err != nil {
				r.fail(r.wrap("read", err))
				return false
			}
			r.done = true
			break
		}
		r.row++
		vals := r.rows.RawValues()
		rowBytes := 0
		for _, v := range vals {
			rowBytes += len(v)
		}
		nbytes += int64(rowBytes)
		if bad := r.convert(vals); bad >= 0 {
			rj := Reject{File: r.label, Line: r.row, Column: r.cols[bad].name, Reason: r.cols[bad].reason, Raw: r.rawText(vals)}
			r.mu.Lock()
			r.stats.RowsRead++
			r.stats.RowsRejected++
			r.stats.Bytes += nbytes
			r.mu.Unlock()
			nbytes = 0
			if r.opts.OnReject != nil {
				if err := r.opts.OnReject(rj); err != nil {
					r.fail(fmt.Errorf("extract: table %s (%s): reject handler: %w", r.opts.Table, r.label, err))
					return false
				}
			}
			continue
		}
		r.appendRow()
		n++
		size += rowBytes + 8*len(vals)
	}
	if n == 0 {
		r.done = true
		r.mu.Lock()
		r.stats.Bytes += nbytes
		r.mu.Unlock()
		return false
	}
	r.cur = r.bld.NewRecordBatch()
	r.mu.Lock()
	r.stats.RowsRead += int64(n)
	r.stats.RowsWritten += int64(n)
	r.stats.Bytes += nbytes
	r.mu.Unlock()
	return true
}

// convert parses one row into the columns' scratch values. It returns the
// index of the first column whose value does not fit, or -1.
func (r *pgReader) convert(vals [][]byte) int {
	for c := range r.cols {
		col := &r.cols[c]
		v := vals[c]
		col.null = v == nil
		if col.null {
			continue
		}
		var ok bool
		switch {
		case col.mode == pgFloat:
			var err error
			col.f64, err = strconv.ParseFloat(string(v), 64)
			if ok = err == nil; !ok { // NaN, Infinity and -Infinity parse too
				return c
			}
			continue
		case col.mode == pgBytea:
			col.text, ok = decodeByteaHex(v, col.text[:0])
			if !ok {
				return c
			}
			continue
		}
		switch col.typ.Kind {
		case KindString:
			col.text, ok = v, true
		case KindInt64:
			col.i64, ok = parseInt(trimSpace(v), false)
		case KindDecimal:
			col.dec, ok = parseDecimal(trimSpace(v), col.typ.Precision, col.typ.Scale, false)
		case KindBool:
			col.b, ok = parseBool(trimSpace(v), false)
		case KindDate:
			col.i32, ok = parseDate(trimSpace(v))
		case KindTimestamp:
			col.i64, _, ok = parseTimestamp(trimSpace(v))
		}
		if !ok {
			return c
		}
	}
	return -1
}

// appendRow appends the converted row to the builder.
func (r *pgReader) appendRow() {
	for c := range r.cols {
		col := &r.cols[c]
		fb := r.bld.Field(c)
		if col.null {
			fb.AppendNull()
			continue
		}
		switch {
		case col.mode == pgFloat:
			fb.(*array.Float64Builder).Append(col.f64)
			continue
		case col.mode == pgBytea:
			fb.(*array.BinaryBuilder).Append(col.text)
			continue
		}
		switch col.typ.Kind {
		case KindString:
			fb.(*array.StringBuilder).BinaryBuilder.Append(col.text)
		case KindInt64:
			fb.(*array.Int64Builder).Append(col.i64)
		case KindDecimal:
			fb.(*array.Decimal128Builder).Append(col.dec)
		case KindBool:
			fb.(*array.BooleanBuilder).Append(col.b)
		case KindDate:
			fb.(*array.Date32Builder).Append(arrow.Date32(col.i32))
		case KindTimestamp:
			fb.(*array.TimestampBuilder).Append(arrow.Timestamp(col.i64))
		}
	}
}

// rawText renders a row as one CSV record: NULL is an empty field, an empty
// string "" (quoted).
func (r *pgReader) rawText(vals [][]byte) string {
	b := r.rawBuf[:0]
	for i, v := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		if v == nil {
			continue
		}
		if len(v) > 0 && !bytes.ContainsAny(v, ",\"\r\n") {
			b = append(b, v...)
			continue
		}
		b = append(b, '"')
		for _, c := range v {
			if c == '"' {
				b = append(b, '"')
			}
			b = append(b, c)
		}
		b = append(b, '"')
	}
	r.rawBuf = b
	return string(b)
}

// wrap turns a pgx error into an error naming the table and source, with
// the password scrubbed and data-bearing server messages withheld.
// Connection problems become *UnavailableError.
func (r *pgReader) wrap(op string, err error) error {
	if ctxErr := r.ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
		return fmt.Errorf("extract: table %s (%s): %s: %w", r.opts.Table, r.label, op, ctxErr)
	}
	safe := &safeError{msg: r.scrub(err), err: err}
	if transient(err) {
		return &UnavailableError{Table: r.opts.Table, Source: r.label, Op: op, Err: safe}
	}
	return fmt.Errorf("extract: table %s (%s): %s: %w", r.opts.Table, r.label, op, safe)
}

// scrub returns err's message without the password and without server
// messages that may quote row values.
func (r *pgReader) scrub(err error) string {
	var pe *pgconn.PgError
	msg := err.Error()
	if errors.As(err, &pe) && (strings.HasPrefix(pe.Code, "22") || strings.HasPrefix(pe.Code, "23")) {
		msg = fmt.Sprintf("PostgreSQL error SQLSTATE %s (data exception; the server's message is withheld because it may quote row values)", pe.Code)
	}
	if r.password != "" {
		msg = strings.ReplaceAll(msg, r.password, "xxxxx")
	}
	return msg
}

// transient reports whether err means the server could not be reached, went
// away or is temporarily out of resources.
func transient(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case strings.HasPrefix(pe.Code, "08"), // connection exception
			strings.HasPrefix(pe.Code, "53"),                           // insufficient resources (too many connections, …)
			pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03", // shutdown, crash, cannot connect now
			pe.Code == "40001", pe.Code == "40P01": // serialization failure, deadlock
			return true
		}
		return false // authentication, missing database, SQL errors, …
	}
	if errors.Is(err, context.Canceled) {
		return false
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) || pgconn.Timeout(err) || pgconn.SafeToRetry(err) {
		return true
	}
	// The connection broke while it was in use.
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE)
}

// safeError carries a scrubbed message and the original error for errors.Is/As.
type safeError struct {
	msg string
	err error
}

func (e *safeError) Error() string { return e.msg }
func (e *safeError) Unwrap() error { return e.err }

func (r *pgReader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
	r.done = true
	if r.bld != nil {
		// Drop the partial batch.
		if rec := r.bld.NewRecordBatch(); rec != nil {
			rec.Release()
		}
	}
}

// RecordBatch returns the current batch; it is valid until the next call to Next.
func (r *pgReader) RecordBatch() arrow.RecordBatch { return r.cur }

// Record returns the current batch.
//
// Deprecated: Use RecordBatch.
func (r *pgReader) Record() arrow.RecordBatch { return r.cur }

// Err returns the error that ended reading, or nil at a clean end.
func (r *pgReader) Err() error { return r.err }

// Stats returns the counts so far.
func (r *pgReader) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.stats
	s.Encoding = "utf-8"
	return s
}

// Retain adds a reference.
func (r *pgReader) Retain() { r.refs.Add(1) }

// Release drops a reference; the last one closes the reader.
func (r *pgReader) Release() {
	if r.refs.Add(-1) == 0 {
		r.Close()
	}
}

// Close ends the transaction and the connection and frees the current batch.
// Closing before the end abandons the rest of the result without reading it.
func (r *pgReader) Close() error {
	r.closeOnce.Do(func() {
		finished := r.done && r.err == nil
		if !finished {
			// Abandon the query: cancelling makes pgx drop the connection
			// instead of draining the rest of the result.
			r.cancel()
		}
		if r.cur != nil {
			r.cur.Release()
			r.cur = nil
		}
		if r.bld != nil {
			r.bld.Release()
			r.bld = nil
		}
		r.done = true
		if r.rows != nil {
			r.rows.Close()
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if r.tx != nil && finished && !r.shared {
			_ = r.tx.Rollback(ctx) // read only: nothing to commit
		}
		if r.conn != nil && !r.shared {
			_ = r.conn.Close(ctx)
		}
		r.cancel()
	})
	return nil
}
