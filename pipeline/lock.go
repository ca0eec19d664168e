package pipeline

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// LockInfo is what a lock file holds while its lock is held.
type LockInfo struct {
	PID   int       `json:"pid"`
	Host  string    `json:"host"`
	Start time.Time `json:"start"`
	RunID string    `json:"run_id,omitempty"`
	Job   string    `json:"job,omitempty"`
}

func (i LockInfo) String() string {
	s := fmt.Sprintf("pid %d on %s since %s", i.PID, i.Host, i.Start.Format(time.RFC3339))
	if i.RunID != "" {
		s += ", run " + i.RunID
	}
	return s
}

// LockedError is returned when a lock is held; it matches ErrLocked.
type LockedError struct {
	Name   string
	Holder *LockInfo // nil if the holder's lock file could not be read
}

func (e *LockedError) Error() string {
	if e.Holder == nil {
		return fmt.Sprintf("pipeline: lock %s is held by another process", e.Name)
	}
	return fmt.Sprintf("pipeline: lock %s is held by %s", e.Name, e.Holder)
}

// Is reports whether target is ErrLocked.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// Lock is a held lock: an flock(2) on <dir>/<name>.lock. The kernel releases
// it when the process dies, so a lock can never outlive its holder.
type Lock struct {
	Name string
	Path string
	// Stale is the content left by a holder that died without releasing
	// (the file was not empty when the lock was taken), or nil.
	Stale *LockInfo
	f     *os.File
}

// Lock names.
const (
	StoreLockName     = "store"
	SchedulerLockName = "scheduler"
)

// JobLockName is the lock name of a job.
func JobLockName(job string) string { return "job-" + job }

// AcquireLock takes <dir>/<name>.lock without waiting, and writes info into
// it. If another process holds it, the error is a *LockedError matching
// ErrLocked. A lock file left with content by a dead process is taken over
// and logged.
func AcquireLock(dir, name string, info LockInfo, logger *slog.Logger) (*Lock, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("pipeline: lock %s: %w", name, err)
	}
	path := filepath.Join(dir, name+".lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("pipeline: lock %s: %w", name, err)
	}
	if err := flock(f, syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := readLockInfo(f)
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &LockedError{Name: name, Holder: holder}
		}
		return nil, fmt.Errorf("pipeline: lock %s: %w", name, err)
	}
	l := &Lock{Name: name, Path: path, f: f}
	if stale, err := readLockInfo(f); err == nil && stale != nil {
		l.Stale = stale
		logger.Warn(fmt.Sprintf("taking over stale lock from pid %d", stale.PID),
			"lock", name, "pid", stale.PID, "host", stale.Host, "run_id", stale.RunID, "since", stale.Start)
	}
	data, err := json.Marshal(info)
	if err != nil {
		l.Release()
		return nil, err
	}
	if err := f.Truncate(0); err == nil {
		_, err = f.WriteAt(append(data, '\n'), 0)
		if err == nil {
			err = f.Sync()
		}
	}
	if err != nil {
		l.Release()
		return nil, fmt.Errorf("pipeline: lock %s: %w", name, err)
	}
	return l, nil
}

// Release empties the lock file and releases the lock. The file is kept:
// removing it would race with a process that opened it to wait.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Truncate(0)
	if err == nil {
		err = l.f.Sync()
	}
	uerr := flock(l.f, syscall.LOCK_UN)
	cerr := l.f.Close()
	l.f = nil
	return errors.Join(err, uerr, cerr)
}

// readLockInfo reads a lock file's content; nil if it is empty.
func readLockInfo(f *os.File) (*LockInfo, error) {
	data, err := io.ReadAll(io.NewSectionReader(f, 0, 1<<16))
	if err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, nil
	}
	var info LockInfo
	if err := json.Unmarshal(data, &info); err != nil {
		return &LockInfo{}, nil // unreadable content is still a stale lock
	}
	return &info, nil
}

// ReadLock returns the content of <dir>/<name>.lock, or nil if it is absent
// or empty. It does not take the lock, so it cannot delay a run: use
// LockState to tell a live holder from a dead one.
func ReadLock(dir, name string) (*LockInfo, error) {
	f, err := os.Open(filepath.Join(dir, name+".lock"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLockInfo(f)
}

// LockState describes a lock file for status reports.
type LockState struct {
	Holder *LockInfo `json:"holder,omitempty"`
	// Alive is true when the holder runs on this host and its process exists.
	// A holder on another host is reported with Alive false and Remote true.
	Alive  bool `json:"alive"`
	Remote bool `json:"remote,omitempty"`
}

// InspectLock reports who holds (or last held without releasing) a lock.
// It returns nil if the lock is free.
func InspectLock(dir, name string) (*LockState, error) {
	info, err := ReadLock(dir, name)
	if err != nil || info == nil {
		return nil, err
	}
	st := &LockState{Holder: info}
	host, _ := os.Hostname()
	switch {
	case info.Host != "" && info.Host != host:
		st.Remote = true
	case info.PID > 0:
		err := syscall.Kill(info.PID, 0)
		st.Alive = err == nil || errors.Is(err, syscall.EPERM)
	}
	return st, nil
}
