package extract

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// PostgresSnapshot is implemented by the PostgreSQL reader: further
// statements that see the same snapshot (the reader's REPEATABLE READ, read
// only transaction), for incremental extraction. Run them after the
// reader's own result has been read to the end, and before Close.
type PostgresSnapshot interface {
	// QueryText runs a query returning one row of one column and returns
	// its text form; ok is false for NULL (or no row).
	QueryText(sql string, args ...any) (text string, ok bool, err error)
	// Sub runs a query (named sources only: table is quoted like Source,
	// cols are column names) as another reader in the same transaction:
	// SELECT cols FROM table [WHERE where]. Declared types of these columns
	// apply as in the parent. Close it before the parent.
	Sub(cols []string, where string, args ...any) (TableReader, error)
}

// QueryText implements PostgresSnapshot.
func (r *pgReader) QueryText(sql string, args ...any) (string, bool, error) {
	if !r.done || r.err != nil {
		return "", false, fmt.Errorf("extract: table %s (%s): QueryText before the result was read", r.opts.Table, r.label)
	}
	var v *string
	if err := r.tx.QueryRow(r.ctx, sql, args...).Scan(&v); err != nil {
		return "", false, r.wrap("query", err)
	}
	if v == nil {
		return "", false, nil
	}
	return *v, true, nil
}

// Sub implements PostgresSnapshot.
func (r *pgReader) Sub(cols []string, where string, args ...any) (TableReader, error) {
	if !r.done || r.err != nil || r.opts.Source == "" {
		return nil, fmt.Errorf("extract: table %s (%s): Sub needs a named source read to the end", r.opts.Table, r.label)
	}
	opts := r.opts
	opts.Types = map[string]Type{}
	sel := ""
	for i, c := range cols {
		if t, ok := r.opts.Types[c]; ok {
			opts.Types[c] = t
		}
		if i > 0 {
			sel += ", "
		}
		sel += quoteIdent(c)
	}
	opts.Where, opts.Args, opts.OnReject = where, args, nil
	from := r.fromSQL()
	sql := "SELECT " + sel + " FROM " + from
	if where != "" {
		sql += " WHERE " + where
	}
	c := &pgReader{opts: opts, label: r.label, password: r.password, tx: r.tx, shared: true}
	c.refs.Store(1)
	c.ctx, c.cancel = context.WithCancel(r.ctx)
	if err := c.query(sql); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func quoteIdent(s string) string { return pgx.Identifier{s}.Sanitize() }

// fromSQL returns the quoted source table.
func (r *pgReader) fromSQL() string {
	return pgx.Identifier(strings.Split(r.opts.Source, ".")).Sanitize()
}
