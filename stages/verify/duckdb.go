package verify

import (
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2" // DuckDB driver

	"github.com/vigil-dg/vigil/stages/snapshot"
)

// duckCheck reads the given data files with DuckDB, each with its own data
// key, and compares the row count and the content digest (DigestSQL) with
// what the Go reader found in the same files.
func (c *checker) duckCheck(files []snapshot.File, goDigest *snapshot.Digester) error {
	var secrets []string
	redact := func(err error) string {
		msg, _, _ := strings.Cut(err.Error(), "\n") // drop DuckDB's echo of the query
		msg = strings.TrimSpace(msg)
		for _, s := range secrets {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
		}
		return msg
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		c.res.add(KindDuckDB, "", "cannot start DuckDB: %v", err)
		return nil
	}
	defer db.Close()
	conn, err := db.Conn(c.ctx)
	if err != nil {
		if c.ctx.Err() != nil {
			return c.ctx.Err()
		}
		c.res.add(KindDuckDB, "", "cannot start DuckDB: %v", err)
		return nil
	}
	defer conn.Close()
	for _, q := range []string{"SET autoinstall_known_extensions=false", "SET autoload_known_extensions=false"} {
		if _, err := conn.ExecContext(c.ctx, q); err != nil {
			c.res.add(KindDuckDB, "", "%s: %v", q, err)
			return nil
		}
	}
	parts := make([]string, 0, len(files))
	var rows int64
	for i, f := range files {
		secret := base64.StdEncoding.EncodeToString(c.deks[f.Name])
		secrets = append(secrets, secret)
		name := fmt.Sprintf("vigil_k%d", i)
		// The statement holds the key: it is never logged, and errors are redacted.
		if _, err := conn.ExecContext(c.ctx, "PRAGMA add_parquet_key('"+name+"', '"+secret+"')"); err != nil {
			if c.ctx.Err() != nil {
				return c.ctx.Err()
			}
			c.res.add(KindDuckDB, f.Name, "DuckDB refused the data key: %s", redact(err))
			return nil
		}
		parts = append(parts, fmt.Sprintf("SELECT * FROM read_parquet(%s, encryption_config={footer_key: '%s'})",
			sqlString(c.s.Path(f.Name)), name))
		rows += f.Rows
	}
	rel := "(" + strings.Join(parts, " UNION ALL ") + ") AS vigil_snapshot"
	var n int64
	if err := conn.QueryRowContext(c.ctx, "SELECT count(*) FROM "+rel).Scan(&n); err != nil {
		if c.ctx.Err() != nil {
			return c.ctx.Err()
		}
		if localResource(err) {
			return notVerified("DuckDB check", errors.New(redact(err)))
		}
		c.res.add(KindDuckDB, "", "DuckDB cannot read the data files with their keys: %s", redact(err))
		return nil
	}
	if n != rows {
		c.res.add(KindDuckDB, "", "DuckDB reads %d rows, manifest says %d", n, rows)
	}
	var digest string
	if err := conn.QueryRowContext(c.ctx, snapshot.DigestSQL(c.schema, rel)).Scan(&digest); err != nil {
		if c.ctx.Err() != nil {
			return c.ctx.Err()
		}
		if localResource(err) {
			return notVerified("DuckDB check", errors.New(redact(err)))
		}
		c.res.add(KindDuckDB, "", "DuckDB cannot compute the content digest: %s", redact(err))
		return nil
	}
	if want := goDigest.Sum(); digest != want {
		c.res.add(KindDuckDB, "", "DuckDB reads content digest %s, the snapshot reader %s", digest, want)
	}
	c.res.Checks = append(c.res.Checks, CheckDuckDB)
	return nil
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
