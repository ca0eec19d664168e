package pipeline

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func testStages() []string {
	return []string{"snapshot", "classify", "anonymize", "verify", "audit", "backup"}
}

func testOpts() LoadOptions { return LoadOptions{KnownStages: testStages()} }

func TestValidConfigs(t *testing.T) {
	files, err := filepath.Glob("testdata/valid/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		n++
		t.Run(filepath.Base(f), func(t *testing.T) {
			cfg, err := Load(f, testOpts())
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if !filepath.IsAbs(cfg.Home) {
				t.Errorf("home %q is not absolute", cfg.Home)
			}
		})
	}
	if n < 3 {
		t.Fatalf("only %d valid configs", n)
	}
}

func TestInvalidConfigsGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 10 {
		t.Fatalf("only %d invalid configs", len(files))
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		t.Run(name, func(t *testing.T) {
			_, err := Load(f, testOpts())
			if err == nil {
				t.Fatal("Load succeeded")
			}
			if !errors.Is(err, ErrConfig) {
				t.Errorf("error does not match ErrConfig: %v", err)
			}
			var ce *ConfigError
			if !errors.As(err, &ce) || len(ce.Problems) == 0 {
				t.Fatalf("not a *ConfigError with problems: %T %v", err, err)
			}
			golden(t, filepath.Join("testdata", "expected", name+".err"), []byte(err.Error()+"\n"))
		})
	}
}

// golden compares got with a golden file, or rewrites it with -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs (go test -update rewrites it)\n--- got ---\n%s--- want ---\n%s", path, got, want)
	}
}

func TestProblemFormat(t *testing.T) {
	e := &ConfigError{Problems: []Problem{
		{File: "vigil.yaml", Line: 12, Column: 5, Field: "sources.crm.tables.customers.file", Msg: `file "customers.csv" does not exist`},
		{File: "vigil.yaml", Field: "format", Msg: "missing"},
		{File: "vigil.yaml", Line: 3, Msg: "invalid YAML: x"},
	}}
	want := `vigil.yaml:12:5: sources.crm.tables.customers.file: file "customers.csv" does not exist
vigil.yaml: format: missing
vigil.yaml:3: invalid YAML: x`
	if e.Error() != want {
		t.Errorf("got\n%s\nwant\n%s", e.Error(), want)
	}
}

func TestAllProblemsReported(t *testing.T) {
	_, err := Load("testdata/invalid/protect.yaml", testOpts())
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatal(err)
	}
	if len(ce.Problems) < 15 {
		t.Errorf("want every problem, got %d:\n%v", len(ce.Problems), err)
	}
	for i := 1; i < len(ce.Problems); i++ {
		if ce.Problems[i].Line < ce.Problems[i-1].Line {
			t.Errorf("problems not in file order: %v", err)
			break
		}
	}
	for _, p := range ce.Problems {
		if p.Line == 0 || p.Field == "" {
			t.Errorf("problem without line or field: %+v", p)
		}
	}
}

func TestDefaultsAndResolution(t *testing.T) {
	cfg, err := Load("testdata/valid/anchors.yaml", testOpts())
	if err != nil {
		t.Fatal(err)
	}
	dir, _ := filepath.Abs("testdata/valid")
	if cfg.Dir != dir {
		t.Errorf("Dir = %q, want %q", cfg.Dir, dir)
	}
	if want := filepath.Join(dir, DefaultHome); cfg.Home != want {
		t.Errorf("Home = %q, want %q", cfg.Home, want)
	}
	if want := filepath.Join(cfg.Home, "keys", "keyset.json"); cfg.Keys.Keyset != want {
		t.Errorf("Keyset = %q, want %q", cfg.Keys.Keyset, want)
	}
	if cfg.Location != time.Local {
		t.Errorf("Location = %v", cfg.Location)
	}
	src := cfg.Sources["crm"]
	if src.Encoding != "auto" || src.Delimiter != "auto" || src.Dir != filepath.Join(dir, "data") {
		t.Errorf("source defaults: %+v", src)
	}
	tb := src.Tables["customers"]
	if tb.File != filepath.Join(dir, "data", "customers.csv") || tb.Name != "customers" || tb.Source != "crm" {
		t.Errorf("table: %+v", tb)
	}
	if cfg.Snapshot != (SnapshotConfig{MaxRowsPerFile: DefaultMaxRowsPerFile, KeepLast: DefaultKeepLast}) {
		t.Errorf("snapshot: %+v", cfg.Snapshot)
	}
	if cfg.Classify.SampleSize != DefaultSampleSize || cfg.Classify.ReviewBelow != DefaultReviewBelow {
		t.Errorf("classify: %+v", cfg.Classify)
	}
	if cfg.Audit.Out != filepath.Join(cfg.Home, "reports") {
		t.Errorf("audit.out = %q", cfg.Audit.Out)
	}
	n := cfg.Jobs["nightly"]
	if n.Timeout != DefaultJobTimeout || n.Retries != (Retries{Max: 1, Backoff: time.Second, MaxBackoff: time.Second}) {
		t.Errorf("nightly: %+v", n)
	}
	a := cfg.Jobs["audit"]
	if a.Timeout != 0 {
		t.Errorf("explicit timeout 0s was replaced by %v", a.Timeout)
	}
	if a.Retries != n.Retries {
		t.Errorf("alias not followed: %+v", a.Retries)
	}
	if !slices.Equal(cfg.Notify.On, []RunStatus{StatusFailed, StatusTimeout, StatusInterrupted}) || cfg.Notify.Timeout != DefaultNotifyTimeout {
		t.Errorf("notify: %+v", cfg.Notify)
	}
	if cfg.Jobs["nightly"].Cron == nil || cfg.Jobs["audit"].Cron == nil {
		t.Error("schedules not parsed")
	}
}

func TestFullConfig(t *testing.T) {
	cfg, err := Load("testdata/valid/full.yaml", testOpts())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Location.String() != "Asia/Shanghai" {
		t.Errorf("Location = %v", cfg.Location)
	}
	if cfg.Classify.PhoneRegion != "GB" {
		t.Errorf("phone_region = %q, want GB (upper-cased)", cfg.Classify.PhoneRegion)
	}
	cols := cfg.Sources["crm"].Tables["customers"].Columns
	if got := cols["income"]; got != (ColumnType{Kind: "decimal", Precision: 12, Scale: 2}) {
		t.Errorf("income: %+v", got)
	}
	if got := cols["n"].String(); got != "int64" {
		t.Errorf("integer alias: %s", got)
	}
	if got := cfg.Sources["crm"].Tables["orders"].Columns["amount"].String(); got != "decimal(10,2)" {
		t.Errorf("amount: %s", got)
	}
	p := cfg.Protect.Tables["customers"]
	if c := p.Columns["phone"]; c.MaskChar != "*" || c.KeepPrefix != 3 || c.KeepSuffix != 0 {
		t.Errorf("phone: %+v", c)
	}
	if c := p.Columns["age"]; c.HierarchyDelimiter != ";" || !filepath.IsAbs(c.Hierarchy) {
		t.Errorf("age: %+v", c)
	}
	if c := p.Columns["email"]; c.Value != "[REDACTED]" {
		t.Errorf("email: %+v", c)
	}
	if got := cfg.VerifyFor("verify"); got.Share != 1 || !slices.Equal(got.Tables, []string{"customers"}) {
		t.Errorf("VerifyFor(verify) = %+v", got)
	}
	if got := cfg.VerifyFor("nightly"); got.Share != 0.5 {
		t.Errorf("VerifyFor(nightly) = %+v", got)
	}
	if got := len(cfg.Tables()); got != 4 {
		t.Errorf("Tables() = %d", got)
	}
	if cfg.Classify.Overrides["customers.notes"] != "free_text" {
		t.Errorf("overrides: %v", cfg.Classify.Overrides)
	}
	if cfg.Audit.Logs[1].Format != "json" {
		t.Errorf("log format default: %+v", cfg.Audit.Logs[1])
	}
}

func TestKnownStagesAndClasses(t *testing.T) {
	data := []byte("format: 1\nkeys: {passphrase_env: P}\nsources: {crm: {type: postgres, dsn_env: D, tables: {t: {table: t}}}}\n" +
		"classify: {overrides: {t.a: email, t.b: nosuch, t.c: none}}\njobs: {j: {stages: [snapshot, my-stage]}}\n")
	_, err := Parse("x.yaml", data, LoadOptions{KnownStages: []string{"snapshot"}, KnownClasses: []string{"email"}})
	if err == nil {
		t.Fatal("want errors")
	}
	msg := err.Error()
	for _, want := range []string{`x.yaml:5:31: jobs.j.stages[1]: unknown stage "my-stage"; want one of snapshot`, `unknown data class "nosuch"`} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing %q in\n%s", want, msg)
		}
	}
	if strings.Contains(msg, `"none"`) || strings.Contains(msg, `"email"`) {
		t.Errorf("known class rejected:\n%s", msg)
	}
	if _, err := Parse("x.yaml", data, LoadOptions{}); err != nil {
		t.Errorf("nil KnownStages/KnownClasses should accept: %v", err)
	}
	// KnownClassesFunc gives the same check, asked once and only when a
	// class is named.
	calls := 0
	lazy := func() []string { calls++; return []string{"email"} }
	_, err = Parse("x.yaml", data, LoadOptions{KnownStages: []string{"snapshot", "my-stage"}, KnownClassesFunc: lazy})
	if err == nil || !strings.Contains(err.Error(), `unknown data class "nosuch"`) || strings.Contains(err.Error(), `"email"`) || calls != 1 {
		t.Errorf("KnownClassesFunc: %d calls, %v", calls, err)
	}
	noClasses := []byte("format: 1\nkeys: {passphrase_env: P}\nsources: {crm: {type: postgres, dsn_env: D, tables: {t: {table: t}}}}\njobs: {j: {stages: [snapshot]}}\n")
	if _, err := Parse("x.yaml", noClasses, LoadOptions{KnownClassesFunc: lazy}); err != nil || calls != 1 {
		t.Errorf("a config naming no class asked for the classes (%d calls): %v", calls, err)
	}
}

func TestParseColumnType(t *testing.T) {
	tests := []struct {
		in   string
		want string
		err  bool
	}{
		{"string", "string", false},
		{"INT64", "int64", false},
		{"integer", "int64", false},
		{"bool", "bool", false},
		{"date", "date", false},
		{"timestamp", "timestamp", false},
		{"decimal(12,2)", "decimal(12,2)", false},
		{" decimal ( 38 , 0 ) ", "decimal(38,0)", false},
		{"decimal(1,1)", "decimal(1,1)", false},
		{"decimal", "", true},
		{"decimal(0,0)", "", true},
		{"decimal(39,2)", "", true},
		{"decimal(5,6)", "", true},
		{"decimal(5,-1)", "", true},
		{"decimal(5)", "", true},
		{"decimal(a,b)", "", true},
		{"varchar", "", true},
		{"", "", true},
	}
	for _, tt := range tests {
		got, err := ParseColumnType(tt.in)
		if (err != nil) != tt.err {
			t.Errorf("ParseColumnType(%q) error = %v", tt.in, err)
			continue
		}
		if err == nil && got.String() != tt.want {
			t.Errorf("ParseColumnType(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestParseSchedule(t *testing.T) {
	for _, spec := range []string{"0 2 * * *", "CRON_TZ=Asia/Shanghai 0 2 * * *", "TZ=UTC 30 6 * * 1-5", "@daily", "@weekly", "@every 1h"} {
		if _, err := ParseSchedule(spec); err != nil {
			t.Errorf("ParseSchedule(%q): %v", spec, err)
		}
	}
	for _, spec := range []string{"", "0 2 * *", "0 2 * * * *", "CRON_TZ=Asia/Shanghai", "TZ=", "CRON_TZ=Nowhere/None 0 2 * * *", "@every 5s", "@sometimes", "61 * * * *"} {
		if _, err := ParseSchedule(spec); err == nil {
			t.Errorf("ParseSchedule(%q) succeeded", spec)
		}
	}
}

func TestStarterLoads(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "vigil.yaml")
	if err := os.WriteFile(path, Starter(), 0o644); err != nil {
		t.Fatal(err)
	}
	// Without the demo data the only problems are the missing files.
	_, err := Load(path, testOpts())
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("want missing demo data, got %v", err)
	}
	for _, p := range ce.Problems {
		if !strings.Contains(p.Msg, "does not exist") {
			t.Errorf("unexpected problem: %s", p)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "demo-data"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"customers", "staff", "ownership", "orders", "enrollments"} {
		if err := os.WriteFile(filepath.Join(dir, "demo-data", f+".csv"), []byte("id\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := Load(path, testOpts())
	if err != nil {
		t.Fatalf("starter config: %v", err)
	}
	if cfg.Home != filepath.Join(dir, "vigil-home") {
		t.Errorf("home = %q", cfg.Home)
	}
	if !strings.HasPrefix(string(Starter()), "#") {
		t.Error("starter should open with a comment")
	}
}

// The reference itself must be a valid config, so that it cannot drift from
// the code.
func TestReferenceParses(t *testing.T) {
	if _, err := Parse("reference.yaml", []byte(Reference()), LoadOptions{SkipFileChecks: true}); err != nil {
		t.Fatalf("Reference() does not load:\n%v", err)
	}
}

// Every key of every config struct is documented in Reference() and doc.go.
func TestEveryKeyDocumented(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	var walk func(reflect.Type)
	seen := map[reflect.Type]bool{}
	walk = func(tp reflect.Type) {
		for tp.Kind() == reflect.Pointer || tp.Kind() == reflect.Map || tp.Kind() == reflect.Slice {
			tp = tp.Elem()
		}
		if tp.Kind() != reflect.Struct || seen[tp] || tp == columnTypeType || tp.PkgPath() != "github.com/vigil-dg/vigil/pipeline" {
			return
		}
		seen[tp] = true
		for i := 0; i < tp.NumField(); i++ {
			f := tp.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "" || name == "-" {
				continue
			}
			keys[name] = true
			walk(f.Type)
		}
	}
	walk(reflect.TypeOf(Config{}))
	if len(keys) < 60 {
		t.Fatalf("found only %d keys", len(keys))
	}
	for k := range keys {
		if !strings.Contains(Reference(), k+":") {
			t.Errorf("key %q missing from Reference()", k)
		}
		if !strings.Contains(string(doc), k) {
			t.Errorf("key %q missing from doc.go", k)
		}
	}
}

func TestParseNeverAcceptsGarbage(t *testing.T) {
	for _, in := range []string{"", "   \n", "~", "[]", "42", "format: 1\n---\nformat: 1\n", "a: &a [*a]\n", "format: !custom 1\n"} {
		if _, err := Parse("g.yaml", []byte(in), testOpts()); err == nil {
			t.Errorf("Parse(%q) succeeded", in)
		} else if !errors.Is(err, ErrConfig) {
			t.Errorf("Parse(%q) = %v, not ErrConfig", in, err)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"), testOpts())
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "cannot read") {
		t.Errorf("got %v", err)
	}
}

func TestAliasBomb(t *testing.T) {
	// Anchors defined under an unknown key are still expanded where they are
	// aliased: 100 mappings × 100 value maps × 100 entries.
	var b strings.Builder
	b.WriteString("format: 1\nkeys: {passphrase_env: P}\njobs: {j: {stages: [audit]}}\nanchors:\n  inner: &in {")
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&b, "k%d: v, ", i)
	}
	b.WriteString("}\n  values: &vals {")
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&b, "f%d: *in, ", i)
	}
	b.WriteString("}\n  mapping: &m {fields: {time: t}, values: *vals}\naudit:\n  mappings: {")
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&b, "m%d: *m, ", i)
	}
	b.WriteString("}\n")
	_, err := Parse("bomb.yaml", []byte(b.String()), LoadOptions{SkipFileChecks: true})
	if err == nil || !strings.Contains(err.Error(), "too large") {
		t.Fatalf("want a too-large error, got %v", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, pattern := range []string{"testdata/valid/*.yaml", "testdata/invalid/*.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Add(Starter())
	f.Add([]byte(Reference()))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("testdata/valid/fuzz.yaml", data, LoadOptions{KnownStages: testStages()})
		if err == nil {
			if cfg == nil || cfg.Location == nil {
				t.Fatal("nil config without error")
			}
			return
		}
		var ce *ConfigError
		if !errors.As(err, &ce) || len(ce.Problems) == 0 {
			t.Fatalf("error is not a *ConfigError with problems: %v", err)
		}
		_ = err.Error()
	})
}
