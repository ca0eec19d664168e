package pgrestore

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/vigil-dg/vigil/stages/snapshot"
)

// Sentinel errors.
var (
	ErrInvalidOptions = errors.New("pgrestore: invalid options")
	ErrNotEmpty       = errors.New("pgrestore: target table is not empty")
	ErrRowCount       = errors.New("pgrestore: row count differs")
)

// Manifest extra keys written by the PostgreSQL source (extract.InfoPostgres*).
const (
	infoColumns = "postgres.columns"
	infoTypes   = "postgres.types"
)

// Options configure Restore.
type Options struct {
	DSN    string           // connection string; secret: never logged or shown
	Schema string           // target schema, default "public" (created if missing)
	Alloc  memory.Allocator // default memory.DefaultAllocator
	Logger *slog.Logger     // default discards
}

// Result is one restored table.
type Result struct {
	Snapshot string `json:"snapshot"` // <table>/<id>
	Table    string `json:"table"`    // schema.table as created or filled
	Created  bool   `json:"created"`  // the table was created (else appended to an empty one)
	Rows     int64  `json:"rows"`
}

type column struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	NotNull bool   `json:"not_null,omitempty"`
}

type typeDef struct {
	Name    string   `json:"name"`
	Kind    string   `json:"kind"`
	Labels  []string `json:"labels,omitempty"`
	Base    string   `json:"base,omitempty"`
	NotNull bool     `json:"not_null,omitempty"`
	Checks  []string `json:"checks,omitempty"`
}

// Input is one table to load: its rows, and what is known about their
// PostgreSQL types (a manifest's extra fields).
type Input struct {
	Name    string // target table name (in Options.Schema)
	Ref     string // for messages, e.g. the snapshot "<table>/<id>"
	Schema  *arrow.Schema
	Extra   map[string]string // "postgres.columns", "postgres.types"
	Rows    int64             // expected rows, or -1 when unknown
	Records func(ctx context.Context, alloc memory.Allocator) (array.RecordReader, error)
}

// SnapshotInput describes a snapshot as an Input. Its rows are s.Records:
// for a chained snapshot the composed table (and any filter applied there,
// e.g. the erasure ledger, applies here too).
func SnapshotInput(s *snapshot.Snapshot) (Input, error) {
	m := s.Manifest()
	schema, err := m.ArrowSchema()
	if err != nil {
		return Input{}, err
	}
	return Input{Name: m.Table, Ref: m.Ref(), Schema: schema, Extra: m.Extra, Rows: m.Rows, Records: s.Records}, nil
}

// Restore writes every snapshot into its table in one transaction.
func Restore(ctx context.Context, opts Options, snaps []*snapshot.Snapshot) ([]Result, error) {
	ins := make([]Input, len(snaps))
	for i, s := range snaps {
		in, err := SnapshotInput(s)
		if err != nil {
			return nil, fmt.Errorf("pgrestore: %s: %w", s.Manifest().Ref(), err)
		}
		ins[i] = in
	}
	return Load(ctx, opts, ins)
}

// Load writes every input into its table in one transaction.
func Load(ctx context.Context, opts Options, snaps []Input) ([]Result, error) {
	if opts.DSN == "" {
		return nil, fmt.Errorf("%w: empty PostgreSQL DSN", ErrInvalidOptions)
	}
	if len(snaps) == 0 {
		return nil, fmt.Errorf("%w: no snapshot to restore", ErrInvalidOptions)
	}
	if opts.Schema == "" {
		opts.Schema = "public"
	}
	if opts.Alloc == nil {
		opts.Alloc = memory.DefaultAllocator
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	cfg, err := pgx.ParseConfig(opts.DSN)
	if err != nil {
		return nil, fmt.Errorf("%w: the PostgreSQL DSN cannot be parsed (the value is not shown: it may hold a password)", ErrInvalidOptions)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 30 * time.Second
	}
	cfg.RuntimeParams["timezone"] = "UTC"
	cfg.RuntimeParams["datestyle"] = "ISO, YMD"
	cfg.RuntimeParams["intervalstyle"] = "postgres"
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "vigil-restore"
	}
	sc := scrubber{password: cfg.Password}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, sc.wrap("connect", err)
	}
	defer conn.Close(context.Background())
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, sc.wrap("begin transaction", err)
	}
	defer tx.Rollback(context.Background()) //nolint:errcheck // no-op after Commit
	if _, err := tx.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{opts.Schema}.Sanitize()); err != nil {
		return nil, sc.wrap("create schema "+opts.Schema, err)
	}
	var out []Result
	for _, s := range snaps {
		r, err := restoreOne(ctx, tx, opts, sc, s)
		if err != nil {
			return nil, fmt.Errorf("pgrestore: %s: %w", s.Ref, err)
		}
		out = append(out, r)
		opts.Logger.Info("table restored into PostgreSQL", "snapshot", r.Snapshot, "table", r.Table, "rows", r.Rows, "created", r.Created)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, sc.wrap("commit", err)
	}
	return out, nil
}

func restoreOne(ctx context.Context, tx pgx.Tx, opts Options, sc scrubber, in Input) (Result, error) {
	res := Result{Snapshot: in.Ref, Table: opts.Schema + "." + in.Name}
	cols, err := columnTypes(in.Extra, in.Schema)
	if err != nil {
		return res, err
	}
	ident := pgx.Identifier{opts.Schema, in.Name}.Sanitize()
	var exists bool
	if err := tx.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", ident).Scan(&exists); err != nil {
		return res, sc.wrap("look up table", err)
	}
	if exists {
		var nonEmpty bool
		if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM "+ident+")").Scan(&nonEmpty); err != nil {
			return res, sc.wrap("read table", err)
		}
		if nonEmpty {
			return res, fmt.Errorf("%w: %s already holds rows; restore into a new or empty table (or another --schema)", ErrNotEmpty, res.Table)
		}
	} else {
		if err := createTypes(ctx, tx, sc, in.Extra); err != nil {
			return res, err
		}
		defs := make([]string, len(cols))
		for i, c := range cols {
			defs[i] = pgx.Identifier{c.Name}.Sanitize() + " " + c.Type
			if c.NotNull {
				defs[i] += " NOT NULL"
			}
		}
		if _, err := tx.Exec(ctx, "CREATE TABLE "+ident+" ("+strings.Join(defs, ", ")+")"); err != nil {
			return res, sc.wrap("create table", err)
		}
		res.Created = true
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = pgx.Identifier{c.Name}.Sanitize()
	}
	rr, err := in.Records(ctx, opts.Alloc)
	if err != nil {
		return res, err
	}
	defer rr.Release()
	pr, pw := io.Pipe()
	var sent int64
	done := make(chan error, 1)
	go func() {
		bw := bufio.NewWriterSize(pw, 1<<20)
		err := writeCopyText(rr, bw, &sent)
		if err == nil {
			err = bw.Flush()
		}
		pw.CloseWithError(err)
		done <- err
	}()
	tag, err := tx.Conn().PgConn().CopyFrom(ctx, pr, "COPY "+ident+" ("+strings.Join(names, ", ")+") FROM STDIN")
	pr.CloseWithError(errors.New("copy ended")) // unblock the writer if COPY failed
	werr := <-done
	if werr != nil && !strings.Contains(werr.Error(), "copy ended") {
		return res, werr
	}
	if err != nil {
		return res, sc.wrap("copy", err)
	}
	res.Rows = tag.RowsAffected()
	if res.Rows != sent || (in.Rows >= 0 && res.Rows != in.Rows) {
		return res, fmt.Errorf("%w: the server took %d rows, the snapshot gave %d, its manifest says %d", ErrRowCount, res.Rows, sent, in.Rows)
	}
	return res, nil
}

// columnTypes returns the PostgreSQL column of each snapshot column: the
// recorded original type, else the type of its Arrow type.
func columnTypes(extra map[string]string, schema *arrow.Schema) ([]column, error) {
	var recorded []column
	if js := extra[infoColumns]; js != "" {
		if err := json.Unmarshal([]byte(js), &recorded); err != nil {
			return nil, fmt.Errorf("manifest extra %s: %w", infoColumns, err)
		}
		if len(recorded) != schema.NumFields() {
			recorded = nil
		}
	}
	cols := make([]column, schema.NumFields())
	for i, f := range schema.Fields() {
		if recorded != nil && recorded[i].Name == f.Name && recorded[i].Type != "" {
			cols[i] = recorded[i]
			continue
		}
		t, err := pgType(f.Type)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", f.Name, err)
		}
		cols[i] = column{Name: f.Name, Type: t, NotNull: !f.Nullable}
	}
	return cols, nil
}

func pgType(dt arrow.DataType) (string, error) {
	switch t := dt.(type) {
	case *arrow.StringType, *arrow.LargeStringType:
		return "text", nil
	case *arrow.BinaryType, *arrow.LargeBinaryType:
		return "bytea", nil
	case *arrow.Int8Type, *arrow.Int16Type, *arrow.Uint8Type:
		return "smallint", nil
	case *arrow.Int32Type, *arrow.Uint16Type:
		return "integer", nil
	case *arrow.Int64Type, *arrow.Uint32Type:
		return "bigint", nil
	case *arrow.Uint64Type:
		return "numeric(20,0)", nil
	case *arrow.Float32Type:
		return "real", nil
	case *arrow.Float64Type:
		return "double precision", nil
	case *arrow.BooleanType:
		return "boolean", nil
	case *arrow.Date32Type:
		return "date", nil
	case *arrow.TimestampType:
		if t.TimeZone == "" {
			return "timestamp without time zone", nil
		}
		return "timestamp with time zone", nil
	case *arrow.Decimal128Type:
		return fmt.Sprintf("numeric(%d,%d)", t.Precision, t.Scale), nil
	}
	return "", fmt.Errorf("%w: no PostgreSQL type for %s", ErrInvalidOptions, dt)
}

// createTypes creates the recorded enums and domains the database does not have.
func createTypes(ctx context.Context, tx pgx.Tx, sc scrubber, extra map[string]string) error {
	js := extra[infoTypes]
	if js == "" {
		return nil
	}
	var defs []typeDef
	if err := json.Unmarshal([]byte(js), &defs); err != nil {
		return fmt.Errorf("manifest extra %s: %w", infoTypes, err)
	}
	for _, d := range defs {
		var exists bool
		if err := tx.QueryRow(ctx, "SELECT to_regtype($1) IS NOT NULL", d.Name).Scan(&exists); err != nil {
			return sc.wrap("look up type "+d.Name, err)
		}
		if exists {
			continue
		}
		if nsp, ok := schemaOf(d.Name); ok {
			if _, err := tx.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+nsp); err != nil {
				return sc.wrap("create schema for type "+d.Name, err)
			}
		}
		var sql string
		switch d.Kind {
		case "enum":
			labels := make([]string, len(d.Labels))
			for i, l := range d.Labels {
				labels[i] = quoteLiteral(l)
			}
			sql = "CREATE TYPE " + d.Name + " AS ENUM (" + strings.Join(labels, ", ") + ")"
		case "domain":
			sql = "CREATE DOMAIN " + d.Name + " AS " + d.Base
			if d.NotNull {
				sql += " NOT NULL"
			}
			for _, c := range d.Checks {
				sql += " " + c
			}
		default:
			return fmt.Errorf("manifest extra %s: type %s has unknown kind %q", infoTypes, d.Name, d.Kind)
		}
		if _, err := tx.Exec(ctx, sql); err != nil {
			return sc.wrap("create type "+d.Name, err)
		}
	}
	return nil
}

// schemaOf returns the (quoted) schema part of a quote_ident-qualified name.
func schemaOf(name string) (string, bool) {
	if strings.HasPrefix(name, `"`) {
		for i := 1; i < len(name); i++ {
			if name[i] == '"' {
				if i+1 < len(name) && name[i+1] == '"' {
					i++
					continue
				}
				return name[:i+1], i+1 < len(name) && name[i+1] == '.'
			}
		}
		return "", false
	}
	nsp, _, ok := strings.Cut(name, ".")
	if !ok {
		return "", false
	}
	return nsp, true
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// writeCopyText writes every row of rr in COPY text format.
func writeCopyText(rr array.RecordReader, w *bufio.Writer, sent *int64) error {
	var buf []byte
	for rr.Next() {
		rec := rr.RecordBatch()
		fns := make([]func(dst []byte, i int) []byte, rec.NumCols())
		for c, col := range rec.Columns() {
			f, err := textFunc(col)
			if err != nil {
				return fmt.Errorf("column %q: %w", rec.ColumnName(c), err)
			}
			fns[c] = f
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			buf = buf[:0]
			for c, col := range rec.Columns() {
				if c > 0 {
					buf = append(buf, '\t')
				}
				if col.IsNull(i) {
					buf = append(buf, `\N`...)
					continue
				}
				buf = fns[c](buf, i)
			}
			buf = append(buf, '\n')
			if _, err := w.Write(buf); err != nil {
				return err
			}
			*sent++
		}
	}
	return rr.Err()
}

// appendEscaped appends s escaped for COPY text format.
func appendEscaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

func textFunc(col arrow.Array) (func(dst []byte, i int) []byte, error) {
	switch a := col.(type) {
	case *array.String:
		return func(dst []byte, i int) []byte { return appendEscaped(dst, a.Value(i)) }, nil
	case *array.LargeString:
		return func(dst []byte, i int) []byte { return appendEscaped(dst, a.Value(i)) }, nil
	case *array.Binary:
		return func(dst []byte, i int) []byte { return hexBytea(dst, a.Value(i)) }, nil
	case *array.LargeBinary:
		return func(dst []byte, i int) []byte { return hexBytea(dst, a.Value(i)) }, nil
	case *array.Int8:
		return func(dst []byte, i int) []byte { return strconv.AppendInt(dst, int64(a.Value(i)), 10) }, nil
	case *array.Int16:
		return func(dst []byte, i int) []byte { return strconv.AppendInt(dst, int64(a.Value(i)), 10) }, nil
	case *array.Int32:
		return func(dst []byte, i int) []byte { return strconv.AppendInt(dst, int64(a.Value(i)), 10) }, nil
	case *array.Int64:
		return func(dst []byte, i int) []byte { return strconv.AppendInt(dst, a.Value(i), 10) }, nil
	case *array.Uint8:
		return func(dst []byte, i int) []byte { return strconv.AppendUint(dst, uint64(a.Value(i)), 10) }, nil
	case *array.Uint16:
		return func(dst []byte, i int) []byte { return strconv.AppendUint(dst, uint64(a.Value(i)), 10) }, nil
	case *array.Uint32:
		return func(dst []byte, i int) []byte { return strconv.AppendUint(dst, uint64(a.Value(i)), 10) }, nil
	case *array.Uint64:
		return func(dst []byte, i int) []byte { return strconv.AppendUint(dst, a.Value(i), 10) }, nil
	case *array.Float32:
		return func(dst []byte, i int) []byte { return appendFloat(dst, float64(a.Value(i)), 32) }, nil
	case *array.Float64:
		return func(dst []byte, i int) []byte { return appendFloat(dst, a.Value(i), 64) }, nil
	case *array.Boolean:
		return func(dst []byte, i int) []byte {
			if a.Value(i) {
				return append(dst, 't')
			}
			return append(dst, 'f')
		}, nil
	case *array.Date32:
		return func(dst []byte, i int) []byte {
			return time.Unix(int64(a.Value(i))*86400, 0).UTC().AppendFormat(dst, "2006-01-02")
		}, nil
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		return func(dst []byte, i int) []byte {
			return a.Value(i).ToTime(unit).UTC().AppendFormat(dst, "2006-01-02 15:04:05.999999+00")
		}, nil
	case *array.Decimal128:
		dt := a.DataType().(*arrow.Decimal128Type)
		return func(dst []byte, i int) []byte { return snapshot.AppendDecimal(dst, a.Value(i), dt.Precision, dt.Scale) }, nil
	}
	return nil, fmt.Errorf("%w: cannot write %s to PostgreSQL", ErrInvalidOptions, col.DataType())
}

func hexBytea(dst, b []byte) []byte {
	dst = append(dst, `\\x`...) // COPY text unescapes \\ to \
	return hex.AppendEncode(dst, b)
}

func appendFloat(dst []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	}
	return strconv.AppendFloat(dst, f, 'g', -1, bits)
}

// scrubber turns pgx errors into messages without the password or row values.
type scrubber struct{ password string }

type safeError struct {
	msg string
	err error
}

func (e *safeError) Error() string { return e.msg }
func (e *safeError) Unwrap() error { return e.err }

func (sc scrubber) wrap(op string, err error) error {
	msg := err.Error()
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (strings.HasPrefix(pe.Code, "22") || strings.HasPrefix(pe.Code, "23")) {
		msg = fmt.Sprintf("PostgreSQL error SQLSTATE %s (data exception; the server's message is withheld because it may quote row values)", pe.Code)
	}
	if sc.password != "" {
		msg = strings.ReplaceAll(msg, sc.password, "xxxxx")
	}
	return fmt.Errorf("pgrestore: %s: %w", op, &safeError{msg: msg, err: err})
}
