package pipeline

import "os/user"

// AccessConfig maps Vigil's three roles on one host to OS groups (README,
// "Security model"). The service account runs Vigil and alone holds the
// keys, the store and the source data. Members of AnalystGroup read the
// anonymized datasets (vigil query) and append to the query log; members of
// AuditorGroup read the reports, the inventory, the verification record and
// the run ledger (vigil status); MonitoringGroup reads the metrics file. An
// empty group leaves that part of the home private to the service account.
type AccessConfig struct {
	AnalystGroup    string `yaml:"analyst_group"`
	AuditorGroup    string `yaml:"auditor_group"`
	MonitoringGroup string `yaml:"monitoring_group"`
	// MetricsDir is where vigil.prom is written (a node_exporter textfile
	// directory); default <home>/metrics. Absolute; relative to the config
	// directory in the file.
	MetricsDir string `yaml:"metrics_dir"`
}

// validateAccess checks that the named groups exist on this host (and
// audit.fail_on, added with the alerting of the same issue).
func (v *validator) validateAccess() {
	if f := v.cfg.Audit.FailOn; f != "" {
		v.oneOf("audit.fail_on", f, "info", "low", "medium", "high", "critical")
	}
	a := &v.cfg.Access
	if a.MetricsDir != "" {
		a.MetricsDir = abs(v.cfg.Dir, a.MetricsDir)
	}
	if v.opts.SkipFileChecks {
		return
	}
	for _, g := range []struct{ key, name string }{
		{"access.analyst_group", a.AnalystGroup}, {"access.auditor_group", a.AuditorGroup}, {"access.monitoring_group", a.MonitoringGroup},
	} {
		if g.name == "" {
			continue
		}
		if _, err := user.LookupGroup(g.name); err != nil {
			v.errf(g.key, "group %q does not exist on this host (groupadd %s)", g.name, g.name)
		}
	}
}
