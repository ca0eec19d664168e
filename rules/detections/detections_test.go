package detections

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestBuiltin(t *testing.T) {
	rules, err := Builtin(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"admin_grant", "api_volume_spike", "brute_force", "concurrent_sessions", "customer_report_export", "disabled_account_activity", "dormant_account", "external_sharing", "impersonation", "impossible_travel", "mail_forwarding", "mass_delete", "mass_update", "mfa_disabled", "new_location", "oauth_consent", "offhours_bulk_export", "password_spray", "privileged_login_no_mfa", "session_two_countries", "success_after_failures", "unowned_customer_access"}
	var got []string
	for _, r := range rules {
		got = append(got, r.ID)
		if len(r.Examples.Match) == 0 || len(r.Examples.NoMatch) == 0 {
			t.Errorf("%s: needs match and no_match examples", r.ID)
		}
		if !strings.Contains(strings.ToLower(r.Description), "origin") {
			t.Errorf("%s: description must say where its thresholds come from", r.ID)
		}
		if r.File == "" || r.Line == 0 || r.SQLLine == 0 {
			t.Errorf("%s: location not recorded: %s:%d sql %d", r.ID, r.File, r.Line, r.SQLLine)
		}
		for _, c := range r.Controls {
			if _, ok := LookupControl(c); !ok {
				t.Errorf("%s: unknown control %s", r.ID, c)
			}
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("rules = %v, want %v", got, want)
	}
}

func TestInvalidRules(t *testing.T) {
	tests := []struct {
		file string
		want []string // substrings, each must appear in the error
	}{
		{"unknown_key.yaml", []string{"unknown_key.yaml:6: rule unknown_key: treshold: unknown key"}},
		{"undeclared_param.yaml", []string{
			"undeclared_param.yaml:10: rule undeclared_param: sql: uses $threshold, which is not a declared parameter",
			"undeclared_param.yaml:7: rule undeclared_param: parameters.unused: declared but not used in sql"}},
		{"bad_values.yaml", []string{
			"bad_values.yaml:3: rule bad_values: severity: \"urgent\" is not one of",
			"bad_values.yaml:5: rule bad_values: controls: unknown control \"ISO27001:A.9.9\"",
			"bad_values.yaml:7: rule bad_values: parameters.window.default: invalid duration \"soon\"",
			"examples.match[0].events[0].time: invalid time \"yesterday\"",
			"examples.match[0].events[0].action: want one of",
			"examples.no_match[0].findings: a no_match example expects no findings"}},
		{"missing_fields.yaml", []string{
			"missing_fields.yaml:1: rule missing_fields: description: missing required field",
			"controls: missing required field", "remediation: missing required field", "examples: missing required field"}},
		{"not_yaml.yaml", []string{"not_yaml.yaml:"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "invalid", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			_, err = Parse(tt.file, data)
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrInvalidRule) {
				t.Errorf("error does not match ErrInvalidRule: %v", err)
			}
			var re *RuleError
			if !errors.As(err, &re) {
				t.Errorf("error is not a *RuleError: %v", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestDuplicateIDs(t *testing.T) {
	data, err := os.ReadFile("brute_force.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{"a.yaml": {Data: data}, "b.yaml": {Data: data}}
	_, err = Load(context.Background(), fsys, nil)
	if err == nil || !strings.Contains(err.Error(), "b.yaml:2: rule brute_force: id: duplicate id, first defined in a.yaml") {
		t.Fatalf("err = %v", err)
	}
}

type fakeChecker struct{ err error }

func (f fakeChecker) CheckRule(context.Context, *Rule) error { return f.err }

func TestCheckerErrorsAreLocated(t *testing.T) {
	data, err := os.ReadFile("brute_force.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{"brute_force.yaml": {Data: data}}
	chk := fakeChecker{errors.New("Binder Error: Referenced column \"nosuch\" not found\n\nLINE 3: ...")}
	_, err = Load(context.Background(), fsys, chk)
	var re *RuleError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v", err)
	}
	rules, _ := Load(context.Background(), fsys, nil)
	if re.File != "brute_force.yaml" || re.Rule != "brute_force" || re.Line != rules[0].SQLLine+2 || re.Field != "sql" {
		t.Errorf("located at %s:%d rule %s field %s, want sql line %d", re.File, re.Line, re.Rule, re.Field, rules[0].SQLLine+2)
	}
}

func TestValues(t *testing.T) {
	rules, err := Builtin(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(rules, func(r Rule) bool { return r.ID == "brute_force" })
	r := rules[i]
	v, err := r.Values(map[string]any{"window": "2h", "threshold": 7.0})
	if err != nil {
		t.Fatal(err)
	}
	if v["window"] != 2*time.Hour || v["threshold"] != int64(7) {
		t.Errorf("values = %v", v)
	}
	if got := SQLValue(v["window"]); got != "7200000000 microseconds" {
		t.Errorf("SQLValue = %v", got)
	}
	if _, err := r.Values(map[string]any{"nope": 1}); !errors.Is(err, ErrUnknownParameter) {
		t.Errorf("unknown parameter: err = %v", err)
	}
	if _, err := r.Values(map[string]any{"threshold": "many"}); err == nil {
		t.Error("bad value accepted")
	}
}

func TestExampleRows(t *testing.T) {
	ex := Example{Events: []map[string]any{{"time": "2025-06-03T01:00:00Z", "user": "u{i}@x.cn", "action": "login", "repeat": 3, "every": "1m"}}}
	rows, err := ex.Rows()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[2]["user"] != "u2@x.cn" || !rows[2]["time"].(time.Time).Equal(time.Date(2025, 6, 3, 1, 2, 0, 0, time.UTC)) {
		t.Errorf("rows = %v", rows)
	}
}

func TestSchemaSQL(t *testing.T) {
	s := SchemaSQL()
	if len(s) < 4 || !strings.Contains(s[0], `"event_id" BIGINT`) || !strings.Contains(s[0], `"time" TIMESTAMPTZ`) {
		t.Errorf("schema = %v", s)
	}
}

func FuzzParse(f *testing.F) {
	for _, dir := range []string{".", filepath.Join("testdata", "invalid")} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rules, err := Parse("fuzz.yaml", data)
		if err != nil {
			var re *RuleError
			if !errors.As(err, &re) {
				t.Fatalf("error is not a *RuleError: %v", err)
			}
			return
		}
		for _, r := range rules {
			if r.ID == "" || r.SQL == "" || len(r.Controls) == 0 {
				t.Fatalf("accepted an incomplete rule: %+v", r)
			}
		}
	})
}
