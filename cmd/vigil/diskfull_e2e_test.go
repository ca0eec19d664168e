package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// mountTmpfs mounts a tmpfs of size bytes at dir (made if missing) and
// unmounts it when the test ends. It skips unless running as root on a
// system that allows the mount.
func mountTmpfs(t *testing.T, dir string, size int64) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("disk-full tests mount a small tmpfs: they need root")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+strconv.FormatInt(size, 10)+",mode=0700", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
}

func resizeTmpfs(t *testing.T, dir string, size int64) {
	t.Helper()
	if out, err := exec.Command("mount", "-o", "remount,size="+strconv.FormatInt(size, 10), dir).CombinedOutput(); err != nil {
		t.Fatalf("remount %s: %v %s", dir, err, out)
	}
}

// tmpEntries lists the .tmp-* entries left in the snapshot table
// directories of a store.
func tmpEntries(store string) []string {
	m, _ := filepath.Glob(filepath.Join(store, "snapshots", "*", ".tmp-*"))
	return m
}

// Must show: disk full while writing a snapshot and while backing up: a
// clear error, nothing committed (no snapshot counted, locally or on the
// target), and the next run after space is freed recovers.
func TestDiskFull(t *testing.T) {
	t.Parallel()
	dir := setupDir(t, 3000, false, backupJobs("    offsite: {type: dir, path: offsite}\n"))
	home := filepath.Join(dir, "home")

	t.Run("snapshot", func(t *testing.T) {
		// Move the home onto a tmpfs with 64 KiB to spare.
		saved := filepath.Join(dir, "home-saved")
		if err := os.Rename(home, saved); err != nil {
			t.Fatal(err)
		}
		mountTmpfs(t, home, 256<<10)
		if out, err := exec.Command("cp", "-a", saved+"/.", home).CombinedOutput(); err != nil {
			t.Fatalf("cp: %v %s", err, out)
		}
		r := vigil(t, dir, nil, "run", "snap")
		t.Logf("snapshot on a full disk: exit %d, %s", r.code, lastLine(r.stderr))
		if r.code == 0 || !strings.Contains(r.stderr+r.stdout, "no space left on device") {
			t.Fatalf("snapshot on a full disk: want a failure naming the full disk, got %s", r)
		}
		// The small staff table may fit and commit (other tables go on);
		// customers must not count.
		items, lr := listSnapshots(t, dir)
		for _, it := range items {
			if it.Table == "customers" || it.Status != "ok" {
				t.Fatalf("a customers snapshot counts after the disk filled: %+v\n%s", items, lr)
			}
		}
		staffBefore := len(items)
		if left := tmpEntries(filepath.Join(home, "store")); len(left) != 0 {
			t.Errorf("partial snapshot directories left behind: %v", left)
		}
		resizeTmpfs(t, home, 64<<20)
		mustRun(t, dir, nil, "run", "snap")
		items, _ = listSnapshots(t, dir)
		if len(items) != staffBefore+2 {
			t.Fatalf("after freeing space: %d snapshots, want %d", len(items), staffBefore+2)
		}
		mustRun(t, dir, nil, "verify", "--all")
		// Back onto the disk for the next part.
		if out, err := exec.Command("cp", "-a", home+"/.", saved).CombinedOutput(); err != nil {
			t.Fatalf("cp: %v %s", err, out)
		}
	})
	exec.Command("umount", "-l", home).Run()
	os.RemoveAll(home)
	if err := os.Rename(filepath.Join(dir, "home-saved"), home); err != nil {
		t.Fatal(err)
	}

	t.Run("backup", func(t *testing.T) {
		mustRun(t, dir, nil, "run", "snap")
		offsite := filepath.Join(dir, "offsite")
		mountTmpfs(t, offsite, 96<<10)
		r := vigil(t, dir, nil, "backup")
		t.Logf("backup to a full target: exit %d, %s", r.code, lastLine(r.stderr))
		if r.code == 0 || !strings.Contains(r.stderr+r.stdout, "no space left on device") {
			t.Fatalf("backup to a full target: want a failure naming the full disk, got %s", r)
		}
		items, lr := listSnapshots(t, dir, "--target", "offsite")
		for _, it := range items {
			if it.Status != "ok" {
				t.Errorf("a half copy shows on the target: %+v\n%s", it, lr)
			}
		}
		local, _ := listSnapshots(t, dir)
		if len(items) >= len(local) {
			t.Fatalf("every snapshot counts on a full target: %+v", items)
		}
		resizeTmpfs(t, offsite, 64<<20)
		out := mustRun(t, dir, nil, "backup")
		if !strings.Contains(out.stdout, "snapshots_copied.offsite=") {
			t.Errorf("backup after freeing space:\n%s", out.stdout)
		}
		if items, _ := listSnapshots(t, dir, "--target", "offsite"); len(items) != len(local) {
			t.Fatalf("target after the resumed backup: %d snapshots, want %d", len(items), len(local))
		}
		mustRun(t, dir, nil, "verify", "--target", "offsite", "--all")
	})
}
