package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/vigil-dg/vigil/rules/detections"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/expected")

var smallNow = time.Date(2025, 6, 8, 0, 0, 0, 0, time.UTC)

func testMask(s string) string { return fmt.Sprintf("masked-%d", len(s)) }

// smallOptions audits the hand-written fixture in testdata/small.
func smallOptions() Options {
	dir := filepath.Join("testdata", "small")
	return Options{
		From:         time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC),
		To:           time.Date(2025, 6, 8, 0, 0, 0, 0, time.UTC),
		Sources:      []LogSource{{Name: "crm", Paths: []string{filepath.Join(dir, "salesforce.jsonl")}, Mapping: MappingSalesforce}},
		Staff:        &Reference{Path: filepath.Join(dir, "staff.csv")},
		Ownership:    &Reference{Path: filepath.Join(dir, "ownership.csv")},
		Suppressions: filepath.Join(dir, "suppressions.yaml"),
		Params: map[string]map[string]any{
			"brute_force": {"threshold": 3},
		},
		Posture: PostureInput{
			Tables:         []string{"customers", "orders"},
			Snapshots:      []SnapshotEvidence{{Table: "customers", SnapshotID: "20250607T0200", LastSuccess: smallNow.Add(-22 * time.Hour)}, {Table: "orders", SnapshotID: "20250601T0200", LastSuccess: smallNow.Add(-7 * 24 * time.Hour)}},
			Restores:       []RestoreEvidence{{Table: "customers", SnapshotID: "20250607T0200", LastVerified: smallNow.Add(-20 * time.Hour), OK: true}, {Table: "orders", LastVerified: smallNow.Add(-2 * 24 * time.Hour), OK: false, Detail: "digest mismatch"}},
			Protection:     []ProtectionEvidence{{Dataset: "customers", PersonalColumns: 10, ProtectedColumns: 9}},
			Disclosure:     []DisclosureEvidence{{Dataset: "customers", Checked: true, Passed: true}},
			Privacy:        []PrivacyEvidence{{Dataset: "customers", K: 3, TargetK: 5}},
			Keys:           []KeyEvidence{{ID: "k1", Purpose: "snapshot", Created: smallNow.AddDate(0, -3, 0)}},
			Runs:           []RunRecord{{RunID: "r1", Stage: "snapshot", Status: "success", Started: smallNow.Add(-30 * time.Hour)}, {RunID: "r2", Stage: "snapshot", Status: "success", Started: smallNow.Add(-6 * time.Hour)}},
			Erasures:       []ErasureRecord{{RequestID: "e1", Received: smallNow.AddDate(0, 0, -40), Completed: smallNow.AddDate(0, 0, -35)}},
			Classification: []ClassificationEvidence{{Table: "customers", ClassifiedAt: smallNow.AddDate(0, 0, -3), PersonalColumns: 10}},
			Retention:      []RetentionEvidence{{Dataset: "customers", MaxAge: 365 * 24 * time.Hour, Oldest: smallNow.AddDate(-2, 0, 0)}},
			Escrow:         EscrowEvidence{Recorded: true, LastExport: smallNow.AddDate(0, 0, -10)},
			ErasureBackups: []ErasureBackupEvidence{{Subject: "3f2a9c0d11e4b7a8", Table: "customers", Column: "customer_id", Time: smallNow.AddDate(0, 0, -35), Reason: "DSR-2025-007", StillIn: []string{"customers/20250601T0200"}}},
		},
		Mask:     testMask,
		Now:      func() time.Time { return smallNow },
		TimeZone: "Asia/Shanghai",
	}
}

func TestGoldenReport(t *testing.T) {
	rep, err := Run(context.Background(), smallOptions())
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden := filepath.Join("testdata", "expected", "report.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("report differs from %s; run go test -update and review the diff", golden)
	}
}

func TestSmallReport(t *testing.T) {
	rep, err := Run(context.Background(), smallOptions())
	if err != nil {
		t.Fatal(err)
	}
	byDet := map[string][]Finding{}
	for _, f := range rep.Findings {
		byDet[f.Detection] = append(byDet[f.Detection], f)
	}
	for det, user := range map[string]string{
		"unowned_customer_access":   "alice@example.cn",
		"brute_force":               "bob@example.cn",
		"privileged_login_no_mfa":   "root@example.cn",
		"admin_grant":               "root@example.cn",
		"offhours_bulk_export":      "alice@example.cn",
		"disabled_account_activity": "ken@example.cn",
	} {
		if len(byDet[det]) != 1 || byDet[det][0].User != user {
			t.Errorf("%s: findings %+v, want one for %s", det, byDet[det], user)
		}
	}
	if f := byDet["privileged_login_no_mfa"]; len(f) == 1 && (!f[0].Suppressed || f[0].Suppression.Status != SuppressAccepted) {
		t.Errorf("suppression not applied: %+v", f[0])
	}
	if rep.Suppressions[1].State != "expired" || rep.Suppressions[0].Matched != 1 {
		t.Errorf("suppressions = %+v", rep.Suppressions)
	}
	src := rep.Sources[0]
	if src.Read != 27 || src.Mapped != 23 || src.Reasons["unparsable"] != 1 || src.Reasons["no_time"] != 1 ||
		src.Reasons["bad_time"] != 1 || src.Reasons["unknown_action"] != 1 {
		t.Errorf("source stats = %+v", src)
	}
	if len(src.UnparsableLines) != 1 || src.UnparsableLines[0].Line != 7 {
		t.Errorf("unparsable lines = %+v", src.UnparsableLines)
	}
	checks := map[string]string{}
	for _, c := range rep.Checks {
		checks[c.ID] = c.Status
	}
	for id, want := range map[string]string{
		CheckSnapshots: StatusFail, CheckRestores: StatusFail, CheckProtection: StatusWarn, CheckKAnonymity: StatusFail,
		CheckKeys: StatusPass, CheckRuns: StatusPass, CheckErasure: StatusPass, CheckClassification: StatusPass,
		CheckRetention: StatusFail, CheckLeavers: StatusFail, CheckLogMapping: StatusFail, CheckIncidents: StatusWarn,
		CheckDetections: StatusPass, CheckKeyEscrow: StatusPass, CheckErasureBackups: StatusPass,
	} {
		if checks[id] != want {
			t.Errorf("check %s = %s, want %s", id, checks[id], want)
		}
	}
	controls := map[string]ControlResult{}
	for _, c := range rep.Controls {
		controls[c.ID] = c
	}
	if len(controls) != len(detections.Controls()) {
		t.Errorf("%d controls, want %d", len(controls), len(detections.Controls()))
	}
	for id, want := range map[string]string{"ISO27001:A.8.13": StatusFail, "ISO27001:A.8.2": StatusFail, "ISO27001:A.8.24": StatusPass, "GDPR:Art.30": StatusPass} {
		if controls[id].Status != want {
			t.Errorf("control %s = %s, want %s (evidence %v)", id, controls[id].Status, want, controls[id].Evidence)
		}
	}
	if controls["ISO27001:A.8.13"].Improvement == "" || len(controls["ISO27001:A.8.5"].Evidence) == 0 {
		t.Errorf("control rows lack evidence or improvement")
	}
	if rep.Summary.OpenFindings+rep.Summary.Suppressed != len(rep.Findings) {
		t.Errorf("summary %+v vs %d findings", rep.Summary, len(rep.Findings))
	}
	// customer ids never appear in clear
	data, _ := json.Marshal(rep)
	for _, id := range []string{`"C1"`, `"C3"`, `"C20"`} {
		if bytes.Contains(data, []byte(id)) {
			t.Errorf("report contains customer id %s", id)
		}
	}
}

func TestCompare(t *testing.T) {
	mk := func(fps ...string) *Report {
		r := &Report{}
		for _, fp := range fps {
			sup := strings.HasPrefix(fp, "s:")
			r.Findings = append(r.Findings, Finding{Fingerprint: strings.TrimPrefix(fp, "s:"), Detection: "d", Suppressed: sup})
		}
		return r
	}
	d := mk("a", "b", "s:c").Compare(mk("b", "c", "d", "s:e"))
	ids := func(es []DiffEntry) []string {
		var out []string
		for _, e := range es {
			out = append(out, e.Fingerprint)
		}
		return out
	}
	if !slices.Equal(ids(d.New), []string{"a"}) || !slices.Equal(ids(d.StillOpen), []string{"b"}) || !slices.Equal(ids(d.Resolved), []string{"c", "d"}) {
		t.Errorf("diff = new %v still %v resolved %v", ids(d.New), ids(d.StillOpen), ids(d.Resolved))
	}
	if d := mk("a").Compare(nil); len(d.New) != 1 {
		t.Errorf("compare with nil = %+v", d)
	}
}

func TestFingerprintStable(t *testing.T) {
	a := Fingerprint("brute_force", "Bob@X.cn", "", time.Date(2025, 6, 2, 19, 0, 0, 0, time.UTC))
	b := Fingerprint("brute_force", "bob@x.cn", "", time.Date(2025, 6, 3, 3, 0, 0, 0, time.FixedZone("CST", 8*3600)))
	c := Fingerprint("brute_force", "bob@x.cn", "203.0.113.9", time.Date(2025, 6, 2, 19, 0, 0, 0, time.UTC))
	if a != b || a == c || len(a) != 32 {
		t.Errorf("fingerprints %s %s %s", a, b, c)
	}
}

func TestRunAgainIsStable(t *testing.T) {
	o := smallOptions()
	r1, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if d := r2.Compare(r1); len(d.New) != 0 || len(d.Resolved) != 0 || len(d.StillOpen) != r1.Summary.OpenFindings {
		t.Errorf("second run differs: %+v", d)
	}
}

func TestArrowReference(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "staff_id", Type: arrow.BinaryTypes.String},
		{Name: "email", Type: arrow.BinaryTypes.String},
		{Name: "role", Type: arrow.BinaryTypes.String},
		{Name: "status", Type: arrow.BinaryTypes.String},
		{Name: "hire_date", Type: arrow.FixedWidthTypes.Date32},
		{Name: "leave_date", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).AppendValues([]string{"S1", "S4"}, nil)
	b.Field(1).(*array.StringBuilder).AppendValues([]string{"Alice@Example.cn", "ken@example.cn"}, nil)
	b.Field(2).(*array.StringBuilder).AppendValues([]string{"sales", "sales"}, nil)
	b.Field(3).(*array.StringBuilder).AppendValues([]string{"active", "active"}, nil)
	b.Field(4).(*array.Date32Builder).AppendValues([]arrow.Date32{arrow.Date32FromTime(time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC)), arrow.Date32FromTime(time.Date(2018, 9, 3, 0, 0, 0, 0, time.UTC))}, nil)
	b.Field(5).(*array.Date32Builder).AppendValues([]arrow.Date32{0, arrow.Date32FromTime(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))}, []bool{false, true})
	rec := b.NewRecordBatch()
	defer rec.Release()
	rdr, err := array.NewRecordReader(schema, []arrow.RecordBatch{rec})
	if err != nil {
		t.Fatal(err)
	}
	defer rdr.Release()

	eng := newTestEngine(t)
	refs, err := eng.loadReferences(context.Background(), &Reference{Reader: rdr}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if refs[0].Rows != 2 || refs[0].Source != "arrow" || refs[1].Provided {
		t.Errorf("refs = %+v", refs)
	}
	var user string
	var leave time.Time
	if err := eng.conn.QueryRowContext(context.Background(), `SELECT "user", leave_date FROM staff WHERE leave_date IS NOT NULL`).Scan(&user, &leave); err != nil {
		t.Fatal(err)
	}
	if user != "ken@example.cn" || !leave.Equal(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("staff row = %s %v", user, leave)
	}
}

func TestReferenceErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "staff.csv")
	os.WriteFile(bad, []byte("id,mail\n1,a@b.cn\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "owners.xlsx"), []byte("PK"), 0o644)
	eng := newTestEngine(t)
	_, err := eng.loadReferences(context.Background(), &Reference{Path: bad}, &Reference{Path: filepath.Join(dir, "owners.xlsx")})
	if !errors.Is(err, ErrReference) {
		t.Fatalf("err = %v", err)
	}
	for _, w := range []string{"missing column(s) staff_id, user", `unknown file type ".xlsx"`} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q: %v", w, err)
		}
	}
}

func TestLoadRulesReportsBadSQL(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "rules", "detections", "dormant_account.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(data), "WHERE action = 'login'", "WHERE actoin = 'login'", 1)
	wrongCols := strings.Replace(string(data), "1 AS event_count,", "1 AS events,", 1)
	wrongCols = strings.Replace(wrongCols, "id: dormant_account", "id: dormant_two", 1)
	reader := strings.Replace(string(data), "FROM events", "FROM read_csv('/etc/hostname')", 1)
	reader = strings.Replace(reader, "id: dormant_account", "id: dormant_three", 1)
	fsys := fstest.MapFS{"dormant.yaml": {Data: []byte(broken)}, "two.yaml": {Data: []byte(wrongCols)}, "three.yaml": {Data: []byte(reader)}}
	_, err = LoadRules(context.Background(), fsys)
	var re *detections.RuleError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v", err)
	}
	lines := strings.Split(string(data), "\n")
	want := 0
	for i, l := range lines {
		if strings.Contains(l, "WHERE action = 'login'") {
			want = i + 1
		}
	}
	for _, w := range []string{fmt.Sprintf("dormant.yaml:%d: rule dormant_account: sql:", want), `"actoin"`,
		`two.yaml:`, `rule dormant_two: sql: result column "events" is not a finding column`, `result column "event_count" is missing`,
		`three.yaml:`, `rule dormant_three: sql:`, `disabled by configuration`} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
}

func TestRulesCannotReadFiles(t *testing.T) {
	rule := detections.Rule{ID: "exfil", Title: "t", Severity: "low", Controls: []string{"GDPR:Art.32"},
		SQL: `SELECT column0 AS "user", now() AS window_start, now() AS window_end, 1 AS event_count FROM read_csv('/etc/hostname', header = false)`}
	o := smallOptions()
	o.Rules = []detections.Rule{rule}
	o.Suppressions = ""
	o.Params = nil
	rep, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Detections) != 1 || rep.Detections[0].Status != RunFailed || len(rep.Findings) != 0 {
		t.Fatalf("detections = %+v", rep.Detections)
	}
	if !strings.Contains(rep.Detections[0].Reason, "disabled") {
		t.Errorf("reason = %s", rep.Detections[0].Reason)
	}
}

func TestOptionsErrors(t *testing.T) {
	o := smallOptions()
	o.To = o.From
	o.Params = map[string]map[string]any{"no_such_rule": {"x": 1}, "brute_force": {"threshold": "lots"}}
	_, err := Run(context.Background(), o)
	if !errors.Is(err, ErrOptions) {
		t.Fatalf("err = %v", err)
	}
	o = smallOptions()
	o.Params = map[string]map[string]any{"no_such_rule": {"x": 1}, "brute_force": {"threshold": "lots"}, "*": {"timezone": "UTC"}}
	_, err = Run(context.Background(), o)
	for _, w := range []string{`unknown detection "no_such_rule"`, "brute_force: parameter threshold"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q: %v", w, err)
		}
	}
}

func TestSkippedWithoutReferences(t *testing.T) {
	o := smallOptions()
	o.Staff, o.Ownership, o.Suppressions = nil, nil, ""
	rep, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range rep.Detections {
		if slices.Contains([]string{"unowned_customer_access", "disabled_account_activity"}, d.ID) && d.Status != RunSkipped {
			t.Errorf("%s ran without its reference tables: %+v", d.ID, d)
		}
	}
	for _, c := range rep.Checks {
		if c.ID == CheckDetections && c.Status != StatusWarn {
			t.Errorf("monitoring check = %+v", c)
		}
		if c.ID == CheckLeavers && c.Status != StatusNA {
			t.Errorf("leavers check = %+v", c)
		}
	}
}

func TestParquetReferenceAndDBFile(t *testing.T) {
	dir := t.TempDir()
	pq := filepath.Join(dir, "ownership.parquet")
	eng := newTestEngine(t)
	q := `COPY (SELECT 'C' || i AS customer_id, 'S2' AS staff_id, DATE '2024-01-01' AS since FROM range(1, 13) t(i)
		UNION ALL SELECT 'C20', 'S1', DATE '2024-02-01') TO ` + mustLiteral(pq) + ` (FORMAT parquet)`
	if err := eng.exec(context.Background(), q); err != nil {
		t.Fatal(err)
	}
	o := smallOptions()
	o.Ownership = &Reference{Path: pq}
	o.DBPath = filepath.Join(dir, "audit.duckdb")
	rep, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if rep.References[1].Rows != 13 || rep.References[1].Source != pq {
		t.Errorf("references = %+v", rep.References)
	}
	found := false
	for _, f := range rep.Findings {
		found = found || f.Detection == "unowned_customer_access"
	}
	if !found {
		t.Error("unowned_customer_access did not fire with the Parquet ownership table")
	}
	if _, err := os.Stat(o.DBPath); err != nil {
		t.Errorf("database file: %v", err)
	}
	// a second run on the same file replaces the audit tables
	if _, err := Run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
}
