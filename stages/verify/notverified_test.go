package verify

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestInterruptedIsNotVerified: a check cut short by SIGTERM (a cancelled
// context) leaves the snapshot "not verified", never failed.
func TestInterruptedIsNotVerified(t *testing.T) {
	fx := newFixture(t, "customers", time.Date(2026, 11, 22, 2, 15, 0, 0, time.UTC))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := Check(ctx, fx.store, fx.m.Ref(), fx.keys, fx.auth, Options{RestoreDrill: true, TempDir: t.TempDir()})
	if !errors.Is(err, ErrNotVerified) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want ErrNotVerified wrapping context.Canceled", err)
	}
	if res == nil || res.NotVerified == "" || len(res.Problems) != 0 || errors.Is(err, ErrFailed) {
		t.Fatalf("result %+v", res)
	}
}

// TestDiskFullDrillIsNotVerified runs the restore drill in a 64 KiB tmpfs:
// the drill runs out of space, and the snapshot is "not verified", not
// failed. It needs root to mount the tmpfs (CI runs as root).
func TestDiskFullDrillIsNotVerified(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("CI must run as root to mount a full tmpfs")
		}
		t.Skip("mounting a tmpfs needs root")
	}
	dir := filepath.Join(t.TempDir(), "full")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir).CombinedOutput(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("mount tmpfs: %v %s", err, out)
		}
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	// Fill it, so that the drill's first write fails.
	filler := make([]byte, 4096)
	f, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 64; i++ {
		if _, err := f.Write(filler); err != nil {
			break
		}
	}
	f.Close()
	fx := newFixture(t, "customers", time.Date(2026, 11, 22, 2, 15, 0, 0, time.UTC))
	res, err := Check(context.Background(), fx.store, fx.m.Ref(), fx.keys, fx.auth, Options{RestoreDrill: true, TempDir: dir, SkipDuckDB: true})
	if !errors.Is(err, ErrNotVerified) {
		t.Fatalf("err = %v, want ErrNotVerified; result %+v", err, res)
	}
	if res.NotVerified == "" || len(res.Problems) != 0 || res.OK {
		t.Fatalf("result %+v", res)
	}
}
