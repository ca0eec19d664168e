package extract

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vigil-dg/vigil/internal/pgtest"
)

// TestPostgresRowsEstimate: the planner's estimate is the total of the
// snapshot's progress bar — for a whole table, a watermark night's WHERE
// with arguments and a query — near the real count, and done counts the
// rows taken.
func TestPostgresRowsEstimate(t *testing.T) {
	dsn := pgtest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE est (id int8 PRIMARY KEY, name text, at timestamptz);
		INSERT INTO est SELECT i, 'n' || i, TIMESTAMPTZ '2024-01-01' + i * interval '1 minute' FROM generate_series(1, 5000) i;
		ANALYZE est;`); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	for _, tc := range []struct {
		name     string
		opts     PostgresOptions
		rows     int64
		min, max int64
	}{
		{"table", PostgresOptions{Source: "est"}, 5000, 4000, 6000},
		{"watermark", PostgresOptions{Source: "est", Where: "at > $1", Args: []any{time.Date(2024, 1, 3, 12, 0, 0, 0, time.UTC)}}, 1400, 700, 2800},
		{"query", PostgresOptions{Query: "SELECT id, name FROM est WHERE id <= 100"}, 100, 50, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.DSN, tc.opts.Table = dsn, "est"
			rr, err := OpenPostgres(ctx, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer rr.Close()
			est, ok := rr.(RowsEstimator)
			if !ok {
				t.Fatal("the PostgreSQL reader gives no RowsEstimate")
			}
			total, done := est.RowsEstimate()
			if total < tc.min || total > tc.max || done != 0 {
				t.Errorf("estimate %d (done %d), want %d..%d", total, done, tc.min, tc.max)
			}
			var n int64
			for rr.Next() {
				n += rr.RecordBatch().NumRows()
				if _, done := est.RowsEstimate(); done != n {
					t.Fatalf("done %d after %d rows", done, n)
				}
			}
			if err := rr.Err(); err != nil || n != tc.rows {
				t.Fatalf("read %d rows, want %d (%v)", n, tc.rows, err)
			}
		})
	}
}

func TestExplainRows(t *testing.T) {
	for in, want := range map[string]int64{
		`[{"Plan": {"Node Type": "Seq Scan", "Plan Rows": 5000, "Plan Width": 20}}]`: 5000,
		`[{"Plan": {"Plan Rows": 0.4}}]`:                                             0,
		`[{"Plan": {"Plan Rows": 1e300}}]`:                                           0,
		`[]`:                                                                         0,
		`not json`:                                                                   0,
	} {
		if got := explainRows([]byte(in)); got != want {
			t.Errorf("explainRows(%s) = %d, want %d", in, got, want)
		}
	}
}
