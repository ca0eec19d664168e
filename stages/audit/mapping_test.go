package audit

import (
	"compress/gzip"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-dg/vigil/rules/detections"
)

var (
	day0 = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	day9 = time.Date(2025, 6, 10, 0, 0, 0, 0, time.UTC)
)

func newTestEngine(t *testing.T) *engine {
	t.Helper()
	eng, err := openEngine(context.Background(), "", "", 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	for _, m := range detections.Macros {
		if err := eng.exec(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	return eng
}

func loadMapping(t *testing.T, name string) Mapping {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "mappings", name))
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseMapping(data)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

type row struct {
	time                             time.Time
	user, action, objType, objID, ip string
	count                            sql.NullInt64
	status                           sql.NullString
}

func events(t *testing.T, eng *engine) []row {
	t.Helper()
	rows, err := eng.conn.QueryContext(context.Background(), `SELECT time, "user", action, coalesce(object_type, ''),
		coalesce(object_id, ''), coalesce(src_ip, ''), record_count, status FROM events ORDER BY time, object_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.time, &r.user, &r.action, &r.objType, &r.objID, &r.ip, &r.count, &r.status); err != nil {
			t.Fatal(err)
		}
		r.time = r.time.UTC()
		out = append(out, r)
	}
	return out
}

func TestCSVMapping(t *testing.T) {
	eng := newTestEngine(t)
	m := loadMapping(t, "helpdesk.yaml")
	file := filepath.Join("testdata", "mappings", "helpdesk.csv")
	stats, err := eng.ingest(context.Background(), []LogSource{{Name: "desk", Paths: []string{file}, Custom: &m}}, day0, day9)
	if err != nil {
		t.Fatal(err)
	}
	st := stats[0]
	if st.Read != 8 || st.Mapped != 4 || st.Unmapped != 4 || st.Read != st.Mapped+st.Unmapped {
		t.Errorf("read %d mapped %d unmapped %d, want 8 = 4 + 4", st.Read, st.Mapped, st.Unmapped)
	}
	for reason, n := range map[string]int64{"bad_time": 1, "no_time": 1, "unknown_action": 1, "unparsable": 1} {
		if st.Reasons[reason] != n {
			t.Errorf("reason %s: %d, want %d (all: %v)", reason, st.Reasons[reason], n, st.Reasons)
		}
	}
	if len(st.UnknownActions) != 1 || st.UnknownActions[0].Value != "reassigned" {
		t.Errorf("unknown actions = %v", st.UnknownActions)
	}
	if len(st.UnparsableLines) != 1 || st.UnparsableLines[0].Line != 8 {
		t.Errorf("unparsable lines = %v, want line 8", st.UnparsableLines)
	}
	ev := events(t, eng)
	if len(ev) != 4 {
		t.Fatalf("events = %+v", ev)
	}
	// 09:15 Shanghai is 01:15 UTC; user lower-cased; value map applied.
	if !ev[0].time.Equal(time.Date(2025, 6, 3, 1, 15, 0, 0, time.UTC)) || ev[0].user != "agent.one@example.cn" ||
		ev[0].action != "view" || ev[0].objType != "Case" || ev[0].objID != "T-1" {
		t.Errorf("first event = %+v", ev[0])
	}
	if ev[2].action != "export" || ev[2].count.Int64 != 12000 {
		t.Errorf("export = %+v", ev[2])
	}
	// quotes in values survive and cannot break the SQL
	if ev[3].user != "o'brien@example.cn" || ev[3].objID != `T-"6` {
		t.Errorf("quoted values = %+v", ev[3])
	}
	var kept int
	if err := eng.conn.QueryRowContext(context.Background(), `SELECT count(*) FROM unmapped WHERE source = 'desk' AND reason IS NOT NULL AND raw IS NOT NULL`).Scan(&kept); err != nil || kept != 4 {
		t.Errorf("unmapped rows with raw content = %d (%v), want 4", kept, err)
	}
}

func TestNestedJSONMappingGzip(t *testing.T) {
	eng := newTestEngine(t)
	m := loadMapping(t, "nested.yaml")
	dir := t.TempDir()
	file := filepath.Join(dir, "auth.jsonl.gz")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	gz := gzip.NewWriter(f)
	gz.Write([]byte(`{"ts": 1748912400000, "actor": {"email": "Eve@Example.cn"}, "kind": "auth.ok", "outcome": {"result": "SUCCESS"}, "client": {"ip": "10.1.1.1"}}
{"ts": "1748912460000", "actor": {"email": "eve@example.cn"}, "kind": "auth.fail", "outcome": {"result": "FAILED"}}
not json at all
{"ts": 1748912520000, "actor": {"email": "eve@example.cn"}, "kind": "auth.mfa"}
`))
	gz.Close()
	f.Close()
	stats, err := eng.ingest(context.Background(), []LogSource{{Paths: []string{filepath.Join(dir, "*.jsonl.gz")}, Custom: &m}}, day0, day9)
	if err != nil {
		t.Fatal(err)
	}
	st := stats[0]
	if st.Name != "nested" || st.Read != 4 || st.Mapped != 2 || st.Reasons["unparsable"] != 1 || st.Reasons["unknown_action"] != 1 {
		t.Errorf("stats = %+v", st)
	}
	if len(st.UnparsableLines) != 1 || st.UnparsableLines[0].Line != 3 {
		t.Errorf("unparsable lines = %v, want line 3", st.UnparsableLines)
	}
	ev := events(t, eng)
	if len(ev) != 2 {
		t.Fatalf("events = %+v", ev)
	}
	if !ev[0].time.Equal(time.Date(2025, 6, 3, 1, 0, 0, 0, time.UTC)) || ev[0].user != "eve@example.cn" || ev[0].action != "login" ||
		ev[0].status.String != "success" || ev[0].ip != "10.1.1.1" {
		t.Errorf("login = %+v", ev[0])
	}
	if ev[1].action != "login_failed" || ev[1].status.String != "failure" || ev[1].ip != "unknown" {
		t.Errorf("failure = %+v", ev[1])
	}
}

func TestEventsViewMatchesCanonicalSchema(t *testing.T) {
	eng := newTestEngine(t)
	if _, err := eng.ingest(context.Background(), nil, day0, day9); err != nil {
		t.Fatal(err)
	}
	info, err := eng.describe(context.Background(), "SELECT * FROM events")
	if err != nil {
		t.Fatal(err)
	}
	var got, want []string
	for _, c := range info.cols {
		got = append(got, c.name+" "+c.typ)
	}
	for _, c := range detections.EventColumns {
		want = append(want, c.Name+" "+strings.ReplaceAll(c.Type, "TIMESTAMPTZ", "TIMESTAMPTZ"))
	}
	if !slices.Equal(got, want) {
		t.Errorf("events view columns\n got %v\nwant %v", got, want)
	}
}

func TestMappingValidate(t *testing.T) {
	base := func() Mapping {
		return Mapping{Name: "m", Format: "json", Fields: map[string]string{"time": "t", "action": "a"}}
	}
	tests := []struct {
		name string
		edit func(*Mapping)
		want string
	}{
		{"ok", func(*Mapping) {}, ""},
		{"format", func(m *Mapping) { m.Format = "xml" }, `format: "xml" is not json or csv`},
		{"no time", func(m *Mapping) { delete(m.Fields, "time") }, "fields.time: required"},
		{"unknown field", func(m *Mapping) { m.Fields["colour"] = "c" }, "fields.colour: unknown canonical field"},
		{"statement in expression", func(m *Mapping) { m.Fields["user"] = "=1); DROP TABLE ingest; SELECT (1" }, "must not contain ';'"},
		{"semicolon in a literal is fine", func(m *Mapping) { m.Fields["user"] = "=regexp_extract(u, '[^;]+')" }, ""},
		{"action value", func(m *Mapping) { m.Values = map[string]map[string]string{"action": {"x": "steal"}} }, `"x" maps to "steal"`},
		{"values without field", func(m *Mapping) { m.Values = map[string]map[string]string{"role": {"a": "b"}} }, "values.role: no field mapping"},
		{"time format", func(m *Mapping) { m.TimeFormat = "dd/mm/yyyy" }, "time_format"},
		{"time zone", func(m *Mapping) { m.TimeZone = "Mars/Olympus" }, "time_zone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := base()
			tt.edit(&m)
			err := m.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			var me *MappingError
			if !errors.As(err, &me) || !errors.Is(err, ErrMapping) {
				t.Errorf("error is not a *MappingError matching ErrMapping: %v", err)
			}
		})
	}
}

func TestParseMappingStrict(t *testing.T) {
	_, err := ParseMapping([]byte("name: x\nformat: json\nfields: {time: t, action: a}\ntimezone: UTC\n"))
	if err == nil || !strings.Contains(err.Error(), "line 4: field timezone not found") {
		t.Fatalf("err = %v", err)
	}
}

func TestBuiltinMappingsValid(t *testing.T) {
	for _, name := range BuiltinMappingNames() {
		m, err := BuiltinMapping(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if _, err := m.SelectSQL([]string{"x.jsonl"}, name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := BuiltinMapping("splunk"); !errors.Is(err, ErrMapping) {
		t.Errorf("unknown built-in: %v", err)
	}
}

func TestVigilQueryLogMapping(t *testing.T) {
	eng := newTestEngine(t)
	file := filepath.Join(t.TempDir(), "query.jsonl")
	os.WriteFile(file, []byte(`{"format":"vigil.querylog/v1","time":"2025-06-03T08:00:00+08:00","user":"ana@example.cn","host":"bi-1","session":"9f2c","action":"query","statement":"SELECT","sql_sha256":"ab","tables":["customers","orders"],"rows":120,"output":"table","status":"ok","duration_ms":12.5}
{"format":"vigil.querylog/v1","time":"2025-06-03T08:05:00.123456789Z","user":"ana@example.cn","session":"9f2c","action":"query","statement":"COPY","tables":"customers","rows":9000,"status":"ok"}
{"format":"vigil.querylog/v1","time":"2025-06-03T08:06:00Z","user":"ana@example.cn","action":"drop","tables":[]}
{"format":"vigil.querylog/v1","time":"2025-06-03T08:07:00Z","user":"departed@example.cn","os_user":"mallory","action":"query","statement":"SELECT","tables":["customers"],"rows":0,"status":"ok"}
{"format":"vigil.querylog/v1","time":"2025-06-03T08:08:00Z","user":"mallory","uid":1001,"label":"departed@example.cn","action":"query","statement":"SELECT","tables":["customers"],"rows":3,"status":"denied"}
`), 0o644)
	stats, err := eng.ingest(context.Background(), []LogSource{{Paths: []string{file}, Mapping: MappingVigil}}, day0, day9)
	if err != nil {
		t.Fatal(err)
	}
	if stats[0].Mapped != 4 || stats[0].Reasons["unknown_action"] != 1 {
		t.Errorf("stats = %+v", stats[0])
	}
	ev := events(t, eng)
	// Rows returned to the analyst left the engine: an export.
	if ev[0].action != "export" || ev[0].objType != "dataset" || ev[0].objID != "customers,orders" || ev[0].count.Int64 != 120 ||
		!ev[0].time.Equal(time.Date(2025, 6, 3, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("query = %+v", ev[0])
	}
	if ev[1].action != "export" || ev[1].objID != "customers" || ev[1].status.String != "success" {
		t.Errorf("export = %+v", ev[1])
	}
	// The label never attributes: the OS account does (old and new lines).
	for _, e := range ev[2:] {
		if e.user != "mallory" {
			t.Errorf("attributed to %q: %+v", e.user, e)
		}
	}
	if ev[2].action != "view" || ev[3].action != "view" || ev[3].status.String != "failure" {
		t.Errorf("no rows / denied = %+v %+v", ev[2], ev[3])
	}
}

func TestSourceErrors(t *testing.T) {
	eng := newTestEngine(t)
	_, err := eng.ingest(context.Background(), []LogSource{
		{Name: "a", Paths: []string{"testdata/nothing-*.jsonl"}, Mapping: MappingSalesforce},
		{Name: "b", Paths: []string{"testdata/small/salesforce.jsonl"}},
	}, day0, day9)
	var se *SourceError
	if !errors.As(err, &se) || !errors.Is(err, ErrSource) {
		t.Fatalf("err = %v", err)
	}
	for _, w := range []string{`source "a"`, "no file matches", `source "b"`, "no mapping"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q: %v", w, err)
		}
	}
}

func FuzzParseMapping(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "mappings", "*.yaml"))
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMapping(data)
		if err != nil {
			return
		}
		if _, err := m.SelectSQL([]string{"a.jsonl"}, "fuzz"); err != nil {
			t.Fatalf("valid mapping does not compile: %v", err)
		}
	})
}
