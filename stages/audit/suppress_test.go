package audit

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseSuppressions(t *testing.T) {
	known := []string{"new_location", "brute_force"}
	sups, err := LoadSuppressions(filepath.Join("testdata", "suppressions", "valid.yaml"), known)
	if err != nil {
		t.Fatal(err)
	}
	if len(sups) != 2 || sups[0].Fingerprint != "0123456789abcdef0123456789abcdef" || sups[1].User != "carol@example.cn" ||
		!sups[1].Expires.Equal(time.Date(2025, 8, 31, 23, 59, 59, 999999999, time.UTC)) || sups[1].Line != 7 {
		t.Errorf("suppressions = %+v", sups)
	}
	_, err = LoadSuppressions(filepath.Join("testdata", "suppressions", "invalid.yaml"), known)
	var se *SuppressionError
	if !errors.As(err, &se) || !errors.Is(err, ErrSuppressions) {
		t.Fatalf("err = %v", err)
	}
	for _, w := range []string{
		`invalid.yaml:3: unknown detection "new_locaton"`,
		`invalid.yaml:13: unknown key "colour"`,
		`invalid.yaml:12: expires: invalid date "next week"`,
		`invalid.yaml:8: status "maybe" is not accepted or false_positive`,
		`invalid.yaml:8: reason is required`,
		`invalid.yaml:8: by is required`,
		`invalid.yaml:8: give either fingerprint or detection and user, not both`,
		`invalid.yaml:8: fingerprint "abc" is not 32 hexadecimal digits`,
	} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
}

func TestApplySuppressions(t *testing.T) {
	now := time.Date(2025, 6, 8, 0, 0, 0, 0, time.UTC)
	past := now.Add(-time.Hour)
	findings := []Finding{
		{Fingerprint: "aa", Detection: "brute_force", User: "bob@x.cn"},
		{Fingerprint: "bb", Detection: "new_location", User: "Carol@x.cn"},
		{Fingerprint: "cc", Detection: "new_location", User: "dave@x.cn"},
	}
	states := applySuppressions(findings, []Suppression{
		{Fingerprint: "aa", Status: SuppressFalsePositive, Reason: "r", By: "b"},
		{Detection: "new_location", User: "carol@x.cn", Status: SuppressAccepted, Reason: "r", By: "b"},
		{Detection: "new_location", User: "dave@x.cn", Status: SuppressAccepted, Reason: "r", By: "b", Expires: &past},
	}, now)
	if !findings[0].Suppressed || !findings[1].Suppressed || findings[2].Suppressed {
		t.Errorf("suppressed flags: %v %v %v", findings[0].Suppressed, findings[1].Suppressed, findings[2].Suppressed)
	}
	if states[0].Matched != 1 || states[1].Matched != 1 || states[2].State != "expired" || states[2].Matched != 0 {
		t.Errorf("states = %+v", states)
	}
}

func FuzzParseSuppressions(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "suppressions", "*.yaml"))
	files = append(files, filepath.Join("testdata", "small", "suppressions.yaml"))
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sups, err := ParseSuppressions("fuzz.yaml", data, nil)
		for _, s := range sups {
			if s.Reason == "" || s.By == "" || (s.Fingerprint == "" && (s.Detection == "" || s.User == "")) {
				t.Fatalf("accepted an incomplete suppression: %+v", s)
			}
		}
		if err != nil && !errors.Is(err, ErrSuppressions) {
			t.Fatalf("error does not match ErrSuppressions: %v", err)
		}
	})
}
