package extract

import (
	"encoding/hex"
	"encoding/json"
	"sort"
)

// Keys of SourceInfo (and of the snapshot manifest's extra fields).
const (
	InfoPostgresColumns = "postgres.columns" // JSON []PostgresColumn
	InfoPostgresTypes   = "postgres.types"   // JSON []PostgresTypeDef
)

// PostgresColumn is the original PostgreSQL type of one result column.
type PostgresColumn struct {
	Name    string `json:"name"`
	Type    string `json:"type"` // format_type(), e.g. "numeric(12,2)", "crm.deal_stage[]"
	NotNull bool   `json:"not_null,omitempty"`
}

// PostgresTypeDef is a user-defined type a column uses (directly, as an
// array element or as a domain's base type), in dependency order.
type PostgresTypeDef struct {
	Name    string   `json:"name"` // schema-qualified and quoted: crm."Deal Stage"
	Kind    string   `json:"kind"` // enum | domain
	Labels  []string `json:"labels,omitempty"`
	Base    string   `json:"base,omitempty"` // domain: base type (format_type)
	NotNull bool     `json:"not_null,omitempty"`
	Checks  []string `json:"checks,omitempty"` // domain: CHECK constraint definitions
}

// SourceInfo returns what the source knows about the columns beyond their
// Arrow types: InfoPostgresColumns and InfoPostgresTypes (JSON). Callers
// store it next to the data (e.g. in a snapshot manifest).
func (r *pgReader) SourceInfo() map[string]string { return r.info }

// describe asks the server for the result's columns before running the
// query, and reads their original types from the catalog (inside the
// reader's transaction, so they belong to the same snapshot).
func (r *pgReader) describe(sql string) error {
	sd, err := r.tx.Conn().PgConn().Prepare(r.ctx, "", sql, nil)
	if err != nil {
		return r.wrap("query", err)
	}
	n := len(sd.Fields)
	if n == 0 {
		return nil
	}
	rels, atts, typs, mods := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	for i, f := range sd.Fields {
		rels[i], atts[i], typs[i], mods[i] = int64(f.TableOID), int64(f.TableAttributeNumber), int64(f.DataTypeOID), int64(f.TypeModifier)
	}
	// A column that comes straight from a table is described by
	// pg_attribute (that keeps domains, which the row description reports
	// as their base type); an expression by its result type.
	rows, err := r.tx.Query(r.ctx, `
		SELECT coalesce(a.atttypid, f.typ::oid)::int8,
		       format_type(coalesce(a.atttypid, f.typ::oid), coalesce(a.atttypmod, f.mod::int4)),
		       coalesce(a.attnotnull, false)
		FROM unnest($1::int8[], $2::int8[], $3::int8[], $4::int8[]) WITH ORDINALITY AS f(rel, att, typ, mod, ord)
		LEFT JOIN pg_attribute a ON f.rel <> 0 AND a.attrelid = f.rel::oid AND a.attnum = f.att::int2 AND NOT a.attisdropped
		ORDER BY f.ord`, rels, atts, typs, mods)
	if err != nil {
		return r.wrap("read column types", err)
	}
	cols := make([]PostgresColumn, 0, n)
	var oids []int64
	for rows.Next() {
		var c PostgresColumn
		var oid int64
		if err := rows.Scan(&oid, &c.Type, &c.NotNull); err != nil {
			rows.Close()
			return r.wrap("read column types", err)
		}
		c.Name = sd.Fields[len(cols)].Name
		cols = append(cols, c)
		oids = append(oids, oid)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return r.wrap("read column types", err)
	}
	defs, err := r.userTypes(oids)
	if err != nil {
		return err
	}
	cb, _ := json.Marshal(cols)
	r.info = map[string]string{InfoPostgresColumns: string(cb)}
	if len(defs) > 0 {
		db, _ := json.Marshal(defs)
		r.info[InfoPostgresTypes] = string(db)
	}
	return nil
}

// userTypes returns the enums and domains behind oids (also through arrays
// and domain base types), each before the types that use it.
func (r *pgReader) userTypes(oids []int64) ([]PostgresTypeDef, error) {
	type pgType struct {
		typtype  string
		elem     int64
		base     int64
		baseName string
		notNull  bool
		name     string
	}
	seen := map[int64]*pgType{}
	var order []PostgresTypeDef
	var visit func(oid int64, depth int) error
	visit = func(oid int64, depth int) error {
		if oid == 0 || depth > 16 {
			return nil
		}
		if _, ok := seen[oid]; ok {
			return nil
		}
		t := &pgType{}
		seen[oid] = t
		err := r.tx.QueryRow(r.ctx, `
			SELECT t.typtype::text, t.typelem::int8, t.typbasetype::int8, format_type(t.typbasetype, t.typtypmod), t.typnotnull,
			       quote_ident(n.nspname) || '.' || quote_ident(t.typname)
			FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.oid = $1::int8::oid`, oid).
			Scan(&t.typtype, &t.elem, &t.base, &t.baseName, &t.notNull, &t.name)
		if err != nil {
			return r.wrap("read column types", err)
		}
		switch t.typtype {
		case "e":
			def := PostgresTypeDef{Name: t.name, Kind: "enum", Labels: []string{}}
			rows, err := r.tx.Query(r.ctx, `SELECT enumlabel FROM pg_enum WHERE enumtypid = $1::int8::oid ORDER BY enumsortorder`, oid)
			if err != nil {
				return r.wrap("read column types", err)
			}
			for rows.Next() {
				var l string
				if err := rows.Scan(&l); err != nil {
					rows.Close()
					return r.wrap("read column types", err)
				}
				def.Labels = append(def.Labels, l)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return r.wrap("read column types", err)
			}
			order = append(order, def)
		case "d":
			if err := visit(t.base, depth+1); err != nil {
				return err
			}
			def := PostgresTypeDef{Name: t.name, Kind: "domain", Base: t.baseName, NotNull: t.notNull}
			rows, err := r.tx.Query(r.ctx, `SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE contypid = $1::int8::oid AND contype = 'c' ORDER BY conname`, oid)
			if err != nil {
				return r.wrap("read column types", err)
			}
			for rows.Next() {
				var c string
				if err := rows.Scan(&c); err != nil {
					rows.Close()
					return r.wrap("read column types", err)
				}
				def.Checks = append(def.Checks, c)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return r.wrap("read column types", err)
			}
			order = append(order, def)
		default:
			if t.elem != 0 { // an array: its element may be user-defined
				return visit(t.elem, depth+1)
			}
		}
		return nil
	}
	sorted := append([]int64(nil), oids...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	for _, oid := range sorted {
		if err := visit(oid, 0); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// decodeByteaHex decodes PostgreSQL's hex bytea output ("\x0a1b") into dst.
func decodeByteaHex(v, dst []byte) ([]byte, bool) {
	if len(v) < 2 || v[0] != '\\' || v[1] != 'x' || len(v)%2 != 0 {
		return dst, false
	}
	n := (len(v) - 2) / 2
	if cap(dst) < n {
		dst = make([]byte, n)
	}
	dst = dst[:n]
	if _, err := hex.Decode(dst, v[2:]); err != nil {
		return dst, false
	}
	return dst, true
}
