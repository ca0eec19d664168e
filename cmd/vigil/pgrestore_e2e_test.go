package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vigil-dg/vigil/internal/pgtest"
)

// pgTypedTable holds one column of each type the PostgreSQL source keeps faithfully.
const pgTypedTable = `
CREATE TYPE crm.stage AS ENUM ('lead', 'won', 'lost');
CREATE DOMAIN crm.email AS text CHECK (VALUE LIKE '%@%');
CREATE TABLE crm.typed (
	id int8 PRIMARY KEY, amount numeric(12,2) NOT NULL, exact numeric, at timestamptz, local timestamp, day date,
	clock time, span interval, ok boolean, blob bytea, uid uuid, doc json, docb jsonb, st crm.stage, mail crm.email,
	tags text[], grid int4[], f4 real, f8 double precision, small int2);
INSERT INTO crm.typed
SELECT i, i * 1.25, i / 7.0, TIMESTAMPTZ '2024-03-01 08:30:00.123456+08' + i * interval '1 hour 1 second',
       TIMESTAMP '2024-03-01' + i * interval '1 minute', DATE '2000-02-29' + i, TIME '00:00:00.5' + i * interval '1 second',
       make_interval(months => i % 13, days => -i, secs => i * 0.001), i % 3 = 0, decode(md5(i::text), 'hex'),
       md5(i::text)::uuid, ('{"n": ' || i || ',  "tab": "a\tb"}')::json, jsonb_build_object('n', i, 'q', 'x"y\z'),
       (ARRAY['lead','won','lost'])[1 + i % 3]::crm.stage, 'u' || i || '@example.com',
       ARRAY['a', 'b c', NULL, E'new\nline', 'back\slash'], ARRAY[i, -i], i / 3.0, i / 7.0, i % 100
FROM generate_series(1, 500) AS i;
INSERT INTO crm.typed (id, amount, exact, f8, doc, tags) VALUES (0, 0, 'NaN', 'Infinity', '[]', '{}');
`

// TestRestoreIntoPostgresRoundTrip loads the demo CRM into PostgreSQL,
// snapshots it with the nightly job, restores the run into a fresh database
// and compares every table (EXCEPT ALL both ways) and every column type.
func TestRestoreIntoPostgresRoundTrip(t *testing.T) {
	t.Parallel()
	dsn := pgtest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	dir := t.TempDir()
	mustRun(t, dir, nil, "demo", "generate", "--rows", "2000", "--seed", "5", "--out", "data")
	crmDSN, err := createDemoDatabase(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if err := loadDemoCRM(ctx, crmDSN, filepath.Join(dir, "data")); err != nil {
		t.Fatal(err)
	}
	exec := func(dsn, sql string) {
		t.Helper()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	exec(crmDSN, pgTypedTable)
	exec(dsn, "CREATE DATABASE restored")
	tables := append(append([]string{}, demoTables...), "typed")
	var tb strings.Builder
	for _, tn := range tables {
		fmt.Fprintf(&tb, "      %s: {table: crm.%s}\n", tn, tn)
	}
	cfg := "format: 1\nhome: home\nkeys: {key_file: master.key}\nsources:\n  db:\n    type: postgres\n    dsn_env: SRC_DSN\n    tables:\n" + tb.String() +
		"jobs:\n  nightly: {stages: [snapshot]}\n"
	if err := os.WriteFile(filepath.Join(dir, "vigil.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"SRC_DSN=" + crmDSN}
	mustRun(t, dir, env, "keys", "keyfile", "master.key")
	mustRun(t, dir, env, "keys", "init")
	r := mustRun(t, dir, env, "run", "nightly")
	runID := regexp.MustCompile(`run (\S+) job nightly`).FindStringSubmatch(r.stdout)
	if runID == nil {
		t.Fatalf("no run id in:\n%s", r.stdout)
	}
	port := regexp.MustCompile(`port=(\d+)`).FindStringSubmatch(dsn)[1]

	// A password on the command line is refused and not echoed.
	bad := vigil(t, dir, env, "restore", "--run", runID[1], "--to", "postgres://vigil:Sekr1t-pw@127.0.0.1:"+port+"/restored")
	if bad.code == 0 || strings.Contains(bad.stderr+bad.stdout, "Sekr1t-pw") || !strings.Contains(bad.stderr, "PGPASSWORD") {
		t.Fatalf("password in --to: %s", bad)
	}
	target := "postgres://vigil@127.0.0.1:" + port + "/restored?sslmode=disable"
	r = mustRun(t, dir, env, "restore", "--run", runID[1], "--to", target, "--schema", "crm")
	if got := strings.Count(r.stdout, "(created)"); got != len(tables) {
		t.Fatalf("restored %d tables, want %d:\n%s", got, len(tables), r.stdout)
	}
	// Restoring again into the same (now full) tables fails and changes nothing.
	if again := vigil(t, dir, env, "restore", "--run", runID[1], "--to", target, "--schema", "crm"); again.code == 0 || !strings.Contains(again.stderr, "already holds rows") {
		t.Fatalf("second restore: %s", again)
	}

	restoredDSN := strings.Replace(dsn, "dbname=postgres", "dbname=restored", 1)
	exec(restoredDSN, fmt.Sprintf(`CREATE EXTENSION postgres_fdw;
		CREATE SERVER src FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', port '%s', dbname 'crm');
		CREATE USER MAPPING FOR CURRENT_USER SERVER src OPTIONS (user 'vigil', password_required 'false');
		CREATE SCHEMA src; IMPORT FOREIGN SCHEMA crm FROM SERVER src INTO src;`, port))
	conn, err := pgx.Connect(ctx, restoredDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, tn := range tables {
		var srcRows, onlySrc, onlyRestored int64
		q := fmt.Sprintf(`SELECT (SELECT count(*) FROM src.%[1]s),
			(SELECT count(*) FROM (SELECT * FROM src.%[1]s EXCEPT ALL SELECT * FROM crm.%[1]s) a),
			(SELECT count(*) FROM (SELECT * FROM crm.%[1]s EXCEPT ALL SELECT * FROM src.%[1]s) b)`, tn)
		if tn == "typed" { // json has no equality operator: compare it as text
			q = strings.ReplaceAll(q, "SELECT * FROM", "SELECT id, amount, exact, at, local, day, clock, span, ok, blob, uid, doc::text, docb, st, mail, tags, grid, f4, f8, small FROM")
			q = strings.Replace(q, "SELECT id, amount, exact, at, local, day, clock, span, ok, blob, uid, doc::text, docb, st, mail, tags, grid, f4, f8, small FROM src.typed),", "SELECT count(*) FROM src.typed),", 1)
		}
		if err := conn.QueryRow(ctx, q).Scan(&srcRows, &onlySrc, &onlyRestored); err != nil {
			t.Fatalf("%s: %v", tn, err)
		}
		if srcRows == 0 || onlySrc != 0 || onlyRestored != 0 {
			t.Errorf("table %s: %d rows; %d only in the source, %d only in the restored copy", tn, srcRows, onlySrc, onlyRestored)
		}
	}
	// Types: the restored columns have the source's types (format_type), NOT NULL included.
	typesOf := func(dsn string) string {
		c, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		var s string
		if err := c.QueryRow(ctx, `SELECT string_agg(c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END, E'\n' ORDER BY c.relname, a.attnum)
			FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname = 'crm' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if src, got := typesOf(crmDSN), typesOf(restoredDSN); src != got {
		t.Errorf("column types differ\nsource:\n%s\nrestored:\n%s", src, got)
	}
}

// TestDemoPostgres runs vigil demo --postgres: the demo CRM in a throwaway
// PostgreSQL from the system binaries, the nightly job read from it.
func TestDemoPostgres(t *testing.T) {
	t.Parallel()
	pgtest.Start(t) // skips (or fails under CI) exactly like the other PostgreSQL tests
	dir := t.TempDir()
	r := mustRun(t, dir, nil, "demo", "--postgres", "--rows", "500", "--dir", filepath.Join(dir, "demo"))
	if !strings.Contains(r.stdout, "nightly: ok") {
		t.Errorf("demo summary:\n%s", r.stdout)
	}
	cfg, err := os.ReadFile(filepath.Join(dir, "demo", "vigil.yaml"))
	if err != nil || !strings.Contains(string(cfg), "type: postgres") {
		t.Fatalf("demo config: %v\n%s", err, cfg)
	}
}
