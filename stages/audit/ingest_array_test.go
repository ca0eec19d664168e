package audit

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestJSONArrayFiles: a file that is one JSON array of events (as export
// tools write) is read, not refused, through auto, a built-in mapping named
// explicitly and a custom mapping; a malformed array fails naming the file
// or counts what it could not read, never silently drops events.
func TestJSONArrayFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	custom := &Mapping{Name: "helpdesk", Format: "json", Fields: map[string]string{"time": "ts", "user": "who", "action": "what"},
		Values: map[string]map[string]string{"action": {"SIGNIN": "login"}}}
	cases := []struct {
		name, body string
		src        LogSource
		read, ok   int64
	}{
		{"custom", `[{"ts":"2025-06-03T01:00:00Z","who":"a@example.cn","what":"SIGNIN"},
			{"ts":"2025-06-03T01:05:00Z","who":"b@example.cn","what":"SIGNIN","extra":{"x":1}},
			{"ts":"2025-06-03T01:06:00Z","who":"b@example.cn"}]`,
			LogSource{Name: "c", Custom: custom}, 3, 2},
		{"empty", `[]`, LogSource{Name: "e", Mapping: MappingM365}, 0, 0},
		{"named", `[ {"CreationTime":"2025-06-03T01:00:00","Operation":"UserLoggedIn","UserId":"a@example.cn","Workload":"AzureActiveDirectory","ResultStatus":"Success"} ]`,
			LogSource{Name: "n", Mapping: MappingM365}, 1, 1},
		{"auto", "\ufeff\n  [\n {\"CreationTime\":\"2025-06-03T01:00:00\",\"Operation\":\"UserLoginFailed\",\"UserId\":\"a@example.cn\",\"RecordType\":15}\n]\n",
			LogSource{Name: "a", Mapping: MappingAuto}, 1, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.src.Paths = []string{write(c.name+".json", c.body)}
			eng := newTestEngine(t)
			stats, err := eng.ingest(context.Background(), []LogSource{c.src}, day0, day9)
			if err != nil {
				t.Fatal(err)
			}
			if st := stats[0]; st.Read != c.read || st.Mapped != c.ok || st.Read != st.Mapped+st.Unmapped {
				t.Errorf("stats = %+v", st)
			}
		})
	}
	t.Run("sniff", func(t *testing.T) {
		sn, err := SniffFile(filepath.Join("testdata", "logs", "entra_signin_array.json"))
		if err != nil || !sn.Array || sn.Format != "json" || sn.Mapping != MappingEntraSignIn || len(sn.Fields) == 0 {
			t.Errorf("%+v %v", sn, err)
		}
	})
	t.Run("truncated", func(t *testing.T) {
		p := write("cut.json", `[{"CreationTime":"2025-06-03T01:00:00","Operation":"UserLoggedIn","UserId":"a@example.cn","RecordType":15},{"Creation`)
		eng := newTestEngine(t)
		stats, err := eng.ingest(context.Background(), []LogSource{{Name: "t", Paths: []string{p}, Mapping: MappingAuto}}, day0, day9)
		// DuckDB cannot skip a broken element of an array: the source fails
		// naming the file, rather than counting part of it.
		if err == nil || !strings.Contains(err.Error(), "cut.json") {
			t.Errorf("want an error naming the file, got %+v %v", stats, err)
		}
	})
}
