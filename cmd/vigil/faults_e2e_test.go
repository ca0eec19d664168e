package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// killWhen starts vigil with args and kills it with SIGKILL once cond
// holds (polled continuously) plus jitter, unless it ended first. It
// reports whether the process was killed.
func killWhen(t *testing.T, dir string, env []string, cond func() bool, jitter time.Duration, args ...string) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, vigilBin, args...)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "TMPDIR=" + os.TempDir()}, env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("vigil %s ended before the kill point: %v", strings.Join(args, " "), err)
			}
			return false
		default:
		}
		if cond() {
			break
		}
		time.Sleep(50 * time.Microsecond)
	}
	time.Sleep(jitter)
	_ = cmd.Process.Signal(syscall.SIGKILL)
	err := <-done
	var ee *exec.ExitError
	return errors.As(err, &ee) && ee.ProcessState.Sys().(syscall.WaitStatus).Signal() == syscall.SIGKILL
}

// ledgerRecords counts the committed records of the snapshot ledger whose
// name contains kind ("rewrap", "forget").
func ledgerRecords(home, kind string) int {
	n := 0
	tables, _ := os.ReadDir(filepath.Join(home, "store", "snapshot-ledger"))
	for _, tb := range tables {
		ents, _ := os.ReadDir(filepath.Join(home, "store", "snapshot-ledger", tb.Name()))
		for _, e := range ents {
			if !strings.HasPrefix(e.Name(), ".") && strings.Contains(e.Name(), "-"+kind+"-") {
				n++
			}
		}
	}
	return n
}

// snapshotDirs counts the snapshot directories (not .tmp-*) of the store.
func snapshotDirs(home string) int {
	n := 0
	tables, _ := os.ReadDir(filepath.Join(home, "store", "snapshots"))
	for _, tb := range tables {
		ents, _ := os.ReadDir(filepath.Join(home, "store", "snapshots", tb.Name()))
		for _, e := range ents {
			if !strings.HasPrefix(e.Name(), ".") {
				n++
			}
		}
	}
	return n
}

func copyHome(t *testing.T, src, dst string) {
	t.Helper()
	os.RemoveAll(dst)
	if out, err := exec.Command("cp", "-a", src, dst).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
}

type killPoint struct {
	name   string
	cond   func(home string) bool
	jitter time.Duration
}

// Must show: kill -9 at several points of "snapshots rewrap --all" loses
// nothing; every snapshot verifies in between, and the next rewrap
// finishes the job so that the old key can be retired.
func TestKillDuringRewrap(t *testing.T) {
	t.Parallel()
	dir := setupDir(t, 30, false, "  snap: {stages: [snapshot]}\n")
	for i := 0; i < 4; i++ {
		mustRun(t, dir, nil, "run", "snap")
	}
	home := filepath.Join(dir, "home")
	var info struct {
		Keys []struct {
			ID, Purpose string
			Primary     bool
			Snapshots   map[string]int
		}
	}
	wrapKeys := func() (old string, counts map[string]int) {
		t.Helper()
		out := mustRun(t, dir, nil, "keys", "list", "--json")
		if err := json.Unmarshal([]byte(out.stdout), &info); err != nil {
			t.Fatal(err)
		}
		for _, k := range info.Keys {
			if k.Purpose == "wrap" && !k.Primary {
				return k.ID, k.Snapshots
			}
		}
		return "", nil
	}
	mustRun(t, dir, nil, "keys", "rotate", "wrap")
	oldKey, counts := wrapKeys()
	if oldKey == "" || counts["local"] != 8 {
		t.Fatalf("after rotate: old key %q protects %v, want 8 local", oldKey, counts)
	}
	pristine := filepath.Join(dir, "pristine-home")
	copyHome(t, home, pristine)
	base := ledgerRecords(home, "rewrap")
	points := []killPoint{
		{"at start", func(string) bool { return true }, 20 * time.Millisecond},
		{"first record written", func(h string) bool { return ledgerRecords(h, "rewrap") > base }, 0},
		{"just after the first record", func(h string) bool { return ledgerRecords(h, "rewrap") > base }, 300 * time.Microsecond},
		{"third record", func(h string) bool { return ledgerRecords(h, "rewrap") > base+2 }, 100 * time.Microsecond},
		{"fifth record", func(h string) bool { return ledgerRecords(h, "rewrap") > base+4 }, 1 * time.Millisecond},
		{"last record", func(h string) bool { return ledgerRecords(h, "rewrap") > base+7 }, 0},
	}
	killed := 0
	for _, p := range points {
		copyHome(t, pristine, home)
		if killWhen(t, dir, nil, func() bool { return p.cond(home) }, p.jitter, "snapshots", "rewrap", "--all") {
			killed++
		}
		// Nothing lost: every snapshot, rewrapped or not, verifies.
		if r := vigil(t, dir, nil, "verify", "--all"); r.code != 0 || !strings.Contains(r.stdout, "8 snapshots verified, 0 with problems") {
			t.Fatalf("%s: verify after the kill: %s", p.name, r)
		}
		if items, r := listSnapshots(t, dir); r.code != 0 || len(items) != 8 {
			t.Fatalf("%s: list after the kill: %d items\n%s", p.name, len(items), r)
		}
		// The next rewrap finishes; the old key then protects nothing.
		mustRun(t, dir, nil, "snapshots", "rewrap", "--all")
		if _, c := wrapKeys(); c["local"] != 0 {
			t.Fatalf("%s: old key still protects %v after the resumed rewrap", p.name, c)
		}
		mustRun(t, dir, nil, "restore", "customers/latest", "--to", "r-"+strings.ReplaceAll(p.name, " ", "-"))
	}
	if killed < 3 {
		t.Errorf("only %d of %d kills landed while rewrap ran", killed, len(points))
	}
	t.Logf("%d of %d kill points landed mid-rewrap", killed, len(points))
	mustRun(t, dir, nil, "keys", "retire", oldKey)
	if r := vigil(t, dir, nil, "verify", "--all"); r.code != 0 {
		t.Fatalf("verify after retiring the old key: %s", r)
	}
}

// Must show: kill -9 at several points of forget loses nothing that was
// kept, never leaves a half-removed snapshot counted (list, verify --all,
// restore all succeed in between), and the next forget finishes the job.
func TestKillDuringForget(t *testing.T) {
	t.Parallel()
	dir := setupDir(t, 30, false, "  snap: {stages: [snapshot]}\n")
	for i := 0; i < 6; i++ {
		mustRun(t, dir, nil, "run", "snap")
	}
	home := filepath.Join(dir, "home")
	items, _ := listSnapshots(t, dir)
	newest := map[string]string{}
	for _, it := range items {
		if it.Latest {
			newest[it.Table] = it.ID
		}
	}
	pristine := filepath.Join(dir, "pristine-home")
	copyHome(t, home, pristine)
	points := []killPoint{
		{"at start", func(string) bool { return true }, 15 * time.Millisecond},
		{"first forget record", func(h string) bool { return ledgerRecords(h, "forget") > 0 }, 0},
		{"half the records", func(h string) bool { return ledgerRecords(h, "forget") >= 5 }, 200 * time.Microsecond},
		{"all records, no removal", func(h string) bool { return ledgerRecords(h, "forget") >= 10 }, 0},
		{"first removal", func(h string) bool { return snapshotDirs(h) < 12 }, 0},
		{"mid removal", func(h string) bool { return snapshotDirs(h) < 8 }, 300 * time.Microsecond},
	}
	killed := 0
	for _, p := range points {
		copyHome(t, pristine, home)
		if killWhen(t, dir, nil, func() bool { return p.cond(home) }, p.jitter, "forget", "--keep-last", "1") {
			killed++
		}
		items, r := listSnapshots(t, dir)
		for _, it := range items {
			switch it.Status {
			case "ok", "forgotten":
			default:
				t.Fatalf("%s: after the kill, %s/%s is %s\n%s", p.name, it.Table, it.ID, it.Status, r)
			}
			if it.Latest && it.ID != newest[it.Table] {
				t.Fatalf("%s: latest of %s moved to %s", p.name, it.Table, it.ID)
			}
		}
		if r.code != 0 {
			t.Fatalf("%s: list after the kill exit %d\n%s", p.name, r.code, r)
		}
		if r := vigil(t, dir, nil, "verify", "--all"); r.code != 0 {
			t.Fatalf("%s: verify --all after the kill (a half-removed snapshot counted?): %s", p.name, r)
		}
		mustRun(t, dir, nil, "restore", "--run", "latest", "--to", "r-"+strings.ReplaceAll(p.name, " ", "-"))
		// The next forget finishes: one snapshot per table, the newest,
		// and no directory of a forgotten snapshot or deletion left.
		mustRun(t, dir, nil, "forget", "--keep-last", "1")
		items, _ = listSnapshots(t, dir)
		if len(items) != 2 || items[0].ID != newest[items[0].Table] || items[1].ID != newest[items[1].Table] {
			t.Fatalf("%s: after the next forget: %+v", p.name, items)
		}
		if n := snapshotDirs(home); n != 2 {
			t.Fatalf("%s: %d snapshot directories left", p.name, n)
		}
		left, _ := filepath.Glob(filepath.Join(home, "store", "snapshots", "*", ".tmp-del-*"))
		if len(left) != 0 {
			t.Fatalf("%s: half-deleted directories left: %v", p.name, left)
		}
	}
	if killed < 3 {
		t.Errorf("only %d of %d kills landed while forget ran", killed, len(points))
	}
	t.Logf("%d of %d kill points landed mid-forget", killed, len(points))
}
