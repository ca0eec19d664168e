package extract

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"

	"github.com/vigil-dg/vigil/internal/pgtest"
)

const pgFixture = `
CREATE SCHEMA crm;
CREATE TABLE crm."Customers" (
	id      int4 PRIMARY KEY,
	name    text,
	age     int2,
	visits  int8,
	balance numeric(12,2),
	score   numeric,
	active  bool,
	born    date,
	seen    timestamptz,
	created timestamp,
	code    char(4),
	email   varchar(100),
	uid     uuid,
	meta    jsonb,
	ip      inet,
	ratio   float8,
	phone   text
);
INSERT INTO crm."Customers" VALUES
 (1, '张三', 34, 9000000000, 1234.50, 1.5, true, '1990-05-17', '2024-03-01 08:30:00.123456+08', '2024-03-01 08:30:00', 'A001', 'zhang@example.cn', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"vip": true}', '192.168.0.1', 0.25, '13800000000'),
 (2, '李四, "小李"', NULL, NULL, -0.01, NULL, false, NULL, NULL, NULL, NULL, '', NULL, NULL, NULL, NULL, NULL),
 (3, NULL, 20, 1, 0, 1.1234567891, NULL, '2000-02-29', '2000-01-01 00:00:00+00', '1999-12-31 23:59:59.5', 'B2', NULL, NULL, '[]', '::1', NULL, '13900000000'),
 (4, '王五', 41, -5, 99999.99, 7, true, '1985-01-01', 'infinity', '2024-01-01', NULL, NULL, NULL, NULL, NULL, NULL, '13700000000'),
 (5, 'Zoë', 28, 7, 10, 123456789.123456789, true, '2024-12-31', '2024-12-31 23:59:59+00', '2024-12-31 23:59:59', 'C', 'zoe@example.com', NULL, NULL, NULL, -1.5, '138-0000-0000');
`

func TestPostgres(t *testing.T) {
	dsn := pgtest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, pgFixture); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)

	t.Run("Table", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
		defer mem.AssertSize(t, 0)
		var rejects []Reject
		res := readPostgres(t, ctx, PostgresOptions{
			DSN: dsn, Table: "customers", Source: `crm.Customers`, Alloc: mem, BatchRows: 2,
			Types:    map[string]Type{"phone": TypeInt64},
			OnReject: func(r Reject) error { rejects = append(rejects, r); return nil },
		})
		wantSchema := []string{
			"id:int64", "name:utf8", "age:int64", "visits:int64", "balance:decimal(12, 2)", "score:utf8",
			"active:bool", "born:date32", "seen:timestamp[us, tz=UTC]", "created:timestamp[us, tz=UTC]",
			"code:utf8", "email:utf8", "uid:utf8", "meta:utf8", "ip:utf8", "ratio:float64", "phone:int64",
		}
		if got := schemaStrings(res.schema); strings.Join(got, " ") != strings.Join(wantSchema, " ") {
			t.Errorf("schema\n got %v\nwant %v", got, wantSchema)
		}
		want := [][]string{
			{"1", "张三", "34", "9000000000", "1234.5", "1.5", "true", "1990-05-17", "2024-03-01 00:30:00.123456Z", "2024-03-01 08:30:00Z", "A001", "zhang@example.cn", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", `{"vip": true}`, "192.168.0.1", "0.25", "13800000000"},
			{"2", `李四, "小李"`, "(null)", "(null)", "-0.01", "(null)", "false", "(null)", "(null)", "(null)", "(null)", "", "(null)", "(null)", "(null)", "(null)", "(null)"},
			{"3", "(null)", "20", "1", "0", "1.1234567891", "(null)", "2000-02-29", "2000-01-01 00:00:00Z", "1999-12-31 23:59:59.5Z", "B2  ", "(null)", "(null)", "[]", "::1", "(null)", "13900000000"},
		}
		if got := strings.Join(flatten(res.rows), "\n"); got != strings.Join(flatten(want), "\n") {
			t.Errorf("rows\n got %q\nwant %q", res.rows, want)
		}
		if fmt.Sprint(res.batches) != "[2 1]" {
			t.Errorf("batch sizes %v, want [2 1]", res.batches)
		}
		// Row 4: infinite timestamp; row 5: declared int64 phone.
		wantRej := []struct {
			line int64
			col  string
			in   string
		}{{4, "seen", "infinite"}, {5, "phone", "declared"}}
		if len(rejects) != len(wantRej) {
			t.Fatalf("got %d rejects, want %d: %+v", len(rejects), len(wantRej), rejects)
		}
		for i, w := range wantRej {
			r := rejects[i]
			if r.Line != w.line || r.Column != w.col || !strings.Contains(r.Reason, w.in) || r.File != "postgres:crm.Customers" {
				t.Errorf("reject %d = %+v, want line %d column %s reason containing %q", i, r, w.line, w.col, w.in)
			}
		}
		if got := rejects[1].Raw; got != `5,Zoë,28,7,10.00,123456789.123456789,t,2024-12-31,2024-12-31 23:59:59+00,2024-12-31 23:59:59,C   ,zoe@example.com,,,,-1.5,138-0000-0000` {
			t.Errorf("Raw = %q", got)
		}
		for _, r := range rejects {
			if strings.Contains(r.Reason, "138-0000") || strings.Contains(r.Reason, "1.1234567891") {
				t.Errorf("reason quotes a value: %q", r.Reason)
			}
		}
		s := res.stats
		if s.RowsRead != 5 || s.RowsWritten != 3 || s.RowsRejected != 2 || s.RowsRead != s.RowsWritten+s.RowsRejected || s.Bytes == 0 {
			t.Errorf("stats %+v", s)
		}
	})

	t.Run("Query", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
		defer mem.AssertSize(t, 0)
		res := readPostgres(t, ctx, PostgresOptions{
			DSN: dsn, Table: "numbers", Alloc: mem, BatchRows: 4096,
			Query: `SELECT g AS n, g::numeric(10,3) / 8 AS eighth, current_setting('transaction_isolation') AS iso,
			        current_setting('transaction_read_only') AS ro, current_setting('TimeZone') AS tz
			        FROM generate_series(1, 10000) AS g`,
		})
		if got := schemaStrings(res.schema); strings.Join(got, " ") != "n:int64 eighth:utf8 iso:utf8 ro:utf8 tz:utf8" {
			t.Errorf("schema %v", got)
		}
		if len(res.rows) != 10000 || fmt.Sprint(res.batches) != "[4096 4096 1808]" {
			t.Fatalf("%d rows in batches %v", len(res.rows), res.batches)
		}
		if got := strings.Join(res.rows[9999], "|"); got != "10000|1250.0000000000000000|repeatable read|on|UTC" {
			t.Errorf("last row %q", got)
		}
		if got := strings.Join(res.rows[2], "|"); got != "3|0.37500000000000000000|repeatable read|on|UTC" {
			t.Errorf("row 3 %q", got)
		}
		if s := res.stats; s.RowsRead != 10000 || s.RowsWritten != 10000 || s.RowsRejected != 0 {
			t.Errorf("stats %+v", s)
		}
	})

	t.Run("CloseEarly", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
		defer mem.AssertSize(t, 0)
		r, err := OpenPostgres(ctx, PostgresOptions{DSN: dsn, Table: "big", Alloc: mem, BatchRows: 100,
			Query: "SELECT generate_series(1, 2000000) AS g, repeat('x', 100) AS pad"})
		if err != nil {
			t.Fatal(err)
		}
		if !r.Next() || r.RecordBatch().NumRows() != 100 {
			t.Fatal("no first batch", r.Err())
		}
		r.RecordBatch().Retain() // kept past Close
		rec := r.RecordBatch()
		start := time.Now()
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
		rec.Release()
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Close took %v: it drained the result", d)
		}
		if s := r.Stats(); s.RowsRead != s.RowsWritten+s.RowsRejected {
			t.Errorf("stats %+v", s)
		}
		r.Close() // twice is fine
	})

	t.Run("Errors", func(t *testing.T) {
		cases := []struct {
			name string
			opts PostgresOptions
			is   error
			want []string
		}{
			{"missing table", PostgresOptions{Table: "t1", Source: "crm.nope"}, nil, []string{"table t1", "postgres:crm.nope", "42P01"}},
			{"injection is quoted", PostgresOptions{Table: "t2", Source: `crm.x"; DROP TABLE "Customers`}, nil, []string{"42P01"}},
			{"write refused", PostgresOptions{Table: "t3", Query: `INSERT INTO crm."Customers"(id) VALUES (99) RETURNING id`}, nil, []string{"table t3", "read-only", "25006"}},
			{"undeclared column", PostgresOptions{Table: "t4", Source: "crm.Customers", Types: map[string]Type{"Phone": TypeString, "nope": TypeInt64}}, ErrUnknownColumn, []string{`"Phone"`, `it has "phone"`, `"nope"`}},
			{"duplicate column", PostgresOptions{Table: "t5", Query: `SELECT 1 AS a, 2 AS "A"`}, ErrDuplicateColumn, []string{`column "A"`}},
			{"data exception withheld", PostgresOptions{Table: "t6", Query: "SELECT phone::int8 FROM crm.\"Customers\""}, nil, []string{"22P02", "withheld"}},
			{"both", PostgresOptions{Table: "t7", Source: "a", Query: "SELECT 1"}, ErrInvalidOption, nil},
			{"neither", PostgresOptions{Table: "t8"}, ErrInvalidOption, nil},
			{"bad source", PostgresOptions{Source: "a.b.c"}, ErrInvalidOption, []string{"a.b.c"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				c.opts.DSN = dsn
				err := readError(t, ctx, c.opts)
				if err == nil {
					t.Fatal("no error")
				}
				if c.is != nil && !errors.Is(err, c.is) {
					t.Errorf("error %v is not %v", err, c.is)
				}
				if errors.Is(err, ErrSourceUnavailable) {
					t.Errorf("error %v is marked unavailable", err)
				}
				for _, w := range c.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not contain %q", err, w)
					}
				}
				if strings.Contains(err.Error(), "1380000") || strings.Contains(err.Error(), "138-0000") {
					t.Errorf("error quotes row data: %v", err)
				}
			})
		}
		// The injection attempt did nothing.
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var n int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM crm."Customers"`).Scan(&n); err != nil || n != 5 {
			t.Errorf("count = %d, %v", n, err)
		}
	})

	t.Run("RejectHandlerError", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
		defer mem.AssertSize(t, 0)
		stop := errors.New("disk full")
		err := readError(t, ctx, PostgresOptions{DSN: dsn, Table: "customers", Source: "crm.Customers", Alloc: mem,
			OnReject: func(Reject) error { return stop }})
		if !errors.Is(err, stop) || !strings.Contains(err.Error(), "table customers") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestPostgresUnavailable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	port := pgtest.FreePort(t) // closed again: nothing listens there
	const pw = "s3cret-Passw0rd"
	_, err := OpenPostgres(ctx, PostgresOptions{
		DSN:   fmt.Sprintf("postgres://vigil:%s@127.0.0.1:%d/crm?sslmode=disable&connect_timeout=5", pw, port),
		Table: "customers", Source: "public.customers",
	})
	if err == nil {
		t.Fatal("no error")
	}
	if !errors.Is(err, ErrSourceUnavailable) {
		t.Errorf("error %v is not ErrSourceUnavailable", err)
	}
	var tmp interface{ Temporary() bool }
	if !errors.As(err, &tmp) || !tmp.Temporary() {
		t.Errorf("error %v is not Temporary", err)
	}
	var ue *UnavailableError
	if !errors.As(err, &ue) || ue.Op != "connect" {
		t.Errorf("error %#v is not an *UnavailableError from connect", err)
	}
	if msg := err.Error(); strings.Contains(msg, pw) || !strings.Contains(msg, "customers") {
		t.Errorf("message %q", msg)
	}

	// A DSN that does not parse is not shown (it may hold the password).
	_, err = OpenPostgres(ctx, PostgresOptions{DSN: "postgres://vigil:" + pw + "@127.0.0.1:notaport/crm", Table: "customers", Source: "customers"})
	if err == nil || !errors.Is(err, ErrInvalidOption) || errors.Is(err, ErrSourceUnavailable) || strings.Contains(err.Error(), pw) {
		t.Errorf("bad DSN: %v", err)
	}
	_, err = OpenPostgres(ctx, PostgresOptions{Table: "customers", Source: "customers"})
	if !errors.Is(err, ErrInvalidOption) || !strings.Contains(err.Error(), "dsn_env") {
		t.Errorf("empty DSN: %v", err)
	}
}

type pgResult struct {
	schema  *arrow.Schema
	rows    [][]string
	batches []int64
	stats   Stats
}

func readPostgres(t *testing.T, ctx context.Context, opts PostgresOptions) pgResult {
	t.Helper()
	r, err := OpenPostgres(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	res := pgResult{schema: r.Schema()}
	for r.Next() {
		rec := r.RecordBatch()
		res.batches = append(res.batches, rec.NumRows())
		res.rows = append(res.rows, valueStrings(rec)...)
		if s := r.Stats(); s.RowsRead != s.RowsWritten+s.RowsRejected {
			t.Errorf("invariant broken: %+v", s)
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	res.stats = r.Stats()
	return res
}

// readError opens and reads to the end, returning the first error.
func readError(t *testing.T, ctx context.Context, opts PostgresOptions) error {
	t.Helper()
	r, err := OpenPostgres(ctx, opts)
	if err != nil {
		return err
	}
	defer r.Close()
	for r.Next() {
	}
	return r.Err()
}

func schemaStrings(s *arrow.Schema) []string {
	var out []string
	for _, f := range s.Fields() {
		out = append(out, f.Name+":"+f.Type.String())
	}
	return out
}

func valueStrings(rec arrow.RecordBatch) [][]string {
	out := make([][]string, rec.NumRows())
	for i := range out {
		for _, col := range rec.Columns() {
			if col.IsNull(i) {
				out[i] = append(out[i], "(null)")
				continue
			}
			switch a := col.(type) {
			case *array.Timestamp:
				out[i] = append(out[i], a.Value(i).ToTime(arrow.Microsecond).UTC().Format("2006-01-02 15:04:05.999999Z"))
			default:
				out[i] = append(out[i], col.ValueStr(i))
			}
		}
	}
	return out
}

func flatten(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, strings.Join(r, "|"))
	}
	return out
}
