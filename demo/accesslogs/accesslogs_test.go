package accesslogs

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var (
	fixtureStaff = filepath.Join("testdata", "staff.csv")
	fixtureOwner = filepath.Join("testdata", "ownership.csv")
)

func generate(t *testing.T, o Options) *Result {
	t.Helper()
	if o.StaffCSV == "" {
		o.StaffCSV, o.OwnershipCSV = fixtureStaff, fixtureOwner
	}
	if o.Out == "" {
		o.Out = t.TempDir()
	}
	res, err := Generate(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func digest(t *testing.T, res *Result) [32]byte {
	t.Helper()
	h := sha256.New()
	for _, f := range append(slices.Clone(res.Files), res.GroundTruth) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		h.Write([]byte(filepath.Base(f)))
		h.Write(data)
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

func TestDeterministic(t *testing.T) {
	a := generate(t, Options{Seed: 7, Days: 10})
	b := generate(t, Options{Seed: 7, Days: 10})
	c := generate(t, Options{Seed: 8, Days: 10})
	if digest(t, a) != digest(t, b) {
		t.Error("same seed, different output")
	}
	if digest(t, a) == digest(t, c) {
		t.Error("different seeds, same output")
	}
}

func TestMonthOfLogs(t *testing.T) {
	res := generate(t, Options{Seed: 1})
	if len(res.Files) != 30 || res.Events < 20000 {
		t.Fatalf("%d files, %d events", len(res.Files), res.Events)
	}
	gt, err := ReadGroundTruth(res.GroundTruth)
	if err != nil {
		t.Fatal(err)
	}
	if !gt.End.Equal(gt.Start.AddDate(0, 0, 30)) || gt.Events != res.Events || len(gt.Files) != 30 {
		t.Errorf("ground truth header = %+v", gt)
	}
	// the period ends on the latest date in staff.csv (2025-06-20), Asia/Shanghai
	if want := time.Date(2025, 5, 21, 16, 0, 0, 0, time.UTC); !gt.Start.Equal(want) {
		t.Errorf("start = %v, want %v", gt.Start, want)
	}
	staff, _ := ReadStaff(fixtureStaff)
	emails := map[string]bool{}
	for _, s := range staff {
		emails[s.Email] = true
	}
	var kinds []string
	for _, in := range gt.Incidents {
		kinds = append(kinds, in.Detection)
		if in.Start.Before(gt.Start) || in.End.After(gt.End) || in.End.Before(in.Start) {
			t.Errorf("%s: window %v..%v outside the period", in.ID, in.Start, in.End)
		}
		if in.User == "" && in.Key == "" {
			t.Errorf("%s: neither user nor key", in.ID)
		}
		if in.User != "" && !emails[in.User] {
			t.Errorf("%s: user %s not in staff.csv", in.ID, in.User)
		}
	}
	slices.Sort(kinds)
	want := []string{"admin_grant", "brute_force", "concurrent_sessions", "disabled_account_activity", "dormant_account",
		"impossible_travel", "mfa_disabled", "new_location", "offhours_bulk_export", "password_spray",
		"privileged_login_no_mfa", "success_after_failures", "unowned_customer_access"}
	if !slices.Equal(kinds, want) || len(gt.Skipped) != 0 {
		t.Errorf("incidents %v (skipped %v), want %v", kinds, gt.Skipped, want)
	}

	// every line is a Salesforce-shaped JSON object of the day, in time order
	types := map[string]int{}
	for i, f := range res.Files {
		day := gt.Start.AddDate(0, 0, i)
		file, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(file)
		sc.Buffer(nil, 1<<20)
		var last time.Time
		for n := 1; sc.Scan(); n++ {
			var rec struct {
				Attributes  struct{ Type string } `json:"attributes"`
				EventDate   string
				CreatedDate string
				Username    string
				CreatedBy   struct{ Username string }
			}
			if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
				t.Fatalf("%s:%d: %v", f, n, err)
			}
			types[rec.Attributes.Type]++
			ts, layout := rec.EventDate, "2006-01-02T15:04:05.000Z"
			if rec.Attributes.Type == "SetupAuditTrail" {
				ts, layout = rec.CreatedDate, "2006-01-02T15:04:05.000-0700"
				rec.Username = rec.CreatedBy.Username
			}
			tm, err := time.Parse(layout, ts)
			if err != nil {
				t.Fatalf("%s:%d: %v", f, n, err)
			}
			if tm.Before(day) || !tm.Before(day.AddDate(0, 0, 1)) || tm.Before(last) || !emails[rec.Username] {
				t.Fatalf("%s:%d: time %v (day %v, previous %v) user %q", f, n, tm, day, last, rec.Username)
			}
			last = tm
		}
		file.Close()
	}
	for _, typ := range []string{"LoginEvent", "LogoutEvent", "LightningUriEvent", "ReportEvent", "ListViewEvent", "SetupAuditTrail"} {
		if types[typ] == 0 {
			t.Errorf("no %s records", typ)
		}
	}
}

func TestScaleMode(t *testing.T) {
	res := generate(t, Options{Seed: 3, Days: 2, EventsPerDay: 10000, Gzip: true})
	target := int64(2 * 10000)
	if res.Events < target*85/100 || res.Events > target*115/100 {
		t.Errorf("events = %d, want about %d", res.Events, target)
	}
	f, err := os.Open(res.Files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(gz).ReadBytes('\n')
	if err != nil || !json.Valid(line) || !strings.HasSuffix(res.Files[0], ".jsonl.gz") {
		t.Errorf("first line %q: %v", line, err)
	}
	if len(res.Skipped) == 0 {
		t.Error("a 2-day run cannot hold every incident; expected skipped kinds")
	}
}

func TestInputErrors(t *testing.T) {
	_, err := ParseStaff("staff.csv", strings.NewReader("staff_id,name,email,role,region,status,hire_date,leave_date\n"+
		"S1,A,a@x.cn,sales,华东,active,2020-01-01,\n"+
		"S2,B,not-an-email,boss,华东,gone,01/02/2020,\n"))
	var ce *CSVError
	if !errors.As(err, &ce) || !errors.Is(err, ErrInput) {
		t.Fatalf("err = %v", err)
	}
	for _, w := range []string{"staff.csv:3: column email", "staff.csv:3: column role", "staff.csv:3: column status", "staff.csv:3: column hire_date"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q: %v", w, err)
		}
	}
	_, err = ParseOwnership("ownership.csv", strings.NewReader("customer,staff_id\nC1,S1\n"))
	if err == nil || !strings.Contains(err.Error(), "ownership.csv:1: missing column(s) customer_id") {
		t.Errorf("err = %v", err)
	}
	_, err = Generate(context.Background(), Options{StaffCSV: fixtureStaff})
	if !errors.Is(err, ErrOptions) {
		t.Errorf("missing options: %v", err)
	}
}

func seedCSV(f *testing.F, path string) {
	if data, err := os.ReadFile(path); err == nil {
		f.Add(data)
	}
}

func FuzzParseStaff(f *testing.F) {
	seedCSV(f, fixtureStaff)
	f.Add([]byte("staff_id,email,role,status\nS1,a@b.cn,admin,active\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		staff, err := ParseStaff("fuzz.csv", bytes.NewReader(data))
		if err != nil && !errors.Is(err, ErrInput) {
			t.Fatalf("error does not match ErrInput: %v", err)
		}
		for _, s := range staff {
			if s.ID == "" || !strings.Contains(s.Email, "@") || !slices.Contains(staffRoles, s.Role) {
				t.Fatalf("accepted a bad row: %+v", s)
			}
		}
	})
}

func FuzzParseOwnership(f *testing.F) {
	seedCSV(f, fixtureOwner)
	f.Fuzz(func(t *testing.T, data []byte) {
		owners, err := ParseOwnership("fuzz.csv", bytes.NewReader(data))
		if err != nil && !errors.Is(err, ErrInput) {
			t.Fatalf("error does not match ErrInput: %v", err)
		}
		for _, o := range owners {
			if o.CustomerID == "" || o.StaffID == "" {
				t.Fatalf("accepted a bad row: %+v", o)
			}
		}
	})
}
