package audit

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/vigil-dg/vigil/rules/detections"
)

// engine is one DuckDB database with a single connection: temporary objects,
// settings and the audit tables all live on that connection.
type engine struct {
	db   *sql.DB
	conn *sql.Conn
	log  *slog.Logger
	mark time.Time
	// progress, when set, hears the bytes of log files ingested (Options.Progress).
	progress    func(done, total int64)
	done, total int64
}

// phase logs how long the work since the previous phase took.
func (e *engine) phase(name string) {
	if e.log != nil {
		e.log.Debug("audit: phase", "phase", name, "elapsed", time.Since(e.mark).Round(time.Millisecond))
	}
	e.mark = time.Now()
}

// safeSettings keep DuckDB off the network: no extension is installed or
// loaded behind our back, and times are read in UTC unless a mapping says
// otherwise.
var safeSettings = []string{
	"SET autoinstall_known_extensions = false",
	"SET autoload_known_extensions = false",
	"SET TimeZone = 'UTC'",
}

// openEngine opens an in-memory database (path "") or a database file.
// DuckDB spills to tempDir (default: a directory under os.TempDir) when a
// query does not fit in memory.
func openEngine(ctx context.Context, path, memoryLimit string, threads int, tempDir ...string) (*engine, error) {
	q := url.Values{}
	q.Set("autoinstall_known_extensions", "false")
	q.Set("autoload_known_extensions", "false")
	td := filepath.Join(os.TempDir(), "vigil-audit-duckdb")
	if len(tempDir) > 0 && tempDir[0] != "" {
		td = tempDir[0]
	}
	q.Set("temp_directory", td)
	if threads > 0 {
		q.Set("threads", fmt.Sprint(threads))
	}
	if memoryLimit != "" {
		q.Set("memory_limit", memoryLimit)
	}
	dsn := path + "?" + q.Encode()
	connector, err := duckdb.NewConnector(dsn, func(ex driver.ExecerContext) error {
		for _, s := range safeSettings {
			if _, err := ex.ExecContext(context.Background(), s, nil); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: open duckdb: %v", ErrEngine, err)
	}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("%w: connect: %v", ErrEngine, err)
	}
	return &engine{db: db, conn: conn, mark: time.Now()}, nil
}

func (e *engine) Close() error {
	return errors.Join(e.conn.Close(), e.db.Close())
}

func (e *engine) exec(ctx context.Context, q string, args ...any) error {
	_, err := e.conn.ExecContext(ctx, q, args...)
	return err
}

// lockDown forbids file and network access for everything that follows:
// detection SQL and charts run on the loaded tables only.
func (e *engine) lockDown(ctx context.Context) error {
	for _, s := range []string{"SET enable_external_access = false", "SET lock_configuration = true"} {
		if err := e.exec(ctx, s); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrEngine, s, err)
		}
	}
	return nil
}

// stmtInfo describes a prepared statement: its named parameters and its
// result columns.
type stmtInfo struct {
	params []string
	cols   []colInfo
}

type colInfo struct {
	name string
	typ  string // DuckDB type name; LIST(<child>) for lists
}

// describe prepares q and reports its parameters and result columns.
func (e *engine) describe(ctx context.Context, q string) (stmtInfo, error) {
	var info stmtInfo
	err := e.conn.Raw(func(dc any) error {
		c, ok := dc.(*duckdb.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		st, err := c.PrepareContext(ctx, q)
		if err != nil {
			return err
		}
		defer st.Close()
		s, ok := st.(*duckdb.Stmt)
		if !ok {
			return fmt.Errorf("unexpected statement %T", st)
		}
		for i := 1; i <= s.NumInput(); i++ {
			name, err := s.ParamName(i)
			if err != nil {
				return err
			}
			info.params = append(info.params, name)
		}
		n, err := s.ColumnCount()
		if err != nil {
			return err
		}
		for i := range n {
			name, err := s.ColumnName(i)
			if err != nil {
				return err
			}
			ti, err := s.ColumnTypeInfo(i)
			if err != nil {
				return err
			}
			info.cols = append(info.cols, colInfo{name: name, typ: typeName(ti)})
		}
		return nil
	})
	return info, err
}

func typeName(ti duckdb.TypeInfo) string {
	switch ti.InternalType() {
	case duckdb.TYPE_VARCHAR:
		return "VARCHAR"
	case duckdb.TYPE_BIGINT:
		return "BIGINT"
	case duckdb.TYPE_INTEGER:
		return "INTEGER"
	case duckdb.TYPE_HUGEINT:
		return "HUGEINT"
	case duckdb.TYPE_UBIGINT:
		return "UBIGINT"
	case duckdb.TYPE_SMALLINT:
		return "SMALLINT"
	case duckdb.TYPE_TIMESTAMP_TZ:
		return "TIMESTAMPTZ"
	case duckdb.TYPE_TIMESTAMP:
		return "TIMESTAMP"
	case duckdb.TYPE_SQLNULL:
		return "NULL"
	case duckdb.TYPE_DOUBLE:
		return "DOUBLE"
	case duckdb.TYPE_BOOLEAN:
		return "BOOLEAN"
	case duckdb.TYPE_DATE:
		return "DATE"
	case duckdb.TYPE_LIST:
		if d, ok := ti.Details().(*duckdb.ListDetails); ok && d.Child != nil {
			return "LIST(" + typeName(d.Child) + ")"
		}
		return "LIST"
	}
	return fmt.Sprintf("TYPE(%d)", ti.InternalType())
}

// namedArgs builds the arguments for a statement from values by parameter
// name; every parameter the statement uses must have a value.
func namedArgs(params []string, values map[string]any) ([]any, error) {
	args := make([]any, 0, len(params))
	for _, p := range params {
		v, ok := values[p]
		if !ok {
			return nil, fmt.Errorf("no value for parameter $%s", p)
		}
		args = append(args, sql.Named(p, detections.SQLValue(v)))
	}
	return args, nil
}

// queryNamed runs q with the named values it uses.
func (e *engine) queryNamed(ctx context.Context, q string, values map[string]any) (*sql.Rows, error) {
	info, err := e.describe(ctx, q)
	if err != nil {
		return nil, err
	}
	args, err := namedArgs(info.params, values)
	if err != nil {
		return nil, err
	}
	return e.conn.QueryContext(ctx, q, args...)
}

// quoteLiteral quotes s as a DuckDB string literal.
func quoteLiteral(s string) (string, error) {
	if strings.ContainsRune(s, 0) {
		return "", errors.New("string contains a NUL byte")
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'", nil
}

// mustLiteral quotes a string that is known to be free of NUL bytes.
func mustLiteral(s string) string {
	q, err := quoteLiteral(s)
	if err != nil {
		panic(err)
	}
	return q
}

var quoteIdent = detections.QuoteIdent
