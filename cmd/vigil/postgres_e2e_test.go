package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vigil-dg/vigil/internal/pgtest"
)

// TestPostgresSourceEndToEnd snapshots, classifies, anonymizes and verifies
// a table of a real PostgreSQL server through the CLI.
func TestPostgresSourceEndToEnd(t *testing.T) {
	t.Parallel()
	dsn := pgtest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(ctx, `CREATE TABLE contacts (id int PRIMARY KEY, 姓名 text, 手机号 text, email text, born date, balance numeric(10,2));
		INSERT INTO contacts
		SELECT i, (ARRAY['张伟','王芳','李娜','刘洋','陈静'])[1 + i % 5] || i,
		       '13' || lpad((i * 7919 % 1000000000)::text, 9, '0'),
		       'user' || i || '@example.com', DATE '1970-01-01' + (i * 37 % 15000), (i % 1000) / 10.0
		FROM generate_series(1, 3000) AS i`)
	conn.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := `format: 1
home: home
keys: {key_file: master.key}
sources:
  db:
    type: postgres
    dsn_env: VIGIL_TEST_PG_DSN
    tables:
      contacts: {table: public.contacts}
jobs:
  nightly: {stages: [snapshot, classify, anonymize], retries: {max: 2, backoff: 100ms, max_backoff: 200ms}}
`
	if err := os.WriteFile(filepath.Join(dir, "vigil.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"VIGIL_TEST_PG_DSN=" + dsn}
	mustRun(t, dir, env, "keys", "keyfile", "master.key")
	mustRun(t, dir, env, "keys", "init")
	mustRun(t, dir, env, "run", "nightly")
	mustRun(t, dir, env, "verify")
	var inv []struct {
		Columns []struct{ Name, Class string }
	}
	r := mustRun(t, dir, env, "classify", "--cached", "--json")
	if err := jsonField(t, r.stdout, "tables", &inv); err != nil || len(inv) != 1 {
		t.Fatalf("inventory: %v\n%s", err, r.stdout)
	}
	want := map[string]string{"姓名": "person_name", "手机号": "phone", "email": "email", "born": "birth_date"}
	for _, c := range inv[0].Columns {
		if w, ok := want[c.Name]; ok && c.Class != w {
			t.Errorf("column %s classified %s, want %s", c.Name, c.Class, w)
		}
	}
	q := mustRun(t, dir, env, "query", "--format", "csv", "SELECT count(*) FROM contacts WHERE email LIKE '%@example.com'")
	if lines := strings.Fields(q.stdout); len(lines) == 0 || lines[len(lines)-1] != "0" {
		t.Errorf("raw e-mails reached the analyst dataset:\n%s", q.stdout)
	}
	// A stopped server is a transient failure: retried, then reported.
	bad := []string{"VIGIL_TEST_PG_DSN=host=127.0.0.1 port=1 user=vigil dbname=x sslmode=disable connect_timeout=2"}
	fail := vigil(t, dir, bad, "run", "nightly")
	if fail.code != exitFailed || !strings.Contains(fail.stderr, "source unavailable") {
		t.Fatalf("unreachable source: %s", fail)
	}
	if strings.Count(fail.stderr, "retrying") < 2 && strings.Count(fail.stderr, "retry") < 2 {
		t.Errorf("the transient failure was not retried:\n%s", fail.stderr)
	}
}
