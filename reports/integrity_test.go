package reports

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-dg/vigil/keys"
)

func signingKeyring(t *testing.T) *keys.Keyring {
	t.Helper()
	dir := t.TempDir()
	kf := filepath.Join(dir, "vigil.key")
	if err := keys.GenerateKeyFile(kf); err != nil {
		t.Fatal(err)
	}
	kr, err := keys.Init(context.Background(), filepath.Join(dir, "keyset.json"), keys.Unlock{KeyFile: kf}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kr.EnsureSigning(context.Background(), time.Now()); err != nil {
		t.Fatal(err)
	}
	return kr
}

// Tampering with one input log or one report file after signing makes
// verification fail; an untouched folder verifies.
func TestVerifyDetectsTampering(t *testing.T) {
	kr := signingKeyring(t)
	inDir := t.TempDir()
	logPath := filepath.Join(inDir, "crm.jsonl")
	if err := os.WriteFile(logPath, []byte(`{"time":"2025-03-01T00:00:00Z","user":"a","action":"login"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	inputs, err := HashInputs(KindLog, "crm", logPath)
	if err != nil {
		t.Fatal(err)
	}
	write := func(t *testing.T) string {
		in := fixtureInput()
		in.Inputs, in.Signer = inputs, kr
		dir := filepath.Join(t.TempDir(), "report")
		w, err := Write(context.Background(), dir, in)
		if err != nil {
			t.Fatal(err)
		}
		if !w.Signed {
			t.Fatal("not signed")
		}
		return dir
	}
	pub := PublicVerifier(keys.VerifyWithPublicKeyset)

	dir := write(t)
	if v, err := VerifyDir(dir, kr, pub); err != nil || v.Signature != "ok" || !v.Trusted || v.Inputs != 1 {
		t.Fatalf("untouched report: %v %+v", err, v)
	}
	if _, err := VerifyDir(dir, nil, pub); err != nil {
		t.Fatalf("with the embedded public key: %v", err)
	}

	cases := []struct {
		name   string
		tamper func(t *testing.T, dir string)
		want   string
	}{
		{"input log", func(t *testing.T, _ string) {
			appendTo(t, logPath, `{"time":"2025-03-01T00:00:01Z","user":"b","action":"export"}`+"\n")
		}, "input log crm"},
		{"report.html", func(t *testing.T, dir string) { appendTo(t, filepath.Join(dir, FileHTML), "<!-- -->") }, "report file report.html"},
		{"findings.csv", func(t *testing.T, dir string) { appendTo(t, filepath.Join(dir, FileCSV), "x") }, "report file findings.csv"},
		{"evidence.json", func(t *testing.T, dir string) {
			p := filepath.Join(dir, FileEvidence)
			b, _ := os.ReadFile(p)
			b = []byte(strings.Replace(string(b), `"size": `, `"size": 1`, 1))
			os.WriteFile(p, b, 0o600)
		}, "signature"},
		{"extra file", func(t *testing.T, dir string) { appendTo(t, filepath.Join(dir, "extra.html"), "x") }, "not in the signed manifest"},
		{"removed file", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, FileArt30MD)) }, "record-art30.md"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			orig, _ := os.ReadFile(logPath)
			defer os.WriteFile(logPath, orig, 0o600)
			dir := write(t)
			tc.tamper(t, dir)
			v, err := VerifyDir(dir, kr, pub)
			if !errors.Is(err, ErrVerify) {
				t.Fatalf("tampered %s verified: %+v", tc.name, v)
			}
			if !strings.Contains(strings.Join(v.Problems, "\n"), tc.want) {
				t.Errorf("problems %v do not name %q", v.Problems, tc.want)
			}
		})
	}

	t.Run("another key", func(t *testing.T) {
		dir := write(t)
		other := signingKeyring(t)
		if _, err := VerifyDir(dir, other, pub); !errors.Is(err, ErrVerify) {
			t.Fatal("verified against another keyset")
		}
	})
	t.Run("unsigned", func(t *testing.T) {
		in := fixtureInput()
		dir := filepath.Join(t.TempDir(), "r")
		if _, err := Write(context.Background(), dir, in); err != nil {
			t.Fatal(err)
		}
		if _, err := VerifyDir(dir, kr, pub); !errors.Is(err, ErrVerify) {
			t.Fatal("an unsigned report verified")
		}
	})
}

func appendTo(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}
