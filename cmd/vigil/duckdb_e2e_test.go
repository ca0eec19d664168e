package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// TestDuckDBReadsSnapshotWithItsKey is the no-lock-in promise: the script of
// "vigil snapshots duckdb-sql" lets plain DuckDB read the encrypted snapshot
// and return the manifest's row count and content digest.
func TestDuckDBReadsSnapshotWithItsKey(t *testing.T) {
	t.Parallel()
	dir := setupDir(t, 3000, false, "  snap: {stages: [snapshot]}\n")
	mustRun(t, dir, nil, "run", "snap")
	script := filepath.Join(dir, "customers.sql")
	mustRun(t, dir, nil, "snapshots", "duckdb-sql", "customers/latest", "--out", script)
	st, err := os.Stat(script)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("script mode: %v %v", st, err)
	}
	b, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	var ms []struct {
		Digest string
		Rows   int64
	}
	out := mustRun(t, dir, nil, "snapshots", "list", "customers", "--json")
	if err := unmarshalSnapshots(out.stdout, &ms); err != nil || len(ms) != 1 {
		t.Fatalf("snapshots list: %v", err)
	}

	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, s := range []string{"SET autoinstall_known_extensions=false", "SET autoload_known_extensions=false"} {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	var digestSQL string
	for _, stmt := range strings.Split(string(b), ";\n") {
		var code []string
		for _, line := range strings.Split(stmt, "\n") {
			if rest, ok := strings.CutPrefix(line, "-- "); ok && strings.HasPrefix(rest, "SELECT 'v1:'") {
				digestSQL = rest
				continue
			}
			if !strings.HasPrefix(line, "--") {
				code = append(code, line)
			}
		}
		if q := strings.TrimSpace(strings.Join(code, "\n")); q != "" {
			if _, err := db.Exec(q); err != nil {
				t.Fatalf("DuckDB rejects the script: %v", err)
			}
		}
	}
	var rows int64
	if err := db.QueryRow(`SELECT count(*) FROM customers`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	var digest string
	if err := db.QueryRow(digestSQL).Scan(&digest); err != nil {
		t.Fatal(err)
	}
	if rows != ms[0].Rows || digest != ms[0].Digest {
		t.Fatalf("DuckDB read %d rows, digest %s; manifest says %d, %s", rows, digest, ms[0].Rows, ms[0].Digest)
	}
}
