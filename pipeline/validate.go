package pipeline

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/robfig/cron/v3"

	"github.com/vigil-dg/vigil/rules"
)

var envVarRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// validName reports whether name matches ^[\p{L}_][\p{L}\p{N}_-]{0,63}$:
// a letter or _, then at most 63 letters, digits, _ or -. Written out
// because that regexp takes milliseconds to compile (the bounded repeat of
// two Unicode classes), and every vigil process would pay for it at start.
func validName(name string) bool {
	n := 0
	for i, r := range name {
		switch {
		case unicode.IsLetter(r) || r == '_':
		case i > 0 && (unicode.IsNumber(r) || r == '-'):
		default:
			return false
		}
		n++
	}
	return n >= 1 && n <= 64
}

type validator struct {
	d    *decoder
	cfg  *Config
	opts LoadOptions
	// tables maps a table name to the source that defines it.
	tables map[string]string
}

// errf records a problem at path, located at the value written there or, if
// the key is missing, at its nearest written parent.
func (v *validator) errf(path, format string, args ...any) {
	if v.isBad(path) {
		return
	}
	p := v.locate(path)
	v.d.add(p.line, p.col, path, format, args...)
}

// isBad reports whether path or one of its parents failed to decode, so that
// one mistake is reported once.
func (v *validator) isBad(path string) bool {
	if v.d.bad[path] {
		return true
	}
	for i := len(path) - 1; i > 0; i-- {
		if (path[i] == '.' || path[i] == '[') && v.d.bad[path[:i]] {
			return true
		}
	}
	return false
}

func (v *validator) locate(path string) position {
	if p, ok := v.d.pos[path]; ok {
		return p
	}
	for i := len(path) - 1; i > 0; i-- {
		if path[i] == '.' || path[i] == '[' {
			if p, ok := v.d.pos[path[:i]]; ok {
				return p
			}
		}
	}
	return position{}
}

func (v *validator) present(path string) bool { return v.d.present(path) }

func (v *validator) name(path, what, name string) {
	if !validName(name) {
		v.errf(path, "%s name %q must start with a letter or _ and hold only letters, digits, _ and - (at most 64)", what, name)
	}
}

func (v *validator) oneOf(path, val string, allowed ...string) bool {
	if slices.Contains(allowed, val) {
		return true
	}
	if val == "" {
		v.errf(path, "missing; want one of %s", strings.Join(allowed, ", "))
	} else {
		v.errf(path, "%q is not one of %s", val, strings.Join(allowed, ", "))
	}
	return false
}

func (v *validator) envName(path, val string) {
	if !envVarRE.MatchString(val) {
		v.errf(path, "%q is not an environment variable name", val)
	}
}

func (v *validator) notFor(path, what string) {
	if v.present(path) {
		v.errf(path, "only applies to %s", what)
	}
}

// abs resolves p against base.
func abs(base, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(base, p)
}

// file resolves a path and checks that it names a regular file.
func (v *validator) file(path, what, val, base string) string {
	resolved := abs(base, val)
	if v.opts.SkipFileChecks {
		return resolved
	}
	st, err := os.Stat(resolved)
	switch {
	case err != nil && os.IsNotExist(err):
		v.errf(path, "%s %q does not exist", what, val)
	case err != nil:
		v.errf(path, "%s %q: %v", what, val, unwrapPathError(err))
	case !st.Mode().IsRegular():
		v.errf(path, "%s %q is not a regular file", what, val)
	}
	return resolved
}

// dir resolves a path and checks that it names a directory.
func (v *validator) dir(path, what, val, base string) (string, bool) {
	resolved := abs(base, val)
	if v.opts.SkipFileChecks {
		return resolved, true
	}
	st, err := os.Stat(resolved)
	switch {
	case err != nil && os.IsNotExist(err):
		v.errf(path, "%s %q does not exist", what, val)
		return resolved, false
	case err != nil:
		v.errf(path, "%s %q: %v", what, val, unwrapPathError(err))
		return resolved, false
	case !st.IsDir():
		v.errf(path, "%s %q is not a directory", what, val)
		return resolved, false
	}
	return resolved, true
}

func singleRune(s string) bool { return utf8.RuneCountInString(s) == 1 }

func (v *validator) validate() {
	c := v.cfg
	switch {
	case !v.present("format"):
		v.errf("format", "missing; start the file with format: %d", ConfigFormat)
	case c.Format != ConfigFormat:
		v.errf("format", "unsupported format %d; this version of Vigil reads format %d", c.Format, ConfigFormat)
	}
	if c.Home == "" {
		v.errf("home", "must not be empty")
	}
	c.Home = abs(c.Dir, c.Home)

	if c.Timezone == "" || c.Timezone == "Local" {
		c.Location = time.Local
	} else if loc, err := time.LoadLocation(c.Timezone); err != nil || strings.EqualFold(c.Timezone, "local") {
		v.errf("timezone", "unknown time zone %q (want an IANA name such as Asia/Shanghai, or Local)", c.Timezone)
		c.Location = time.Local
	} else {
		c.Location = loc
	}
	v.oneOf("log.level", c.Log.Level, "debug", "info", "warn", "error")
	v.oneOf("log.format", c.Log.Format, "text", "json")

	v.keys()
	v.sources()
	v.snapshot()
	v.chains()
	v.classify()
	v.protect()
	v.verify("verify", &c.Verify)
	v.backup()
	v.retention()
	v.audit()
	v.auditMappingOptions()
	v.report()
	v.jobs()
	v.notify()
	v.validateAccess()
}

func (v *validator) keys() {
	k := &v.cfg.Keys
	if k.Keyset == "" {
		v.errf("keys.keyset", "must not be empty")
	}
	k.Keyset = abs(v.cfg.Home, k.Keyset)
	switch {
	case k.PassphraseEnv != "" && k.KeyFile != "":
		v.errf("keys", "set only one of passphrase_env and key_file")
	case k.PassphraseEnv == "" && k.KeyFile == "":
		v.errf("keys", "set one of passphrase_env (a variable holding the passphrase) or key_file")
	case k.PassphraseEnv != "":
		v.envName("keys.passphrase_env", k.PassphraseEnv)
	default:
		k.KeyFile = abs(v.cfg.Dir, k.KeyFile)
	}
}

func (v *validator) sources() {
	v.tables = map[string]string{}
	tablePaths := map[string]string{}
	for _, sn := range v.cfg.SourceNames() {
		s := v.cfg.Sources[sn]
		p := childPath("sources", sn)
		v.name(p, "source", sn)
		if !v.oneOf(p+".type", s.Type, SourceCSV, SourcePostgres, SourceParquet) {
			continue
		}
		if s.Type == SourceParquet {
			v.errf(p+".type", "parquet sources are not extracted yet; export the tables as CSV or read them from PostgreSQL")
		}
		dirOK := false
		switch s.Type {
		case SourceCSV, SourceParquet:
			if s.Dir == "" {
				v.errf(p+".dir", "missing; name the directory holding the %s files", s.Type)
			} else {
				s.Dir, dirOK = v.dir(p+".dir", "directory", s.Dir, v.cfg.Dir)
			}
			v.notFor(p+".dsn_env", "postgres sources")
			if s.Type == SourceCSV {
				v.extractSource(p, s)
				v.presetSource(p, s)
				if s.Delimiter != "auto" && !singleRune(s.Delimiter) || s.Delimiter != "auto" && strings.ContainsAny(s.Delimiter, "\"\r\n") {
					v.errf(p+".delimiter", "want one character other than a quote or newline, got %q", s.Delimiter)
				}
			} else {
				v.notFor(p+".encoding", "csv sources")
				v.notFor(p+".delimiter", "csv sources")
				v.notFor(p+".preset", "csv sources")
			}
		case SourcePostgres:
			if s.DSNEnv == "" {
				v.errf(p+".dsn_env", "missing; name the environment variable holding the connection string")
			} else {
				v.envName(p+".dsn_env", s.DSNEnv)
			}
			for _, k := range []string{"dir", "encoding", "delimiter", "preset"} {
				v.notFor(p+"."+k, "csv and parquet sources")
			}
		}
		if len(s.Tables) == 0 {
			v.errf(p+".tables", "a source needs at least one table")
		}
		for _, tn := range sortedKeys(s.Tables) {
			t := s.Tables[tn]
			tp := childPath(p+".tables", tn)
			v.name(tp, "table", tn)
			if other, dup := v.tables[tn]; dup {
				pos := v.locate(tablePaths[tn])
				v.errf(tp, "table %q is also defined in source %q (line %d); table names must be unique", tn, other, pos.line)
			} else {
				v.tables[tn] = sn
				tablePaths[tn] = tp
			}
			switch s.Type {
			case SourceCSV, SourceParquet:
				v.notFor(tp+".query", "postgres sources")
				v.notFor(tp+".table", "postgres sources")
				if t.File == "" {
					v.errf(tp+".file", "must not be empty")
				} else if dirOK {
					t.File = v.file(tp+".file", "file", t.File, s.Dir)
				} else {
					t.File = abs(s.Dir, t.File)
				}
			case SourcePostgres:
				v.notFor(tp+".file", "csv and parquet sources")
				switch {
				case t.Query != "" && t.Table != "":
					v.errf(tp, "set only one of query and table")
				case t.Query == "" && t.Table == "":
					v.errf(tp, "set one of query (a SELECT) or table ([schema.]name)")
				}
			}
			for _, cn := range sortedKeys(t.Columns) {
				if strings.TrimSpace(cn) == "" {
					v.errf(childPath(tp+".columns", cn), "empty column name")
				}
			}
		}
	}
}

func (v *validator) snapshot() {
	s := v.cfg.Snapshot
	if s.MaxRowsPerFile < 1 {
		v.errf("snapshot.max_rows_per_file", "must be at least 1")
	}
	if s.KeepLast < 1 {
		v.errf("snapshot.keep_last", "must be at least 1")
	}
}

func (v *validator) knownTable(path, table string) {
	if _, ok := v.tables[table]; !ok {
		v.errf(path, "unknown table %q%s", table, v.tableList())
	}
}

func (v *validator) tableList() string {
	if len(v.tables) == 0 {
		return " (no source defines any table)"
	}
	return "; tables: " + strings.Join(sortedKeys(v.tables), ", ")
}

func (v *validator) classify() {
	c := &v.cfg.Classify
	if c.SampleSize < 1 {
		v.errf("classify.sample_size", "must be at least 1")
	}
	if c.ReviewBelow < 0 || c.ReviewBelow > 1 {
		v.errf("classify.review_below", "must be between 0 and 1")
	}
	if c.PhoneRegion != "" {
		c.PhoneRegion = strings.ToUpper(strings.TrimSpace(c.PhoneRegion))
		if !rules.KnownPhoneRegion(c.PhoneRegion) {
			v.errf("classify.phone_region", "%q is not a region with telephone numbering (ISO 3166-1 alpha-2, e.g. CN, US, GB)", c.PhoneRegion)
		}
	}
	for i, rp := range c.RulePacks {
		p := indexPath("classify.rule_packs", i)
		if rp == "" {
			v.errf(p, "must not be empty")
			continue
		}
		c.RulePacks[i] = v.file(p, "rule pack", rp, v.cfg.Dir)
	}
	for _, key := range sortedKeys(c.Overrides) {
		p := childPath("classify.overrides", key)
		table, col, ok := strings.Cut(key, ".")
		if !ok || table == "" || col == "" {
			v.errf(p, "key %q must be table.column", key)
		} else {
			v.knownTable(p, table)
		}
		class := c.Overrides[key]
		switch {
		case class == "":
			v.errf(p, "missing class; name a data class, or none")
		case class != "none" && !v.knownClass(class):
			v.errf(p, "unknown data class %q", class)
		}
	}
}

// knownClass reports whether class is one of the caller's known classes
// (any class when the caller gave none).
func (v *validator) knownClass(class string) bool {
	if v.opts.KnownClasses == nil && v.opts.KnownClassesFunc != nil {
		v.opts.KnownClasses = v.opts.KnownClassesFunc()
		v.opts.KnownClassesFunc = nil
	}
	return v.opts.KnownClasses == nil || slices.Contains(v.opts.KnownClasses, class)
}

func (v *validator) protect() {
	pr := &v.cfg.Protect
	v.oneOf("protect.unclassified", pr.Unclassified, "withhold", "drop", "pass")
	v.protectRelease()
	for _, tn := range sortedKeys(pr.Tables) {
		t := pr.Tables[tn]
		tp := childPath("protect.tables", tn)
		v.knownTable(tp, tn)
		for _, cn := range sortedKeys(t.Columns) {
			v.column(childPath(tp+".columns", cn), t.Columns[cn])
		}
		v.columnList(tp+".quasi_identifiers", t.QuasiIdentifiers)
		v.columnList(tp+".sensitive", t.Sensitive)
		for i, qi := range t.QuasiIdentifiers {
			if slices.Contains(t.Sensitive, qi) {
				v.errf(indexPath(tp+".quasi_identifiers", i), "column %q is listed both as quasi-identifier and as sensitive", qi)
			}
			if cp := t.Columns[qi]; cp != nil && cp.Method == MethodDrop {
				v.errf(indexPath(tp+".quasi_identifiers", i), "column %q is dropped, so it cannot be a quasi-identifier", qi)
			}
		}
		switch {
		case len(t.QuasiIdentifiers) > 0 && t.K < 2:
			v.errf(tp+".k", "must be at least 2 when quasi_identifiers are listed")
		case t.K != 0 && t.K < 2:
			v.errf(tp+".k", "must be 0 (off) or at least 2")
		}
		switch {
		case t.L < 0 || t.L == 1:
			v.errf(tp+".l", "must be 0 (off) or at least 2")
		case t.L >= 2 && len(t.Sensitive) == 0:
			v.errf(tp+".l", "l-diversity needs sensitive columns")
		}
		if t.Suppression < 0 || t.Suppression > 1 {
			v.errf(tp+".suppression", "must be a fraction in [0, 1]")
		}
		v.oneOf(tp+".metric", t.Metric, "loss", "entropy", "entropy-monotonic", "discernibility", "discernibility-monotonic", "aecs")
		v.oneOf(tp+".l_model", t.LModel, "distinct", "entropy")
		v.oneOf(tp+".algorithm", t.Algorithm, "optimal", "mondrian")
		if t.T < 0 || t.T > 1 {
			v.errf(tp+".t", "must be in (0, 1], 0 = off")
		}
		if t.T > 0 && len(t.Sensitive) == 0 {
			v.errf(tp+".t", "t-closeness needs sensitive columns")
		}
		v.oneOf(tp+".t_model", t.TModel, "", "equal", "hierarchical")
		if t.TModel == "hierarchical" && t.THierarchy == "" {
			v.errf(tp+".t_hierarchy", "hierarchical t-closeness needs the sensitive column's hierarchy CSV")
		}
		if t.THierarchy != "" {
			t.THierarchy = v.file(tp+".t_hierarchy", "hierarchy", t.THierarchy, v.cfg.Dir)
		}
		if t.Population != "" {
			t.Population = v.file(tp+".population", "population table", t.Population, v.cfg.Dir)
		}
		if t.MaxJournalistRisk < 0 || t.MaxJournalistRisk > 1 {
			v.errf(tp+".max_journalist_risk", "must be in (0, 1], 0 = off")
		}
		if t.MaxMarketerRisk < 0 || t.MaxMarketerRisk > 1 {
			v.errf(tp+".max_marketer_risk", "must be in (0, 1], 0 = off")
		}
	}
}

func (v *validator) columnList(path string, cols []string) {
	seen := map[string]bool{}
	for i, c := range cols {
		switch {
		case strings.TrimSpace(c) == "":
			v.errf(indexPath(path, i), "empty column name")
		case seen[c]:
			v.errf(indexPath(path, i), "column %q is listed twice", c)
		}
		seen[c] = true
	}
}

func (v *validator) column(p string, c *ColumnProtection) {
	if !v.oneOf(p+".method", c.Method, MethodKeep, MethodDrop, MethodMask, MethodPseudonym, MethodGeneralize, MethodRedact) {
		return
	}
	if c.Method != MethodMask {
		for _, k := range []string{"keep_prefix", "keep_suffix", "mask_char"} {
			v.notFor(p+"."+k, "method mask")
		}
	}
	if c.Method != MethodGeneralize {
		for _, k := range []string{"hierarchy", "hierarchy_delimiter", "interval", "date_part"} {
			v.notFor(p+"."+k, "method generalize")
		}
	}
	if c.Method != MethodRedact {
		v.notFor(p+".value", "method redact")
	}
	switch c.Method {
	case MethodMask:
		if c.KeepPrefix < 0 {
			v.errf(p+".keep_prefix", "must not be negative")
		}
		if c.KeepSuffix < 0 {
			v.errf(p+".keep_suffix", "must not be negative")
		}
		if !singleRune(c.MaskChar) {
			v.errf(p+".mask_char", "want one character, got %q", c.MaskChar)
		}
	case MethodGeneralize:
		n := 0
		for _, k := range []string{"hierarchy", "interval", "date_part"} {
			if v.present(p + "." + k) {
				n++
			}
		}
		if n != 1 {
			v.errf(p, "generalize needs exactly one of hierarchy (a CSV file), interval (a bucket width) or date_part (year, month or day)")
		}
		if v.present(p + ".hierarchy") {
			if c.Hierarchy == "" {
				v.errf(p+".hierarchy", "must not be empty")
			} else {
				c.Hierarchy = v.file(p+".hierarchy", "hierarchy", c.Hierarchy, v.cfg.Dir)
			}
			if !singleRune(c.HierarchyDelimiter) {
				v.errf(p+".hierarchy_delimiter", "want one character, got %q", c.HierarchyDelimiter)
			}
		} else {
			v.notFor(p+".hierarchy_delimiter", "generalization by hierarchy")
		}
		if v.present(p+".interval") && c.Interval <= 0 {
			v.errf(p+".interval", "must be greater than 0")
		}
		if v.present(p + ".date_part") {
			v.oneOf(p+".date_part", c.DatePart, "year", "month", "day")
		}
	}
}

func (v *validator) verify(p string, vc *VerifyConfig) {
	if vc.Share <= 0 || vc.Share > 1 {
		v.errf(p+".share", "must be a fraction in (0, 1]")
	}
	for i, t := range vc.Tables {
		v.knownTable(indexPath(p+".tables", i), t)
	}
	if vc.Sample != "" {
		if _, err := ParseSample(vc.Sample); err != nil {
			v.errf(p+".sample", "%v", err)
		}
	}
	if d, err := ParseSpan(vc.Window); err != nil {
		v.errf(p+".window", "%v", err)
	} else if vc.Window != "" && d < 24*time.Hour {
		v.errf(p+".window", "must be at least 1d")
	}
}

func (v *validator) backup() {
	for _, name := range sortedKeys(v.cfg.Backup.Targets) {
		t := v.cfg.Backup.Targets[name]
		p := childPath("backup.targets", name)
		v.name(p, "backup target", name)
		if !v.oneOf(p+".type", t.Type, "dir", "s3") {
			continue
		}
		s3Keys := []string{"endpoint", "bucket", "prefix", "region", "access_key_env", "secret_key_env", "path_style", "ca_file"}
		switch t.Type {
		case "dir":
			for _, k := range s3Keys {
				v.notFor(p+"."+k, "s3 targets")
			}
			if t.Path == "" {
				v.errf(p+".path", "missing; name the backup directory")
			}
			t.Path = abs(v.cfg.Dir, t.Path)
		case "s3":
			v.notFor(p+".path", "dir targets")
			if u, err := url.Parse(t.Endpoint); t.Endpoint == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				v.errf(p+".endpoint", "want an http:// or https:// URL")
			}
			if t.Bucket == "" {
				v.errf(p+".bucket", "missing")
			}
			if t.AccessKeyEnv == "" {
				v.errf(p+".access_key_env", "missing; name the variable holding the access key id")
			} else {
				v.envName(p+".access_key_env", t.AccessKeyEnv)
			}
			if t.SecretKeyEnv == "" {
				v.errf(p+".secret_key_env", "missing; name the variable holding the secret key")
			} else {
				v.envName(p+".secret_key_env", t.SecretKeyEnv)
			}
			if t.CAFile != "" {
				t.CAFile = abs(v.cfg.Dir, t.CAFile)
				if st, err := os.Stat(t.CAFile); err != nil || st.IsDir() {
					v.errf(p+".ca_file", "cannot read %s: want a PEM file of CA certificates", t.CAFile)
				}
			}
		}
	}
}

func (v *validator) audit() {
	a := &v.cfg.Audit
	builtin := BuiltinMappings()
	for _, name := range sortedKeys(a.Mappings) {
		m := a.Mappings[name]
		p := childPath("audit.mappings", name)
		v.name(p, "mapping", name)
		if slices.Contains(builtin, name) {
			v.errf(p, "%q is a built-in mapping; choose another name", name)
		}
		if m == nil {
			v.errf(p+".fields", "missing; map canonical fields to your log's fields")
			continue
		}
		canon := CanonicalFields()
		for _, f := range sortedKeys(m.Fields) {
			if !slices.Contains(canon, f) {
				v.errf(childPath(p+".fields", f), "unknown canonical field %q; want one of %s", f, strings.Join(canon, ", "))
			} else if m.Fields[f] == "" {
				v.errf(childPath(p+".fields", f), "must name a field of the log")
			}
		}
		if _, ok := m.Fields["time"]; !ok {
			v.errf(p+".fields", "must map time")
		}
		for _, f := range sortedKeys(m.Values) {
			if !slices.Contains(canon, f) {
				v.errf(childPath(p+".values", f), "unknown canonical field %q", f)
			}
		}
	}
	names := map[string]bool{}
	for i := range a.Logs {
		l := &a.Logs[i]
		p := indexPath("audit.logs", i)
		switch {
		case l.Name == "":
			v.errf(p+".name", "missing")
		case names[l.Name]:
			v.errf(p+".name", "log name %q is used twice", l.Name)
		default:
			v.name(p+".name", "log", l.Name)
		}
		names[l.Name] = true
		if l.Path == "" {
			v.errf(p+".path", "missing; a file or glob such as logs/*.jsonl")
		} else if _, err := filepath.Match(l.Path, ""); err != nil {
			v.errf(p+".path", "bad glob %q: %v", l.Path, err)
		}
		l.Path = abs(v.cfg.Dir, l.Path)
		v.oneOf(p+".format", l.Format, "json", "csv")
		if _, custom := a.Mappings[l.Mapping]; !custom && !slices.Contains(builtin, l.Mapping) {
			all := slices.Clone(builtin)
			for _, m := range sortedKeys(a.Mappings) {
				if !slices.Contains(all, m) {
					all = append(all, m)
				}
			}
			v.errf(p+".mapping", "unknown mapping %q; want one of %s", l.Mapping, strings.Join(all, ", "))
		}
	}
	if a.Suppressions != "" {
		a.Suppressions = v.file("audit.suppressions", "suppressions file", a.Suppressions, v.cfg.Dir)
	}
	if a.Out == "" {
		v.errf("audit.out", "must not be empty")
	}
	a.Out = abs(v.cfg.Home, a.Out)
}

// ParseSchedule parses a job schedule: a standard 5-field cron spec, an
// optional CRON_TZ=Zone prefix, or a descriptor such as @daily or @every 1h.
// Specs without a zone run in the config's timezone.
func ParseSchedule(spec string) (s cron.Schedule, err error) {
	spec = strings.TrimSpace(spec)
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		if !strings.Contains(spec, " ") {
			return nil, fmt.Errorf("%q: a time zone prefix must be followed by a schedule", spec)
		}
	}
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("%q: cannot parse schedule", spec)
		}
	}()
	s, err = cron.ParseStandard(spec)
	if err != nil {
		return nil, err
	}
	if e, ok := s.(cron.ConstantDelaySchedule); ok && e.Delay < time.Minute {
		return nil, fmt.Errorf("%q: @every needs at least 1m", spec)
	}
	return s, nil
}

func (v *validator) jobs() {
	c := v.cfg
	if len(c.Jobs) == 0 {
		v.errf("jobs", "define at least one job")
	}
	for _, name := range c.JobNames() {
		j := c.Jobs[name]
		p := childPath("jobs", name)
		v.name(p, "job", name)
		if len(j.Stages) == 0 {
			v.errf(p+".stages", "list at least one stage")
		}
		seen := map[string]bool{}
		for i, s := range j.Stages {
			sp := indexPath(p+".stages", i)
			switch {
			case seen[s]:
				v.errf(sp, "stage %q is listed twice", s)
			case v.opts.KnownStages != nil && !slices.Contains(v.opts.KnownStages, s):
				known := slices.Clone(v.opts.KnownStages)
				sort.Strings(known)
				v.errf(sp, "unknown stage %q; want one of %s", s, strings.Join(known, ", "))
			case v.opts.KnownStages == nil:
				v.name(sp, "stage", s)
			}
			seen[s] = true
		}
		if j.Schedule != "" {
			sched, err := ParseSchedule(j.Schedule)
			if err != nil {
				v.errf(p+".schedule", "invalid schedule: %v", err)
			} else {
				j.Cron = sched
			}
		} else if j.CatchUp {
			v.errf(p+".catch_up", "catch_up needs a schedule")
		}
		if j.Timeout < 0 {
			v.errf(p+".timeout", "must not be negative")
		}
		if j.StageTimeout < 0 {
			v.errf(p+".stage_timeout", "must not be negative")
		}
		if j.Timeout > 0 && j.StageTimeout > j.Timeout {
			v.errf(p+".stage_timeout", "is longer than the job's timeout %s", j.Timeout)
		}
		r := j.Retries
		if r.Max < 0 || r.Max > 100 {
			v.errf(p+".retries.max", "must be between 0 and 100")
		}
		if r.Max > 0 && r.Backoff <= 0 {
			v.errf(p+".retries.backoff", "must be greater than 0")
		}
		if r.MaxBackoff < r.Backoff {
			v.errf(p+".retries.max_backoff", "must not be shorter than backoff %s", r.Backoff)
		}
		if j.Verify != nil {
			if !slices.Contains(j.Stages, "verify") {
				v.errf(p+".verify", "the job has no verify stage")
			}
			v.verify(p+".verify", j.Verify)
		}
	}
}

func (v *validator) notify() {
	n := &v.cfg.Notify
	if v.present("notify.command") {
		switch {
		case len(n.Command) == 0 || n.Command[0] == "":
			v.errf("notify.command", "name the program to run, then its arguments")
		case strings.ContainsRune(n.Command[0], filepath.Separator):
			n.Command[0] = v.file(indexPath("notify.command", 0), "program", n.Command[0], v.cfg.Dir)
		}
	}
	if n.Webhook != "" {
		if u, err := url.Parse(n.Webhook); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			v.errf("notify.webhook", "want an http:// or https:// URL")
		}
	}
	for i, s := range n.On {
		if !slices.Contains(Statuses(), s) {
			v.errf(indexPath("notify.on", i), "unknown status %q; want one of ok, failed, skipped, interrupted, timeout", s)
		}
	}
	if n.Timeout <= 0 {
		v.errf("notify.timeout", "must be greater than 0")
	}
}
