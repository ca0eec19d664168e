package pipeline

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
)

// QueryLogName is the query log under <home>/logs (kept equal to
// query.LogPath, which pipeline does not import).
const QueryLogName = "query.jsonl"

// ApplyAccess gives the home the groups and modes of the role model
// (AccessConfig). Private parts (keys, store, temporary files, the
// classification cache's raw evidence aside) stay 0700 to the service
// account; the home itself becomes 0711 when any role is set, so members can
// reach their directories without listing the others. It runs after every
// run, so files a stage wrote (0600) become readable by their role.
// Without any role configured it does nothing.
func ApplyAccess(cfg *Config, log *slog.Logger) error {
	a := cfg.Access
	if a.AnalystGroup == "" && a.AuditorGroup == "" && a.MonitoringGroup == "" {
		return nil
	}
	p := cfg.Paths()
	var errs []error
	gid := func(name string) int {
		if name == "" {
			return -1
		}
		g, err := user.LookupGroup(name)
		if err != nil {
			errs = append(errs, fmt.Errorf("pipeline: access: group %q: %w", name, err))
			return -1
		}
		id, _ := strconv.Atoi(g.Gid)
		return id
	}
	analysts, auditors, monitoring := gid(a.AnalystGroup), gid(a.AuditorGroup), gid(a.MonitoringGroup)
	if err := os.Chmod(p.Home, 0o711); err != nil {
		errs = append(errs, err)
	}
	for _, private := range []string{p.Store, filepath.Dir(p.Keyset), filepath.Join(p.Home, "tmp")} {
		if err := os.Chmod(private, 0o700); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	logs := filepath.Join(p.Home, "logs")
	if analysts >= 0 {
		errs = append(errs, shareTree(p.Datasets, analysts, false))
		// The query log: analysts' vigil query appends to it.
		if err := os.MkdirAll(logs, 0o700); err != nil {
			errs = append(errs, err)
		}
		ql := filepath.Join(logs, QueryLogName)
		if f, err := os.OpenFile(ql, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600); err != nil {
			errs = append(errs, err)
		} else {
			f.Close()
		}
		errs = append(errs, share(logs, analysts, 0o750), share(ql, analysts, 0o660))
	}
	if auditors >= 0 {
		for _, dir := range []string{p.Reports, p.Ledger, p.Locks, filepath.Join(p.Home, "verify"), filepath.Join(p.Home, "classification")} {
			errs = append(errs, shareTree(dir, auditors, false))
		}
	}
	if monitoring >= 0 {
		// Only Vigil's own file: metrics_dir may be a textfile directory
		// other exporters share. The default one inside the home is
		// Vigil's, and the monitoring group needs to enter it.
		if rel, err := filepath.Rel(p.Home, p.Metrics); err == nil && filepath.IsLocal(rel) {
			if err := share(p.Metrics, monitoring, 0o750); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
		}
		if err := share(filepath.Join(p.Metrics, MetricsFile), monitoring, 0o640); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("pipeline: applying access groups: %w", err)
	}
	if log != nil {
		log.Debug("access groups applied", "analysts", a.AnalystGroup, "auditors", a.AuditorGroup, "monitoring", a.MonitoringGroup)
	}
	return nil
}

// shareTree gives dir and everything below it group gid: directories 0750
// (0770 with write), files 0640 (0660). A missing dir is fine.
func shareTree(dir string, gid int, write bool) error {
	dmode, fmode := os.FileMode(0o750), os.FileMode(0o640)
	if write {
		dmode, fmode = 0o770, 0o660
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return nil // never follow or change what a link points to
		}
		if d.IsDir() {
			return share(path, gid, dmode)
		}
		return share(path, gid, fmode)
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

func share(path string, gid int, mode os.FileMode) error {
	if err := os.Lchown(path, -1, gid); err != nil {
		return err
	}
	return os.Chmod(path, mode)
}
