package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseSample(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		bad  bool
	}{
		{"5%", 0.05, false}, {"0.5%", 0.005, false}, {"100%", 1, false}, {"0.25", 0.25, false},
		{"0%", 0, true}, {"101%", 0, true}, {"-1%", 0, true}, {"abc", 0, true}, {"", 0, true}, {"NaN", 0, true}, {"2", 0, true},
	} {
		got, err := ParseSample(tc.in)
		if (err != nil) != tc.bad || (!tc.bad && got != tc.want) {
			t.Errorf("ParseSample(%q) = %v, %v; want %v, bad=%v", tc.in, got, err, tc.want, tc.bad)
		}
	}
}

func TestVerifySampleAndCAFileConfig(t *testing.T) {
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, []byte("-----BEGIN CERTIFICATE-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := "format: 1\nkeys: {passphrase_env: P}\nsources: {crm: {type: postgres, dsn_env: D, tables: {t: {table: t}}}}\njobs: {j: {stages: [snapshot]}}\n"
	good := base + "verify: {sample: 5%, window: 2w}\nbackup: {targets: {s3: {type: s3, endpoint: https://s3.example, bucket: b, access_key_env: A, secret_key_env: S, ca_file: ca.pem}}}\n"
	cfg, err := Parse(filepath.Join(dir, "vigil.yaml"), []byte(good), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Verify.SampleShare() != 0.05 || cfg.Verify.WindowSpan() != 14*24*time.Hour || cfg.Backup.Targets["s3"].CAFile != ca {
		t.Fatalf("verify %+v, ca_file %q", cfg.Verify, cfg.Backup.Targets["s3"].CAFile)
	}
	if d, _ := Parse(filepath.Join(dir, "vigil.yaml"), []byte(base), LoadOptions{}); d.Verify.WindowSpan() != 30*24*time.Hour || d.Verify.SampleShare() != 0 {
		t.Fatalf("defaults: %+v", d.Verify)
	}
	bad := base + "verify: {sample: 150%, window: 6h}\nbackup: {targets: {s3: {type: s3, endpoint: https://s3.example, bucket: b, access_key_env: A, secret_key_env: S, ca_file: nosuch.pem}, d: {type: dir, path: /x, ca_file: ca.pem}}}\n"
	_, err = Parse(filepath.Join(dir, "vigil.yaml"), []byte(bad), LoadOptions{})
	if err == nil {
		t.Fatal("want errors")
	}
	for _, want := range []string{"verify.sample: sample \"150%\"", "verify.window: must be at least 1d", "backup.targets.s3.ca_file: cannot read", "backup.targets.d.ca_file"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in\n%v", want, err)
		}
	}
}
