package audit

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// FuzzIngest feeds arbitrary log content through shape detection and
// ingestion, with the built-in mappings, auto, and a custom mapping whose
// time format and zone come from the fuzzer. Nothing may panic, and every
// event read is either mapped or unmapped with a reason.
func FuzzIngest(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "logs", "*.*"))
	for i, file := range files {
		if data, err := os.ReadFile(file); err == nil && len(data) < 64<<10 {
			f.Add(data, filepath.Ext(file) == ".csv", uint8(i), "%d/%m/%Y %H:%M:%S", "Asia/Shanghai")
		}
	}
	f.Add([]byte("when;who;what\n01/08/2026 03:10:00;a@b.c;SIGNIN\n"), true, uint8(200), "%d/%m/%Y %H:%M:%S", "UTC")
	f.Add([]byte("{\"ts\":1717200000,\"u\":\"a\",\"a\":\"login\"}\n{bad\n"), false, uint8(201), "unix", "")
	// JSON arrays: whole, empty, of non-objects, cut short, nested.
	f.Add([]byte(`[{"ts":1717200000,"u":"a","a":"SIGNIN"},{"ts":"x","u":null}]`), false, uint8(202), "unix", "")
	f.Add([]byte(`[]`), false, uint8(0), "", "")
	f.Add([]byte(`[1,"a",null,[{}]]`), false, uint8(203), "unix", "")
	f.Add([]byte(`[{"CreationTime":"2025-06-03T01:00:00","Operation":"UserLoggedIn","RecordType":15},{"Creat`), false, uint8(0), "", "")
	f.Add([]byte("\ufeff [\n {\"EVENT_TYPE\":\"Login\",\"TIMESTAMP_DERIVED\":\"2025-06-03T01:00:00Z\"}]"), false, uint8(0), "", "")
	eng, err := openEngine(context.Background(), "", "", 1)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { eng.Close() })
	dir := f.TempDir()
	names := append([]string{MappingAuto}, BuiltinMappingNames()...)
	f.Fuzz(func(t *testing.T, data []byte, csv bool, pick uint8, timeFormat, zone string) {
		if len(data) > 1<<16 {
			return
		}
		ext := ".jsonl"
		if csv {
			ext = ".csv"
		}
		path := filepath.Join(dir, "log"+ext)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		SniffFile(path)
		src := LogSource{Name: "fuzz", Paths: []string{path}}
		if int(pick) < len(names) {
			src.Mapping = names[pick]
		} else {
			format := "json"
			fields := map[string]string{"time": "ts", "user": "u", "action": "a"}
			if csv {
				format = "csv"
				fields = map[string]string{"time": "when", "user": "who", "action": "what"}
			}
			m := Mapping{Name: "custom", Format: format, Fields: fields, TimeFormat: timeFormat, TimeZone: zone,
				Values: map[string]map[string]string{"action": {"SIGNIN": "login"}}}
			if m.Validate() != nil {
				return
			}
			src.Custom = &m
		}
		stats, err := eng.ingest(context.Background(), []LogSource{src}, day0, day9)
		if err != nil {
			return // refused with an error naming the source: fine
		}
		st := stats[0]
		if st.Read != st.Mapped+st.Unmapped || st.Mapped < 0 || st.Unmapped < 0 {
			t.Errorf("accounting: %+v", st)
		}
		var n int64
		for _, c := range st.Reasons {
			n += c
		}
		if n != st.Unmapped {
			t.Errorf("reasons %v do not add up to %d unmapped", st.Reasons, st.Unmapped)
		}
	})
}
