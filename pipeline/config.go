package pipeline

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/vigil-dg/vigil/rules/detections"
)

// ConfigFormat is the only config format version this package reads.
const ConfigFormat = 1

// Config is a loaded, validated and defaulted vigil.yaml. After Load or Parse
// every path in it is absolute. See Reference for the meaning of each key.
type Config struct {
	Format   int                `yaml:"format"`
	Home     string             `yaml:"home"`
	Timezone string             `yaml:"timezone"`
	Log      LogConfig          `yaml:"log"`
	Keys     KeysConfig         `yaml:"keys"`
	Sources  map[string]*Source `yaml:"sources"`
	Snapshot SnapshotConfig     `yaml:"snapshot"`
	Classify ClassifyConfig     `yaml:"classify"`
	Protect  ProtectConfig      `yaml:"protect"`
	Verify   VerifyConfig       `yaml:"verify"`
	Backup   BackupConfig       `yaml:"backup"`
	Retain   RetentionConfig    `yaml:"retention"`
	Audit    AuditConfig        `yaml:"audit"`
	Report   ReportConfig       `yaml:"report"`
	Jobs     map[string]*Job    `yaml:"jobs"`
	Notify   NotifyConfig       `yaml:"notify"`
	Access   AccessConfig       `yaml:"access"`

	// File is the config file as given to Load or Parse.
	File string `yaml:"-"`
	// Dir is the absolute directory relative paths were resolved against.
	Dir string `yaml:"-"`
	// Location is the loaded Timezone.
	Location *time.Location `yaml:"-"`
}

// LogConfig selects the log level and format.
type LogConfig struct {
	Level  string `yaml:"level"`  // debug | info | warn | error
	Format string `yaml:"format"` // text | json
}

// KeysConfig locates the keyset and the secret that unlocks it. Exactly one of
// PassphraseEnv and KeyFile is set.
type KeysConfig struct {
	Keyset        string `yaml:"keyset"`         // absolute; relative to home in the file
	PassphraseEnv string `yaml:"passphrase_env"` // name of the variable holding the passphrase
	KeyFile       string `yaml:"key_file"`       // absolute; relative to the config dir in the file
}

// Source types.
const (
	SourceCSV      = "csv"
	SourcePostgres = "postgres"
	SourceParquet  = "parquet"
)

// Source is one CRM source.
type Source struct {
	Name      string            `yaml:"-"`
	Type      string            `yaml:"type"`      // csv | postgres | parquet
	Dir       string            `yaml:"dir"`       // csv, parquet: absolute directory
	Encoding  string            `yaml:"encoding"`  // csv: auto or any encoding name (config_extract.go)
	Delimiter string            `yaml:"delimiter"` // csv: one character
	DSNEnv    string            `yaml:"dsn_env"`   // postgres: variable holding the connection string
	Tables    map[string]*Table `yaml:"tables"`

	// Extraction options (config_extract.go).
	MaxRejected string `yaml:"max_rejected"` // default of the tables' max_rejected
	TimeZone    string `yaml:"time_zone"`    // zone of naive timestamps; default: the config's timezone
	Preset      string `yaml:"preset"`       // csv: the CRM export shape of its tables (config_preset.go)
}

// Table is one table of a source.
type Table struct {
	Name    string                `yaml:"-"`
	Source  string                `yaml:"-"`     // name of the owning source
	File    string                `yaml:"file"`  // csv, parquet: absolute path
	Query   string                `yaml:"query"` // postgres: SELECT to run, or
	Table   string                `yaml:"table"` // postgres: [schema.]table to copy
	Columns map[string]ColumnType `yaml:"columns"`

	// Change-only snapshots (config_chain.go).
	Key         []string           `yaml:"key"`         // columns identifying a row
	Incremental *IncrementalConfig `yaml:"incremental"` // postgres with key: read only changed rows
	// Extraction options (config_extract.go).
	MaxRejected string `yaml:"max_rejected"` // rows that may be rejected: a count or a share; default 0.1%
	HeaderRow   int    `yaml:"header_row"`   // csv: 1-based line of the header (title rows above skipped)
	Header      *bool  `yaml:"header"`       // csv: false = the file has no header; columns col1..colN
	Sheet       string `yaml:"sheet"`        // .xlsx: the sheet to read; default the first visible one
	Preset      string `yaml:"preset"`       // csv: the CRM export shape; default the source's (config_preset.go)
	Entry       string `yaml:"entry"`        // .zip file: the CSV inside it; default from the preset, else <table>.csv
}

// ColumnType is a declared column type: string, int64 (alias integer),
// decimal(p,s), bool, date or timestamp.
type ColumnType struct {
	Kind      string // string | int64 | decimal | bool | date | timestamp
	Precision int    // decimal only, 1..38
	Scale     int    // decimal only, 0..Precision
}

// String returns the canonical spelling, e.g. "decimal(12,2)".
func (t ColumnType) String() string {
	if t.Kind == "decimal" {
		return fmt.Sprintf("decimal(%d,%d)", t.Precision, t.Scale)
	}
	return t.Kind
}

// ParseColumnType parses a declared column type.
func ParseColumnType(s string) (ColumnType, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	switch v {
	case "string", "bool", "date", "timestamp", "int64":
		return ColumnType{Kind: v}, nil
	case "integer":
		return ColumnType{Kind: "int64"}, nil
	}
	if rest, ok := strings.CutPrefix(v, "decimal"); ok {
		rest = strings.TrimSpace(rest)
		if !strings.HasPrefix(rest, "(") || !strings.HasSuffix(rest, ")") {
			return ColumnType{}, fmt.Errorf("type %q: want decimal(precision,scale), e.g. decimal(12,2)", s)
		}
		p, sc, ok := strings.Cut(rest[1:len(rest)-1], ",")
		if !ok {
			return ColumnType{}, fmt.Errorf("type %q: want decimal(precision,scale), e.g. decimal(12,2)", s)
		}
		prec, err1 := strconv.Atoi(strings.TrimSpace(p))
		scale, err2 := strconv.Atoi(strings.TrimSpace(sc))
		if err1 != nil || err2 != nil {
			return ColumnType{}, fmt.Errorf("type %q: precision and scale must be integers", s)
		}
		if prec < 1 || prec > 38 {
			return ColumnType{}, fmt.Errorf("type %q: precision must be 1..38", s)
		}
		if scale < 0 || scale > prec {
			return ColumnType{}, fmt.Errorf("type %q: scale must be 0..precision", s)
		}
		return ColumnType{Kind: "decimal", Precision: prec, Scale: scale}, nil
	}
	return ColumnType{}, fmt.Errorf("unknown type %q (want string, int64, integer, decimal(p,s), bool, date or timestamp)", s)
}

// SnapshotConfig tunes the encrypted snapshot writer and retention.
type SnapshotConfig struct {
	MaxRowsPerFile int64 `yaml:"max_rows_per_file"`
	KeepLast       int   `yaml:"keep_last"` // snapshots kept per table

	Chain ChainConfig `yaml:"chain"` // change-only snapshots (config_chain.go)
}

// ClassifyConfig tunes the classifier.
type ClassifyConfig struct {
	SampleSize  int               `yaml:"sample_size"`
	RulePacks   []string          `yaml:"rule_packs"` // absolute paths of extra rule packs
	Overrides   map[string]string `yaml:"overrides"`  // "table.column" → class name, or "none"
	ReviewBelow float64           `yaml:"review_below"`
	// PhoneRegion is the default region of the data's telephone numbers
	// (ISO 3166-1 alpha-2, e.g. CN): its national forms are tried first and
	// its mobile numbers count without their leading zero.
	PhoneRegion string `yaml:"phone_region"`
}

// ProtectConfig is the protection policy.
type ProtectConfig struct {
	Unclassified   string                      `yaml:"unclassified"` // withhold (default) | drop | pass
	Tables         map[string]*TableProtection `yaml:"tables"`
	PseudonymScope string                      `yaml:"pseudonym_scope"` // dataset (default) | night | global
}

// TableProtection is the policy of one table.
type TableProtection struct {
	Columns          map[string]*ColumnProtection `yaml:"columns"`
	QuasiIdentifiers []string                     `yaml:"quasi_identifiers"`
	Sensitive        []string                     `yaml:"sensitive"`
	K                int                          `yaml:"k"`
	L                int                          `yaml:"l"`
	Suppression      float64                      `yaml:"suppression"`
	Metric           string                       `yaml:"metric"`    // loss | entropy | entropy-monotonic | discernibility | discernibility-monotonic | aecs
	LModel           string                       `yaml:"l_model"`   // distinct | entropy
	Algorithm        string                       `yaml:"algorithm"` // optimal (full-domain lattice search) | mondrian (multidimensional)
	GSFactor         *float64                     `yaml:"gs_factor"` // Loss metric generalization/suppression factor in [0,1], default 0.5 (ARX)
	T                float64                      `yaml:"t"`         // t-closeness of the first sensitive column, 0 = off
	TModel           string                       `yaml:"t_model"`   // equal (default) | hierarchical
	THierarchy       string                       `yaml:"t_hierarchy"`
	// Risk bounds as privacy models (0 = off): highest journalist risk
	// (1/smallest class) and average (marketer) risk of released records.
	MaxJournalistRisk float64 `yaml:"max_journalist_risk"`
	MaxMarketerRisk   float64 `yaml:"max_marketer_risk"`
	// Population: a CSV (header, ';' or ',') of the population the table
	// is a sample of; journalist and marketer risk are reported against it.
	Population string `yaml:"population"`
}

// Protection methods.
const (
	MethodKeep       = "keep"
	MethodDrop       = "drop"
	MethodMask       = "mask"
	MethodPseudonym  = "pseudonym"
	MethodGeneralize = "generalize"
	MethodRedact     = "redact"
)

// ColumnProtection says how one column is protected.
type ColumnProtection struct {
	Method             string  `yaml:"method"`              // keep | drop | mask | pseudonym | generalize | redact
	KeepPrefix         int     `yaml:"keep_prefix"`         // mask
	KeepSuffix         int     `yaml:"keep_suffix"`         // mask
	MaskChar           string  `yaml:"mask_char"`           // mask: one character, default "*"
	Hierarchy          string  `yaml:"hierarchy"`           // generalize: absolute path of a hierarchy CSV
	HierarchyDelimiter string  `yaml:"hierarchy_delimiter"` // generalize: default ";"
	Interval           float64 `yaml:"interval"`            // generalize: numeric bucket width
	DatePart           string  `yaml:"date_part"`           // generalize: year | month | day
	Value              string  `yaml:"value"`               // redact: replacement text, default "[REDACTED]"
	Reason             string  `yaml:"reason"`              // why: required for keep (raw release) and insensitive
	Insensitive        bool    `yaml:"insensitive"`         // exempt from the disclosure check's class-size test
	MinLevel           *int    `yaml:"min_level"`           // quasi-identifier: lowest generalization level the search may choose
	MaxLevel           *int    `yaml:"max_level"`           // quasi-identifier: highest level (= min_level pins the grain)
}

// VerifyConfig tunes restore drills.
type VerifyConfig struct {
	Share  float64  `yaml:"share"`  // fraction of snapshot files restored, (0,1]
	Tables []string `yaml:"tables"` // limit to these tables; empty = all
	// Sample, when set ("5%"), makes each verify read that share of all
	// snapshots, locally and on every backup target, least recently
	// verified first, plus every snapshot not verified within Window.
	Sample string `yaml:"sample"`
	Window string `yaml:"window"` // every snapshot verified within this span (default 30d)
}

// DefaultVerifyWindow is verify.window when unset.
const DefaultVerifyWindow = "30d"

// SampleShare returns Sample as a fraction (0 when unset or invalid).
func (vc VerifyConfig) SampleShare() float64 {
	f, _ := ParseSample(vc.Sample)
	return f
}

// WindowSpan returns Window as a duration (the default when unset).
func (vc VerifyConfig) WindowSpan() time.Duration {
	w := vc.Window
	if w == "" {
		w = DefaultVerifyWindow
	}
	d, _ := ParseSpan(w)
	return d
}

// ParseSample parses a sample size: a percentage ("5%", "0.5%") or a
// fraction ("0.05"), above 0 and at most 1.
func ParseSample(s string) (float64, error) {
	t := strings.TrimSpace(s)
	pct := strings.HasSuffix(t, "%")
	f, err := strconv.ParseFloat(strings.TrimSuffix(t, "%"), 64)
	if err == nil && pct {
		f /= 100
	}
	if err != nil || math.IsNaN(f) || f <= 0 || f > 1 {
		return 0, fmt.Errorf("sample %q: want a share of the snapshots above 0%% and at most 100%%, such as 5%%", s)
	}
	return f, nil
}

// BackupConfig lists off-site copies of the store.
type BackupConfig struct {
	Targets map[string]*BackupTarget `yaml:"targets"`
}

// BackupTarget is one backup destination.
type BackupTarget struct {
	Name         string `yaml:"-"`
	Type         string `yaml:"type"`           // dir | s3
	Path         string `yaml:"path"`           // dir: absolute
	Endpoint     string `yaml:"endpoint"`       // s3: URL
	Bucket       string `yaml:"bucket"`         // s3
	Prefix       string `yaml:"prefix"`         // s3
	Region       string `yaml:"region"`         // s3
	AccessKeyEnv string `yaml:"access_key_env"` // s3
	SecretKeyEnv string `yaml:"secret_key_env"` // s3
	PathStyle    bool   `yaml:"path_style"`     // s3
	CAFile       string `yaml:"ca_file"`        // s3: PEM file of a private CA to trust besides the system's
}

// AuditConfig configures compliance audits over access logs.
type AuditConfig struct {
	Logs         []LogSource         `yaml:"logs"`
	Mappings     map[string]*Mapping `yaml:"mappings"`
	Suppressions string              `yaml:"suppressions"` // absolute path, or empty
	Out          string              `yaml:"out"`          // absolute; relative to home in the file
	FailOn       string              `yaml:"fail_on"`      // open findings at or above this severity fail the audit stage
}

// LogSource is one set of access-log files.
type LogSource struct {
	Name    string `yaml:"name"`
	Path    string `yaml:"path"`    // absolute glob
	Format  string `yaml:"format"`  // json | csv
	Mapping string `yaml:"mapping"` // auto | a built-in (BuiltinMappings) | a key of audit.mappings
}

// BuiltinMappings are the log mappings that need no audit.mappings entry.
func BuiltinMappings() []string { return builtinLogMappings }

// CanonicalFields are the fields of Vigil's canonical access event that a
// mapping may fill: the columns of the audit's events table
// (rules/detections.EventColumns) but those the engine sets itself.
func CanonicalFields() []string {
	var out []string
	for _, c := range detections.EventColumns {
		if c.Name != "event_id" && c.Name != "source" {
			out = append(out, c.Name)
		}
	}
	return out
}

// Mapping maps a foreign log shape onto the canonical event.
type Mapping struct {
	Fields     map[string]string            `yaml:"fields"`      // canonical field → source field
	Values     map[string]map[string]string `yaml:"values"`      // canonical field → source value → canonical value
	TimeFormat string                       `yaml:"time_format"` // iso8601 (default) | unix | unix_ms | a strptime format
	TimeZone   string                       `yaml:"time_zone"`   // zone of times without an offset; default UTC
	Delimiter  string                       `yaml:"delimiter"`   // csv: one character; default detected
	Columns    map[string]string            `yaml:"columns"`     // json: DuckDB type of a source column
}

// Job is a named, optionally scheduled list of stages.
type Job struct {
	Name         string        `yaml:"-"`
	Schedule     string        `yaml:"schedule"` // robfig/cron standard spec; empty = manual only
	Stages       []string      `yaml:"stages"`
	CatchUp      bool          `yaml:"catch_up"`
	Timeout      time.Duration `yaml:"timeout"`       // whole run; 0 = none
	StageTimeout time.Duration `yaml:"stage_timeout"` // each stage attempt; 0 = none
	Retries      Retries       `yaml:"retries"`
	Verify       *VerifyConfig `yaml:"verify"` // overrides the top-level verify section

	// Cron is the parsed Schedule, nil when Schedule is empty.
	Cron cron.Schedule `yaml:"-"`
}

// Retries says how transient stage failures are retried.
type Retries struct {
	Max        int           `yaml:"max"`
	Backoff    time.Duration `yaml:"backoff"`
	MaxBackoff time.Duration `yaml:"max_backoff"`
}

// NotifyConfig says whom to tell when a run does not end ok.
type NotifyConfig struct {
	Command []string      `yaml:"command"` // argv, run without a shell
	Webhook string        `yaml:"webhook"` // URL receiving a JSON POST
	On      []RunStatus   `yaml:"on"`      // statuses that notify
	Timeout time.Duration `yaml:"timeout"`
}

// LoadOptions tell Load what the caller can run.
type LoadOptions struct {
	// KnownStages are the stage names the caller can build. Nil accepts any
	// well-formed name.
	KnownStages []string
	// KnownClasses are the data classes of the loaded rule packs, for
	// classify.overrides. Nil leaves class names unchecked.
	KnownClasses []string
	// KnownClassesFunc, when KnownClasses is nil, gives them only once a
	// config names a class: listing the rule packs' classes means loading
	// the packs, which most commands never need.
	KnownClassesFunc func() []string
	// SkipFileChecks skips checking that referenced files and directories
	// exist.
	SkipFileChecks bool
}

// Load reads, decodes, defaults and validates a config file. Every problem is
// reported in one *ConfigError.
func Load(path string, opts LoadOptions) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &ConfigError{Problems: []Problem{{File: path, Msg: fmt.Sprintf("cannot read: %v", unwrapPathError(err))}}}
	}
	if err := checkConfigFile(path); err != nil {
		return nil, err
	}
	return Parse(path, data, opts)
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// Parse decodes, defaults and validates config data. name is used in error
// messages and its directory is the base of relative paths.
func Parse(name string, data []byte, opts LoadOptions) (*Config, error) {
	dir, err := filepath.Abs(filepath.Dir(name))
	if err != nil {
		return nil, &ConfigError{Problems: []Problem{{File: name, Msg: err.Error()}}}
	}
	d := newDecoder(name)
	cfg := &Config{}
	d.decodeDocument(data, cfg)
	if len(d.problems) > 0 && d.fatal {
		e := &ConfigError{Problems: d.problems}
		e.sort()
		return nil, e
	}
	cfg.File = name
	cfg.Dir = dir
	applyDefaults(cfg, d.present)
	v := &validator{d: d, cfg: cfg, opts: opts}
	v.validate()
	if len(d.problems) > 0 {
		e := &ConfigError{Problems: d.problems}
		e.sort()
		return nil, e
	}
	return cfg, nil
}

// Defaults.
const (
	DefaultHome           = "vigil-home"
	DefaultKeyset         = "keys/keyset.json"
	DefaultMaxRowsPerFile = 1_000_000
	DefaultKeepLast       = 14
	DefaultSampleSize     = 10_000
	DefaultReviewBelow    = 0.8
	DefaultJobTimeout     = 24 * time.Hour
	DefaultRetries        = 2
	DefaultBackoff        = 30 * time.Second
	DefaultMaxBackoff     = 10 * time.Minute
	DefaultNotifyTimeout  = 30 * time.Second
)

// applyDefaults is the one place defaults are set. present reports whether a
// key path was written in the file, so that an explicit 0 is kept.
func applyDefaults(c *Config, present func(string) bool) {
	def := func(path string, set func()) {
		if !present(path) {
			set()
		}
	}
	def("home", func() { c.Home = DefaultHome })
	def("timezone", func() { c.Timezone = "Local" })
	def("log.level", func() { c.Log.Level = "info" })
	def("log.format", func() { c.Log.Format = "text" })
	def("keys.keyset", func() { c.Keys.Keyset = DefaultKeyset })
	for name, s := range c.Sources {
		if s == nil {
			s = &Source{}
			c.Sources[name] = s
		}
		s.Name = name
		p := childPath("sources", name)
		if s.Type == SourceCSV {
			def(p+".encoding", func() { s.Encoding = presetEncoding(s) })
			def(p+".delimiter", func() { s.Delimiter = "auto" })
		}
		for tn, t := range s.Tables {
			if t == nil {
				t = &Table{}
				s.Tables[tn] = t
			}
			t.Name, t.Source = tn, name
			if s.Type == SourceCSV || s.Type == SourceParquet {
				ext := ".csv"
				if s.Type == SourceParquet {
					ext = ".parquet"
				}
				def(childPath(childPath(p+".tables", tn), "file"), func() { t.File = tn + presetExt(s, t, ext) })
			}
		}
	}
	def("snapshot.max_rows_per_file", func() { c.Snapshot.MaxRowsPerFile = DefaultMaxRowsPerFile })
	def("snapshot.keep_last", func() { c.Snapshot.KeepLast = DefaultKeepLast })
	def("classify.sample_size", func() { c.Classify.SampleSize = DefaultSampleSize })
	def("classify.review_below", func() { c.Classify.ReviewBelow = DefaultReviewBelow })
	def("protect.unclassified", func() { c.Protect.Unclassified = "withhold" })
	def("protect.pseudonym_scope", func() { c.Protect.PseudonymScope = "dataset" })
	for tn, t := range c.Protect.Tables {
		if t == nil {
			t = &TableProtection{}
			c.Protect.Tables[tn] = t
		}
		p := childPath("protect.tables", tn)
		def(p+".metric", func() { t.Metric = "loss" })
		def(p+".l_model", func() { t.LModel = "distinct" })
		def(p+".algorithm", func() { t.Algorithm = "optimal" })
		for cn, col := range t.Columns {
			if col == nil {
				col = &ColumnProtection{}
				t.Columns[cn] = col
			}
			cp := childPath(p+".columns", cn)
			switch col.Method {
			case MethodMask:
				def(cp+".mask_char", func() { col.MaskChar = "*" })
			case MethodRedact:
				def(cp+".value", func() { col.Value = "[REDACTED]" })
			case MethodGeneralize:
				if col.Hierarchy != "" {
					def(cp+".hierarchy_delimiter", func() { col.HierarchyDelimiter = ";" })
				}
			}
		}
	}
	def("verify.share", func() { c.Verify.Share = 1 })
	def("verify.window", func() { c.Verify.Window = DefaultVerifyWindow })
	for name, t := range c.Backup.Targets {
		if t == nil {
			t = &BackupTarget{}
			c.Backup.Targets[name] = t
		}
		t.Name = name
	}
	def("audit.out", func() { c.Audit.Out = "reports" })
	for i := range c.Audit.Logs {
		def(fmt.Sprintf("audit.logs[%d].format", i), func() { c.Audit.Logs[i].Format = "json" })
		def(fmt.Sprintf("audit.logs[%d].mapping", i), func() { c.Audit.Logs[i].Mapping = "auto" })
	}
	for name, j := range c.Jobs {
		if j == nil {
			j = &Job{}
			c.Jobs[name] = j
		}
		j.Name = name
		p := childPath("jobs", name)
		def(p+".timeout", func() { j.Timeout = DefaultJobTimeout })
		def(p+".retries.max", func() { j.Retries.Max = DefaultRetries })
		def(p+".retries.backoff", func() { j.Retries.Backoff = DefaultBackoff })
		def(p+".retries.max_backoff", func() { j.Retries.MaxBackoff = DefaultMaxBackoff })
		if j.Verify != nil {
			def(p+".verify.share", func() { j.Verify.Share = c.Verify.Share })
			def(p+".verify.tables", func() { j.Verify.Tables = c.Verify.Tables })
			def(p+".verify.sample", func() { j.Verify.Sample = c.Verify.Sample })
			def(p+".verify.window", func() { j.Verify.Window = c.Verify.Window })
		}
	}
	def("notify.on", func() { c.Notify.On = []RunStatus{StatusFailed, StatusTimeout, StatusInterrupted} })
	def("notify.timeout", func() { c.Notify.Timeout = DefaultNotifyTimeout })
}

// JobNames returns the job names, sorted.
func (c *Config) JobNames() []string { return sortedKeys(c.Jobs) }

// SourceNames returns the source names, sorted.
func (c *Config) SourceNames() []string { return sortedKeys(c.Sources) }

// Tables returns every table of every source, sorted by name. Table names are
// unique across sources.
func (c *Config) Tables() []*Table {
	var out []*Table
	for _, s := range c.Sources {
		for _, t := range s.Tables {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// VerifyFor returns the verify settings of a job: its own section if it has
// one, else the top-level one.
func (c *Config) VerifyFor(job string) VerifyConfig {
	if j := c.Jobs[job]; j != nil && j.Verify != nil {
		return *j.Verify
	}
	return c.Verify
}

// Paths is the layout of the home directory.
type Paths struct {
	Home     string // root of all state
	Store    string // encrypted snapshots
	Datasets string // anonymized analyst datasets
	Ledger   string // run ledger directory (runs.jsonl)
	Reports  string // audit reports (audit.out)
	Locks    string // lock files
	Metrics  string // Prometheus textfile (vigil.prom)
	Keyset   string // encrypted keyset
}

// Paths returns the home layout.
func (c *Config) Paths() Paths { return HomePaths(c.Home, c) }

// HomePaths returns the layout of home; cfg may be nil (default reports and
// keyset locations).
func HomePaths(home string, cfg *Config) Paths {
	p := Paths{
		Home:     home,
		Store:    filepath.Join(home, "store"),
		Datasets: filepath.Join(home, "datasets"),
		Ledger:   filepath.Join(home, "ledger"),
		Reports:  filepath.Join(home, "reports"),
		Locks:    filepath.Join(home, "locks"),
		Metrics:  filepath.Join(home, "metrics"),
		Keyset:   filepath.Join(home, DefaultKeyset),
	}
	if cfg != nil {
		if cfg.Audit.Out != "" {
			p.Reports = cfg.Audit.Out
		}
		if cfg.Keys.Keyset != "" {
			p.Keyset = cfg.Keys.Keyset
		}
		if cfg.Access.MetricsDir != "" {
			p.Metrics = cfg.Access.MetricsDir
		}
	}
	return p
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
