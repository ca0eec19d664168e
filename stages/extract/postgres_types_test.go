package extract

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"

	"github.com/vigil-dg/vigil/internal/pgtest"
)

// pgTypesFixture has one column of every type the README promises to keep.
const pgTypesFixture = `
CREATE SCHEMA crm;
CREATE TYPE crm.stage AS ENUM ('lead', 'won', 'lost');
CREATE DOMAIN crm.email AS text CHECK (VALUE LIKE '%@%');
CREATE DOMAIN crm.stage_nn AS crm.stage NOT NULL;
CREATE TABLE crm.t (
	id     int8 PRIMARY KEY,
	amount numeric(12,2),
	exact  numeric,
	at     timestamptz,
	local  timestamp,
	day    date,
	clock  time,
	tclock timetz,
	span   interval,
	ok     boolean,
	blob   bytea,
	uid    uuid,
	doc    json,
	docb   jsonb,
	st     crm.stage,
	stn    crm.stage_nn,
	mail   crm.email,
	tags   text[],
	grid   int4[][],
	stages crm.stage[],
	f4     float4,
	f8     float8,
	money  money,
	net    inet
);
INSERT INTO crm.t VALUES
 (1, 1234.56, 0.12345678901234567890123, '2024-03-01 08:30:00.123456+08', '2024-03-01 08:30:00', '2024-02-29', '23:59:59.999999', '10:00+02',
  '1 year 2 mons 3 days 04:05:06.789', true, '\x00ff10', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"b": 1,  "a": [1,2]}', '{"b": 1, "a": [1,2]}',
  'won', 'lead', 'x@example.com', ARRAY['a', 'b c', NULL, '"q"'], '{{1,2},{3,4}}', '{lead,won}', 0.1, 0.1, 12.34, '10.0.0.1/8'),
 (2, NULL, 'NaN', NULL, NULL, NULL, NULL, NULL, '-3 days', false, '\x', NULL, NULL, NULL, NULL, 'lost', NULL, '{}', NULL, NULL, 'NaN', '-Infinity', NULL, NULL);
`

func TestPostgresFaithfulTypes(t *testing.T) {
	dsn := pgtest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, pgTypesFixture); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	r, err := OpenPostgres(ctx, PostgresOptions{DSN: dsn, Table: "t", Source: "crm.t", Alloc: mem})
	if err != nil {
		t.Fatal(err)
	}
	res := pgResult{schema: r.Schema()}
	for r.Next() {
		res.rows = append(res.rows, valueStrings(r.RecordBatch())...)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	info := r.(interface{ SourceInfo() map[string]string }).SourceInfo()
	r.Close()

	wantSchema := "id:int64 amount:decimal(12, 2) exact:utf8 at:timestamp[us, tz=UTC] local:timestamp[us, tz=UTC] day:date32 " +
		"clock:utf8 tclock:utf8 span:utf8 ok:bool blob:binary uid:utf8 doc:utf8 docb:utf8 st:utf8 stn:utf8 mail:utf8 " +
		"tags:utf8 grid:utf8 stages:utf8 f4:float64 f8:float64 money:utf8 net:utf8"
	if got := strings.Join(schemaStrings(res.schema), " "); got != wantSchema {
		t.Errorf("schema\n got %s\nwant %s", got, wantSchema)
	}
	want := [][]string{
		{"1", "1234.56", "0.12345678901234567890123", "2024-03-01 00:30:00.123456Z", "2024-03-01 08:30:00Z", "2024-02-29", "23:59:59.999999", "10:00:00+02",
			"1 year 2 mons 3 days 04:05:06.789", "true", "AP8Q", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", `{"b": 1,  "a": [1,2]}`, `{"a": [1, 2], "b": 1}`,
			"won", "lead", "x@example.com", `{a,"b c",NULL,"\"q\""}`, "{{1,2},{3,4}}", "{lead,won}", "0.1", "0.1", "$12.34", "10.0.0.1/8"},
		{"2", "(null)", "NaN", "(null)", "(null)", "(null)", "(null)", "(null)", "-3 days", "false", "", "(null)", "(null)", "(null)", "(null)", "lost", "(null)",
			"{}", "(null)", "(null)", "NaN", "-Inf", "(null)", "(null)"},
	}
	if got, w := strings.Join(flatten(res.rows), "\n"), strings.Join(flatten(want), "\n"); got != w {
		t.Errorf("rows\n got %s\nwant %s", got, w)
	}
	var cols []PostgresColumn
	if err := json.Unmarshal([]byte(info[InfoPostgresColumns]), &cols); err != nil {
		t.Fatal(err)
	}
	types := map[string]string{}
	for _, c := range cols {
		types[c.Name] = c.Type
		if c.NotNull != (c.Name == "id") {
			t.Errorf("column %s not_null = %t", c.Name, c.NotNull)
		}
	}
	for col, w := range map[string]string{"amount": "numeric(12,2)", "exact": "numeric", "at": "timestamp with time zone",
		"local": "timestamp without time zone", "clock": "time without time zone", "span": "interval", "blob": "bytea",
		"docb": "jsonb", "st": "crm.stage", "stn": "crm.stage_nn", "mail": "crm.email", "tags": "text[]", "grid": "integer[]",
		"stages": "crm.stage[]", "f4": "real", "money": "money"} {
		if types[col] != w {
			t.Errorf("column %s recorded as %q, want %q", col, types[col], w)
		}
	}
	var defs []PostgresTypeDef
	if err := json.Unmarshal([]byte(info[InfoPostgresTypes]), &defs); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(defs)
	if got := string(b); got != `[{"name":"crm.stage","kind":"enum","labels":["lead","won","lost"]},{"name":"crm.email","kind":"domain","base":"text","checks":["CHECK ((VALUE ~~ '%@%'::text))"]},{"name":"crm.stage_nn","kind":"domain","base":"crm.stage","not_null":true}]` {
		t.Errorf("type definitions %s", got)
	}
}
