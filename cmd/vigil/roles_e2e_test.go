package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRolesWithRealOSUsers creates three throwaway OS users — an analyst, an
// auditor and a node_exporter-like monitoring user — maps them to groups in
// the config, and checks what each can do on a demo home: the analyst
// queries and cannot read keys, store or reports; the auditor reads reports
// and status and cannot query or read raw data; the monitoring user reads
// the metrics file only. It needs root (useradd); CI runs it as root.
func TestRolesWithRealOSUsers(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("CI must run this test as root (it creates OS users)")
		}
		t.Skip("creating OS users needs root")
	}
	for _, tool := range []string{"useradd", "groupadd", "userdel", "groupdel", "runuser"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s: %v", tool, err)
			}
			t.Skipf("%s not installed", tool)
		}
	}
	var rnd [3]byte
	rand.Read(rnd[:])
	suffix := hex.EncodeToString(rnd[:])
	roles := map[string]string{} // role -> user (= group) name
	for _, role := range []string{"an", "au", "mon"} {
		name := "vgl" + role + suffix
		root(t, "groupadd", name)
		t.Cleanup(func() { bounded("groupdel", name) })
		root(t, "useradd", "-M", "-N", "-g", name, "-s", "/bin/sh", name)
		t.Cleanup(func() { bounded("userdel", name) })
		roles[role] = name
	}
	// The users must reach the binary and the demo directory.
	if err := os.Chmod(filepath.Dir(vigilBin), 0o755); err != nil {
		t.Fatal(err)
	}
	base, err := os.MkdirTemp("", "vigil-roles-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o711); err != nil {
		t.Fatal(err)
	}
	demoDir := copyDemo(t, smallDemoSpec, base).Demo
	if err := os.Chmod(demoDir, 0o711); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(demoDir, "vigil.yaml")
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, []byte("access:\n  analyst_group: "+roles["an"]+"\n  auditor_group: "+roles["au"]+"\n  monitoring_group: "+roles["mon"]+"\n")...)
	if err := os.WriteFile(cfg, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(cfg, 0o644); err != nil { // readable: it holds no secret
		t.Fatal(err)
	}
	// Any run applies the groups to what the runs wrote.
	mustRun(t, base, nil, "-c", cfg, "run", "verify")

	home := filepath.Join(demoDir, "home")
	secret := []string{
		filepath.Join(demoDir, "master.key"),
		filepath.Join(home, "keys", "keyset.json"),
		firstFile(t, filepath.Join(home, "store")),
		filepath.Join(demoDir, "data", "customers.csv"),
	}
	report := firstFile(t, filepath.Join(home, "reports"))
	dataset := firstFile(t, filepath.Join(home, "datasets"))
	metrics := filepath.Join(home, "metrics", "vigil.prom")

	an, au, mon := roles["an"], roles["au"], roles["mon"]
	// The analyst.
	q := asUser(t, an, base, "-c", cfg, "query", "--format", "csv", "SELECT count(*) AS n FROM customers")
	if q.code != 0 || !strings.HasPrefix(q.stdout, "n") {
		t.Errorf("analyst cannot query: %s", q)
	}
	for _, f := range append(append([]string{}, secret...), report) {
		canRead(t, an, f, false)
	}
	canRead(t, an, dataset, true)
	if r := asUser(t, an, base, "-c", cfg, "keys", "info"); r.code == 0 {
		t.Errorf("analyst opened the keyset: %s", r)
	}
	// The auditor.
	canRead(t, au, report, true)
	if r := asUser(t, au, base, "-c", cfg, "status"); r.code != 0 || !strings.Contains(r.stdout, "nightly") {
		t.Errorf("auditor cannot see status: %s", r)
	}
	if r := asUser(t, au, base, "-c", cfg, "query", "SELECT count(*) FROM customers"); r.code == 0 {
		t.Errorf("auditor could query the datasets: %s", r)
	}
	for _, f := range append(append([]string{}, secret...), dataset) {
		canRead(t, au, f, false)
	}
	// The monitoring user.
	canRead(t, mon, metrics, true)
	for _, f := range append(append([]string{}, secret...), report, dataset) {
		canRead(t, mon, f, false)
	}
}

// bounded runs a clean-up command for at most 30 s (userdel waits for the
// lock of /etc/passwd, which another process may hold).
func bounded(name string, args ...string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = exec.CommandContext(ctx, name, args...).Run()
}

func root(t *testing.T, name string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// asUser runs vigil as an OS user.
func asUser(t *testing.T, user, dir string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "runuser", append([]string{"-u", user, "--", vigilBin}, args...)...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir(), "TMPDIR=" + os.TempDir()}
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return r
}

// canRead checks whether user can read path.
func canRead(t *testing.T, user, path string, want bool) {
	t.Helper()
	err := exec.Command("runuser", "-u", user, "--", "head", "-c", "1", path).Run()
	if got := err == nil; got != want {
		t.Errorf("%s can read %s: %v, want %v", user, path, got, want)
	}
}

// firstFile returns a regular file below dir.
func firstFile(t *testing.T, dir string) string {
	t.Helper()
	var found string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && found == "" && d.Type().IsRegular() {
			found = p
		}
		return nil
	})
	if found == "" {
		t.Fatalf("no file below %s", dir)
	}
	return found
}
