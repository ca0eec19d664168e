package audit

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"
	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/vigil-dg/vigil/rules/detections"
)

// Reference is a CRM reference table (staff or customer ownership) given as
// a file or as Arrow record batches.
//
// Staff needs staff_id, email (or user), role, status, hire_date and
// leave_date; ownership needs customer_id, staff_id and since. Columns maps
// a canonical column to the source column when names differ.
type Reference struct {
	Path    string             // CSV (header row) or Parquet file or glob, chosen by extension
	Reader  array.RecordReader // alternatively, Arrow record batches; the caller releases the reader
	Columns map[string]string  // canonical column → source column
	// Values maps a canonical column's source values (compared lower-cased
	// and trimmed) to canonical ones, e.g. status {"true": "active",
	// "false": "disabled"} for Salesforce's User.IsActive; a value not in
	// the map becomes NULL.
	Values map[string]map[string]string
}

// ReferenceStats describes a loaded reference table.
type ReferenceStats struct {
	Name     string `json:"name"`
	Provided bool   `json:"provided"`
	Source   string `json:"source,omitempty"` // path, or "arrow"
	Rows     int64  `json:"rows"`
}

// loadReferences creates the canonical staff and ownership tables.
func (e *engine) loadReferences(ctx context.Context, staff, ownership *Reference) ([]ReferenceStats, error) {
	var out []ReferenceStats
	var errs []error
	for _, r := range []struct {
		name string
		ref  *Reference
		cols []detections.Column
	}{{"staff", staff, detections.StaffColumns}, {"ownership", ownership, detections.OwnershipColumns}} {
		st, err := e.loadReference(ctx, r.name, r.ref, r.cols)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, st)
	}
	return out, errors.Join(errs...)
}

func (e *engine) loadReference(ctx context.Context, name string, ref *Reference, cols []detections.Column) (ReferenceStats, error) {
	st := ReferenceStats{Name: name}
	fail := func(err error) (ReferenceStats, error) {
		return st, fmt.Errorf("%w: %s: %v", ErrReference, name, err)
	}
	if ref == nil || (ref.Path == "" && ref.Reader == nil) {
		var defs []string
		for _, c := range cols {
			defs = append(defs, quoteIdent(c.Name)+" "+c.Type)
		}
		if err := e.exec(ctx, "CREATE OR REPLACE TABLE "+name+" ("+strings.Join(defs, ", ")+")"); err != nil {
			return fail(err)
		}
		return st, nil
	}
	st.Provided = true
	src := name + "_src"
	switch {
	case ref.Reader != nil:
		st.Source = "arrow"
		if err := e.loadArrow(ctx, src, ref.Reader); err != nil {
			return fail(err)
		}
	default:
		st.Source = ref.Path
		files, err := expandPaths([]string{ref.Path})
		if err != nil {
			return fail(err)
		}
		lits := make([]string, len(files))
		for i, f := range files {
			if lits[i], err = quoteLiteral(f); err != nil {
				return fail(err)
			}
		}
		list := "[" + strings.Join(lits, ", ") + "]"
		var read string
		switch ext := strings.ToLower(filepath.Ext(strings.TrimSuffix(strings.TrimSuffix(ref.Path, ".gz"), ".zst"))); ext {
		case ".parquet":
			read = "read_parquet(" + list + ", union_by_name = true)"
		case ".csv", ".tsv", ".txt":
			read = "read_csv(" + list + ", header = true, all_varchar = true, union_by_name = true)"
		default:
			return fail(fmt.Errorf("%s: unknown file type %q (want .csv or .parquet)", ref.Path, ext))
		}
		if err := e.exec(ctx, "CREATE OR REPLACE TABLE "+src+" AS SELECT * FROM "+read); err != nil {
			return fail(err)
		}
	}
	have, err := e.tableColumns(ctx, src)
	if err != nil {
		return fail(err)
	}
	sel, err := canonicalSelect(cols, have, ref.Columns, ref.Values)
	if err != nil {
		return fail(err)
	}
	if err := e.exec(ctx, "CREATE OR REPLACE TABLE "+name+" AS "+sel+" FROM "+src+" AS src"); err != nil {
		return fail(err)
	}
	if err := e.conn.QueryRowContext(ctx, "SELECT count(*) FROM "+name).Scan(&st.Rows); err != nil {
		return fail(err)
	}
	return st, nil
}

func (e *engine) tableColumns(ctx context.Context, table string) ([]string, error) {
	rows, err := e.conn.QueryContext(ctx, "SELECT column_name FROM duckdb_columns() WHERE table_name = $1 ORDER BY column_index", table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// canonicalSelect converts source columns to a canonical reference table.
func canonicalSelect(cols []detections.Column, have []string, rename map[string]string, values map[string]map[string]string) (string, error) {
	find := func(c string) (string, bool) {
		if s, ok := rename[c]; ok {
			return s, slices.Contains(have, s)
		}
		for _, h := range have {
			if strings.EqualFold(h, c) {
				return h, true
			}
		}
		return "", false
	}
	var missing []string
	var parts []string
	for _, c := range cols {
		srcCol, ok := find(c.Name)
		if !ok && c.Name == "user" {
			srcCol, ok = find("email")
		}
		if !ok {
			if _, renamed := rename[c.Name]; renamed || c.Name == "staff_id" || c.Name == "customer_id" || c.Name == "user" {
				missing = append(missing, c.Name)
			}
			parts = append(parts, "CAST(NULL AS "+c.Type+") AS "+quoteIdent(c.Name))
			continue
		}
		v := "NULLIF(trim(CAST(src." + quoteIdent(srcCol) + " AS VARCHAR)), '')"
		var expr string
		switch vm := values[c.Name]; {
		case vm != nil:
			// CASE over the lower-cased, trimmed source values; others NULL.
			keys := make([]string, 0, len(vm))
			for k := range vm {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			expr = "CASE lower(" + v + ")"
			for _, k := range keys {
				kl, err := quoteLiteral(strings.ToLower(strings.TrimSpace(k)))
				if err != nil {
					return "", err
				}
				vl, err := quoteLiteral(vm[k])
				if err != nil {
					return "", err
				}
				expr += " WHEN " + kl + " THEN " + vl
			}
			expr += " ELSE NULL END"
		case c.Type == "DATE":
			expr = "coalesce(TRY_CAST(" + v + " AS DATE), CAST(TRY_CAST(" + v + " AS TIMESTAMP) AS DATE))"
		case c.Name == "user" || c.Name == "role" || c.Name == "status":
			expr = "lower(" + v + ")"
		default:
			expr = v
		}
		parts = append(parts, expr+" AS "+quoteIdent(c.Name))
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("missing column(s) %s (have %s)", strings.Join(missing, ", "), strings.Join(have, ", "))
	}
	return "SELECT " + strings.Join(parts, ", "), nil
}

// loadArrow copies Arrow record batches into a table of VARCHAR columns.
func (e *engine) loadArrow(ctx context.Context, table string, rdr array.RecordReader) error {
	schema := rdr.Schema()
	var defs []string
	for _, f := range schema.Fields() {
		defs = append(defs, quoteIdent(f.Name)+" VARCHAR")
	}
	if len(defs) == 0 {
		return errors.New("arrow schema has no fields")
	}
	if err := e.exec(ctx, "CREATE OR REPLACE TABLE "+table+" ("+strings.Join(defs, ", ")+")"); err != nil {
		return err
	}
	return e.conn.Raw(func(dc any) error {
		conn, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		app, err := duckdb.NewAppenderFromConn(conn, "", table)
		if err != nil {
			return err
		}
		row := make([]driver.Value, len(defs))
		for rdr.Next() {
			if err := ctx.Err(); err != nil {
				app.Close()
				return err
			}
			rec := rdr.RecordBatch()
			for i := 0; i < int(rec.NumRows()); i++ {
				for c := 0; c < int(rec.NumCols()); c++ {
					col := rec.Column(c)
					if col.IsNull(i) {
						row[c] = nil
					} else {
						row[c] = col.ValueStr(i)
					}
				}
				if err := app.AppendRow(row...); err != nil {
					app.Close()
					return err
				}
			}
		}
		if err := rdr.Err(); err != nil {
			app.Close()
			return err
		}
		return app.Close()
	})
}
