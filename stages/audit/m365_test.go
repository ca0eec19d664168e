package audit

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"
)

// m365Dir holds real Microsoft 365 Unified Audit Log records of recorded
// attack simulations (OTRF Security-Datasets): two o365spray password sprays,
// an admin-role grant and an MFA disable. Every record is attacker activity.
var m365Dir = filepath.Join("..", "..", "..", "shared", "data", "logs", "otrf-m365-attacks")

func TestM365Recall(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(m365Dir, "*.jsonl"))
	if len(files) == 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("M365 sample logs not available in CI (shared/ beside the repository)")
		}
		t.Skip("M365 sample logs not available")
	}
	rep, err := Run(context.Background(), Options{
		From:     time.Date(2023, 5, 1, 0, 0, 0, 0, time.UTC),
		To:       time.Date(2023, 8, 1, 0, 0, 0, 0, time.UTC),
		TimeZone: "UTC",
		Sources:  []LogSource{{Name: "m365", Paths: []string{filepath.Join(m365Dir, "*.jsonl")}, Mapping: MappingM365}},
	})
	if err != nil {
		t.Fatal(err)
	}
	src := rep.Sources[0]
	if src.Read != 27 || src.Unmapped != 0 {
		t.Errorf("source stats = %+v", src)
	}
	got := map[string][]Finding{}
	for _, f := range rep.Findings {
		got[f.Detection] = append(got[f.Detection], f)
	}
	// o365spray_default: 9 accounts from 2a09:bac5:114:105::1a:9b;
	// o365spray_reporting: 10 accounts from 2a09:bac1:820:8::1a:9c.
	var sprays []string
	for _, f := range got["password_spray"] {
		sprays = append(sprays, f.Key)
	}
	sort.Strings(sprays)
	if len(sprays) != 2 || sprays[0] != "2a09:bac1:820:8::1a:9c" || sprays[1] != "2a09:bac5:114:105::1a:9b" {
		t.Errorf("password sprays = %v", sprays)
	}
	if f := got["admin_grant"]; len(f) != 1 || f[0].User != "stinger@contoso.onmicrosoft.com" || f[0].Key != "alex@contoso.onmicrosoft.com" ||
		f[0].Detail != "granted Company Administrator to alex@contoso.onmicrosoft.com" {
		t.Errorf("admin grants = %+v", f)
	}
	if f := got["mfa_disabled"]; len(f) != 1 || f[0].User != "stinger@contoso.onmicrosoft.com" {
		t.Errorf("MFA disables = %+v", f)
	}
	for det, fs := range got {
		t.Logf("%s: %d finding(s)", det, len(fs))
	}
}
