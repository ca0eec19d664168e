package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vigil-dg/vigil/internal/pgtest"
	"github.com/vigil-dg/vigil/stages/snapshot"
)

// TestPostgresWatermarkNights: a second night after 1% of the rows changed
// and 0.1% were deleted reads and stores at most 2% of the rows; the
// composed restore equals the source exactly (EXCEPT ALL both ways); a
// database that goes away mid-extraction fails the table, commits nothing
// and leaves the watermark; the next run succeeds.
func TestPostgresWatermarkNights(t *testing.T) {
	t.Parallel()
	dsn := pgtest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	execSQL := func(sql string) {
		t.Helper()
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	const n = 20000
	execSQL(fmt.Sprintf(`CREATE SCHEMA crm;
		CREATE TABLE crm.customers (id int8 PRIMARY KEY, name text, amount numeric(12,2), tags text[], updated_at timestamptz NOT NULL);
		INSERT INTO crm.customers SELECT i, 'name ' || i, i * 1.5, ARRAY['t' || (i %% 7)], TIMESTAMPTZ '2024-01-01' + i * interval '10 minutes'
		FROM generate_series(1, %d) AS i`, n))
	execSQL("CREATE DATABASE restored")
	dir := t.TempDir()
	cfg := `format: 1
home: home
keys: {key_file: master.key}
sources:
  db:
    type: postgres
    dsn_env: SRC_DSN
    tables:
      customers:
        table: crm.customers
        key: [id]
        incremental: {watermark: updated_at, deletes: full_compare}
jobs:
  nightly: {stages: [snapshot], retries: {max: 0}}
`
	if err := os.WriteFile(filepath.Join(dir, "vigil.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"SRC_DSN=" + dsn}
	mustRun(t, dir, env, "keys", "keyfile", "master.key")
	mustRun(t, dir, env, "keys", "init")
	latest := func() *snapshot.Manifest {
		t.Helper()
		ms := storeManifests(t, filepath.Join(dir, "home"))
		if len(ms) == 0 {
			t.Fatal("no snapshot committed")
		}
		return ms[len(ms)-1]
	}
	rowsRead := func(r result) string {
		m := regexp.MustCompile(`rows_read=(\d+)`).FindStringSubmatch(r.stdout)
		if m == nil {
			t.Fatalf("no rows_read in %s", r.stdout)
		}
		return m[1]
	}
	r := mustRun(t, dir, env, "run", "nightly")
	first := latest()
	if first.Chain == nil || first.Chain.Kind != "full" || first.Chain.Watermark == "" || rowsRead(r) != fmt.Sprint(n) {
		t.Fatalf("first night: %+v, read %s", first.Chain, rowsRead(r))
	}
	// Nothing changed: an unchanged link, few rows read (the overlap).
	r = mustRun(t, dir, env, "run", "nightly")
	if m := latest(); m.Chain.Kind != "unchanged" {
		t.Fatalf("unchanged night: %+v", m.Chain)
	}
	// 1% changed, 0.1% deleted, 10 added.
	execSQL(fmt.Sprintf(`UPDATE crm.customers SET name = name || ' (moved)', updated_at = now() WHERE id %% 100 = 3;
		DELETE FROM crm.customers WHERE id %% 1000 = 7;
		INSERT INTO crm.customers SELECT i, 'new ' || i, NULL, '{}', now() FROM generate_series(%d, %d) AS i`, n+1, n+10))
	r = mustRun(t, dir, env, "run", "nightly")
	inc := latest()
	if inc.Chain.Kind != "incremental" || inc.Chain.Stored != n/100+10 || inc.Chain.Deleted != n/1000 || inc.Rows != n-n/1000+10 {
		t.Fatalf("incremental night: rows %d, %+v", inc.Rows, inc.Chain)
	}
	var read int64
	fmt.Sscan(rowsRead(r), &read)
	if read*100 > 2*n || inc.Chain.Stored*100 > 2*n {
		t.Errorf("the incremental read %d and stored %d rows of %d: more than 2%%", read, inc.Chain.Stored, n)
	}
	t.Logf("incremental night read %d rows, stored %d rows and %d deleted keys", read, inc.Chain.Stored, inc.Chain.Deleted)
	mustRun(t, dir, env, "verify")

	// The composed restore equals the source exactly.
	port := regexp.MustCompile(`port=(\d+)`).FindStringSubmatch(dsn)[1]
	mustRun(t, dir, env, "restore", "customers/"+inc.ID, "--to", "postgres://vigil@127.0.0.1:"+port+"/restored?sslmode=disable", "--schema", "crm")
	rconn, err := pgx.Connect(ctx, strings.Replace(dsn, "dbname=postgres", "dbname=restored", 1))
	if err != nil {
		t.Fatal(err)
	}
	defer rconn.Close(ctx)
	if _, err := rconn.Exec(ctx, fmt.Sprintf(`CREATE EXTENSION postgres_fdw;
		CREATE SERVER src FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', port '%s', dbname 'postgres');
		CREATE USER MAPPING FOR CURRENT_USER SERVER src OPTIONS (user 'vigil', password_required 'false');
		CREATE SCHEMA src; IMPORT FOREIGN SCHEMA crm FROM SERVER src INTO src;`, port)); err != nil {
		t.Fatal(err)
	}
	var a, b int64
	if err := rconn.QueryRow(ctx, `SELECT (SELECT count(*) FROM (SELECT * FROM src.customers EXCEPT ALL SELECT * FROM crm.customers) x),
		(SELECT count(*) FROM (SELECT * FROM crm.customers EXCEPT ALL SELECT * FROM src.customers) y)`).Scan(&a, &b); err != nil || a != 0 || b != 0 {
		t.Fatalf("restored chain differs from the source: %d and %d rows (%v)", a, b, err)
	}

	// The database goes away mid-extraction: nothing is committed, the watermark stays.
	execSQL(`UPDATE crm.customers SET updated_at = now(), name = name || '!';
		INSERT INTO crm.customers SELECT i, repeat('x', 200), i, '{}', now() FROM generate_series(100001, 400000) AS i`)
	before := latest()
	cmd := exec.CommandContext(ctx, vigilBin, "run", "nightly")
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}, env...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	for i := 0; i < 2000 && !killed; i++ {
		var k bool
		if err := conn.QueryRow(ctx, `SELECT coalesce(bool_or(pg_terminate_backend(pid)), false) FROM pg_stat_activity
			WHERE application_name = 'vigil-extract' AND state = 'active' AND query LIKE 'SELECT * FROM%'`).Scan(&k); err != nil {
			t.Fatal(err)
		}
		killed = k
		time.Sleep(5 * time.Millisecond)
	}
	err = cmd.Wait()
	if !killed || err == nil {
		t.Fatalf("killed=%t, run: %v\n%s", killed, err, out.String())
	}
	if !strings.Contains(out.String(), "source unavailable") {
		t.Errorf("failure not reported as the source going away:\n%s", out.String())
	}
	if after := latest(); after.ID != before.ID || after.Chain.Watermark != before.Chain.Watermark {
		t.Fatalf("a failed night committed %s (watermark %s → %s)", after.ID, before.Chain.Watermark, after.Chain.Watermark)
	}
	if ents, _ := os.ReadDir(filepath.Join(dir, "home", "store", "snapshots", "customers")); len(ents) != 3 {
		t.Errorf("%d entries in the table directory after the failed night, want the 3 committed snapshots", len(ents))
	}
	mustRun(t, dir, env, "run", "nightly")
	if next := latest(); next.ID == before.ID || next.Rows != int64(n-n/1000+10+300000) {
		t.Fatalf("next night: %s rows %d", next.ID, next.Rows)
	}
	mustRun(t, dir, env, "verify")
}
