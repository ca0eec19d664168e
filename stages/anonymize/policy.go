package anonymize

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/vigil-dg/vigil/rules"
)

// ColumnClass is what classification found for a column.
type ColumnClass struct {
	ID       string            // class id, e.g. "cn_mobile"; empty or rules.ClassNone when unclassified
	Category rules.Category    // category of the class
	Default  *rules.Protection // the class's default protection from its rule pack, if any
}

// personal reports whether the class is personal data.
func (c ColumnClass) personal() bool {
	return c.Category != "" && c.Category != rules.CategoryNone && c.ID != rules.ClassNone
}

// Method is a protection method.
type Method string

// Protection methods.
// The names are those of rules.Protection; "pass" is accepted for keep.
const (
	MethodKeep       Method = "keep"       // pass the value unchanged (an explicit decision)
	MethodDrop       Method = "drop"       // remove the column
	MethodRedact     Method = "redact"     // replace every value by a constant
	MethodMask       Method = "mask"       // partial mask keeping a prefix/suffix
	MethodPseudonym  Method = "pseudonym"  // keyed, deterministic token
	MethodGeneralize Method = "generalize" // hierarchy level, numeric band or date part
	MethodBucket     Method = "bucket"     // numeric bands of Interval width
	MethodDateShift  Method = "date_shift" // date shifted by a per-subject offset
)

// FromRule converts a rule pack's default protection. Generalize defaults
// need a hierarchy: hierarchy (may be nil) is used, else one is chosen from
// the class id (dates, ages, postal codes).
func FromRule(rp rules.Protection, classID string, hierarchy Hierarchy) Protection {
	p := Protection{Method: Method(rp.Method)}
	switch rp.Method {
	case rules.ProtectPass:
		p.Method = MethodKeep
	case rules.ProtectMask:
		p.KeepPrefix, p.KeepSuffix = rp.Params["keep_prefix"], rp.Params["keep_suffix"]
	case rules.ProtectGeneralize:
		p.Level = rp.Params["level"]
		p.Hierarchy = hierarchy
		if p.Hierarchy == nil {
			p.Hierarchy, p.HierarchyName = builtinHierarchy(classID)
		}
	case rules.ProtectBucket:
		p.Interval = float64(rp.Params["width"])
	case rules.ProtectDateShift:
		p.MaxShiftDays = rp.Params["max_days"]
	}
	return p
}

// HierarchyName describes a hierarchy for _vigil.json.
func HierarchyName(h Hierarchy) string {
	switch x := h.(type) {
	case *TableHierarchy:
		return x.Name()
	case IntervalHierarchy:
		parts := make([]string, len(x.Widths))
		for i, w := range x.Widths {
			parts[i] = strconv.FormatFloat(w, 'g', -1, 64)
		}
		return "intervals " + strings.Join(parts, "/")
	case DateHierarchy:
		return "date (month, year, decade)"
	case PrefixHierarchy:
		return fmt.Sprintf("prefix (up to %d characters masked)", x.MaxMasked)
	case nil:
		return ""
	}
	return fmt.Sprintf("%T", h)
}

// builtinHierarchy guesses a hierarchy from a class id.
func builtinHierarchy(classID string) (Hierarchy, string) {
	id := strings.ToLower(classID)
	switch {
	case strings.Contains(id, "date") || strings.Contains(id, "birth"):
		return DateHierarchy{}, "date"
	case strings.Contains(id, "age"):
		return AgeBands(), "age bands 5/10/20"
	case strings.Contains(id, "postal") || strings.Contains(id, "postcode") || strings.Contains(id, "zip"):
		return PrefixHierarchy{MaxMasked: 5}, "prefix"
	}
	return nil, ""
}

// Protection says how one column is protected.
type Protection struct {
	Method Method `json:"method"`

	// mask
	KeepPrefix int    `json:"keep_prefix,omitempty"`
	KeepSuffix int    `json:"keep_suffix,omitempty"`
	MaskChar   string `json:"mask_char,omitempty"` // default "*"
	Email      bool   `json:"email,omitempty"`     // mask the local part only, keep the domain

	// pseudonym
	Domain      string `json:"domain,omitempty"`       // token domain (label); default class id, else column name
	Encoding    string `json:"encoding,omitempty"`     // base32 (default) or hex
	Prefix      string `json:"prefix,omitempty"`       // default "tok_"
	TokenBytes  int    `json:"token_bytes,omitempty"`  // bytes of the token encoded, default 16
	Format      string `json:"format,omitempty"`       // format-preserving: digits | cn_mobile | cn_id | card
	FixedPrefix int    `json:"fixed_prefix,omitempty"` // format-preserving: leading characters kept

	// generalize
	Hierarchy Hierarchy `json:"-"`
	// HierarchyName describes the hierarchy in _vigil.json (e.g. the file).
	HierarchyName string  `json:"hierarchy,omitempty"`
	Level         int     `json:"level,omitempty"`     // fixed level (not a quasi-identifier); default 1
	Interval      float64 `json:"interval,omitempty"`  // numeric band width
	DatePart      string  `json:"date_part,omitempty"` // year | month | day

	// shift_date
	SubjectColumn string `json:"subject_column,omitempty"`
	MaxShiftDays  int    `json:"max_shift_days,omitempty"` // default 365

	// redact
	Value string `json:"value,omitempty"` // default "[REDACTED]"

	// Reason records why a column is released raw (keep) or declared
	// insensitive; both need one.
	Reason string `json:"reason,omitempty"`
	// Insensitive exempts the column from the disclosure check's class-size
	// test (ARX's insensitive attribute). It never exempts it from the
	// identifier match.
	Insensitive bool `json:"insensitive,omitempty"`
	// MinLevel and MaxLevel bound the generalization level the privacy
	// search may choose for a quasi-identifier (equal = pinned grain).
	MinLevel *int `json:"min_level,omitempty"`
	MaxLevel *int `json:"max_level,omitempty"`
	// Scope of pseudonym tokens: dataset, night or global (see PseudonymScope).
	Scope PseudonymScope `json:"scope,omitempty"`
}

// PseudonymScope says across what pseudonym tokens link.
type PseudonymScope string

// Pseudonym scopes. The zero value is ScopeDataset.
const (
	// ScopeDataset: tokens are stable across nights for one table but
	// differ between tables, so datasets cannot be joined on them.
	ScopeDataset PseudonymScope = "dataset"
	// ScopeNight: every table of one night shares tokens (joins work
	// within a night); the next night gives new tokens, so nobody can
	// follow a person from night to night.
	ScopeNight PseudonymScope = "night"
	// ScopeGlobal: the same value gives the same token in every table
	// and every night (joins across tables and nights; most linkable).
	ScopeGlobal PseudonymScope = "global"
)

// Unclassified is what happens to columns without personal-data class.
type Unclassified string

// Unclassified column handling. The zero value withholds (fail closed).
const (
	// UnclassifiedWithhold leaves the column out of the dataset and
	// lists it as "withheld: unreviewed" until a person releases it.
	UnclassifiedWithhold Unclassified = "withhold"
	// UnclassifiedDrop is a synonym of withhold.
	UnclassifiedDrop Unclassified = "drop"
	// UnclassifiedPass releases every unclassified column raw. Each one
	// still goes through the disclosure check.
	UnclassifiedPass Unclassified = "pass"
)

// Column statuses in _vigil.json.
const (
	StatusReleased     = "released"
	StatusWithheld     = "withheld: unreviewed"
	StatusDropped      = "dropped"
	ReleaseHint        = "to release a withheld column, name it in protect.tables.<table>.columns with a method (e.g. {method: keep, reason: \"why it is safe\"})"
	defaultDisclosureK = 5
)

// Policy is the protection policy of one table.
type Policy struct {
	Table        string
	Columns      map[string]Protection // explicit protections, by column
	Unclassified Unclassified          // columns without a personal-data class: withhold (default), drop or pass
	// Hierarchies by column, for generalize protections (class defaults
	// and quasi-identifiers) that do not carry their own.
	Hierarchies map[string]Hierarchy
	// SubjectColumn identifies the person of a record (e.g. customer_id);
	// date_shift uses it unless the protection names its own.
	SubjectColumn string
	// Privacy configures k-anonymity / l-diversity. QuasiIdentifiers
	// must have a generalize protection (hierarchy, interval or date part);
	// hierarchies come from those protections. Empty = no privacy model.
	Privacy PrivacyOptions
	// PseudonymScope of the tokens (default ScopeDataset) and, for
	// ScopeNight, the night's label (e.g. the run date).
	PseudonymScope PseudonymScope
	NightLabel     string
	// DisclosureK is the smallest class size the disclosure check accepts
	// when the table has no privacy model (default 5); with a model it is
	// the model's k.
	DisclosureK int
}

// columnPlan is the resolved protection of one input column.
type columnPlan struct {
	name    string
	index   int // input field index
	prot    Protection
	class   ColumnClass
	source  string // "policy", "class default" or "unclassified"
	qi      int    // index among quasi-identifiers, or -1
	subject int    // shift_date: input index of the subject column
	status  string // released, withheld: unreviewed, dropped
	note    string // what the policy engine changed (mask capped, joined the search)
	autoQI  bool   // joined the privacy search through its protection
	offset  int    // quasi-identifiers: pinned minimum level
}

// hierarchyFor returns the hierarchy a generalize protection implies.
func hierarchyFor(p Protection) (Hierarchy, string) {
	switch {
	case p.Hierarchy != nil:
		name := p.HierarchyName
		if name == "" {
			name = HierarchyName(p.Hierarchy)
		}
		return p.Hierarchy, name
	case p.Interval > 0:
		return IntervalHierarchy{Widths: []float64{p.Interval, 2 * p.Interval, 4 * p.Interval}},
			fmt.Sprintf("interval %g", p.Interval)
	case p.DatePart != "":
		return DateHierarchy{}, "date"
	}
	return nil, ""
}

// resolve maps every input column to its protection and reports every
// problem: unprotected personal data, unknown columns, bad parameters.
func (pol *Policy) resolve(fields []string, classes map[string]ColumnClass) ([]columnPlan, *PrivacyOptions, error) {
	var errs []error
	table := pol.Table
	bad := func(col, reason string) { errs = append(errs, &PolicyError{Table: table, Column: col, Reason: reason}) }
	pos := map[string]int{}
	for i, f := range fields {
		pos[f] = i
	}
	var unknown []string
	for col := range pol.Columns {
		if _, ok := pos[col]; !ok {
			unknown = append(unknown, col)
		}
	}
	sort.Strings(unknown)
	for _, col := range unknown {
		bad(col, "protection configured for a column the table does not have")
	}
	switch pol.Unclassified {
	case "", UnclassifiedWithhold, UnclassifiedDrop, UnclassifiedPass:
	default:
		bad("", fmt.Sprintf("unclassified must be withhold, drop or pass, not %q", pol.Unclassified))
	}
	switch pol.PseudonymScope {
	case "", ScopeDataset, ScopeNight, ScopeGlobal:
	default:
		bad("", fmt.Sprintf("pseudonym scope must be dataset, night or global, not %q", pol.PseudonymScope))
	}
	if pol.PseudonymScope == ScopeNight && pol.NightLabel == "" {
		bad("", "pseudonym scope night needs the night's label")
	}
	qiIndex := map[string]int{}
	for i, q := range pol.Privacy.QuasiIdentifiers {
		qiIndex[q] = i
		if _, ok := pos[q]; !ok {
			bad(q, "quasi-identifier the table does not have")
		}
	}
	if s := pol.Privacy.Sensitive; s != "" {
		if _, ok := pos[s]; !ok {
			bad(s, "sensitive attribute the table does not have")
		}
	}
	var priv *PrivacyOptions
	if len(pol.Privacy.QuasiIdentifiers) > 0 || pol.Privacy.K >= 2 {
		o := pol.Privacy
		o.Hierarchies = map[string]Hierarchy{}
		for k, v := range pol.Privacy.Hierarchies {
			o.Hierarchies[k] = v
		}
		priv = &o
	}
	plans := make([]columnPlan, 0, len(fields))
	for i, f := range fields {
		cp := columnPlan{name: f, index: i, qi: -1, subject: -1, class: classes[f]}
		if p, ok := pol.Columns[f]; ok {
			cp.prot, cp.source = p, "policy"
			if p.Method == MethodKeep || p.Method == "pass" {
				if strings.TrimSpace(p.Reason) == "" {
					bad(f, "releasing a column raw (keep) needs a reason")
				}
			}
			if msg := maskTooRevealing(cp.class.ID, p); msg != "" {
				bad(f, msg)
			}
		} else if cp.class.personal() {
			if cp.class.Default != nil {
				cp.prot, cp.source = FromRule(*cp.class.Default, cp.class.ID, pol.Hierarchies[f]), "class default"
				cp.note = capMask(cp.class.ID, &cp.prot)
			} else if _, isQI := qiIndex[f]; !isQI {
				errs = append(errs, &UnprotectedColumnError{Table: table, Column: f, Class: cp.class.ID, Category: cp.class.Category})
				continue
			}
		} else {
			cp.source = "unclassified"
			cp.prot.Method = MethodDrop
			cp.status = StatusWithheld
			if pol.Unclassified == UnclassifiedPass {
				cp.prot.Method = MethodKeep
				cp.prot.Reason = "protect.unclassified: pass"
				cp.status = ""
			}
		}
		if cp.prot.Insensitive && strings.TrimSpace(cp.prot.Reason) == "" {
			bad(f, "declaring a column insensitive needs a reason")
		}
		if qi, ok := qiIndex[f]; ok {
			cp.qi = qi
			if cp.source != "policy" && cp.prot.Method != MethodGeneralize {
				// Listing a column as quasi-identifier overrides the class
				// default: its level is chosen by the privacy search.
				cp.prot = Protection{Method: MethodGeneralize}
				cp.source = "quasi-identifier"
			}
			if cp.prot.Method != MethodGeneralize {
				bad(f, fmt.Sprintf("quasi-identifier must be protected by generalize, not %q", cp.prot.Method))
			}
			h, name := hierarchyFor(cp.prot)
			if h == nil {
				h = priv.Hierarchies[f]
			}
			if h == nil {
				h = pol.Hierarchies[f]
			}
			if h == nil && priv.Algorithm != AlgorithmMondrian {
				bad(f, "quasi-identifier has no hierarchy (set a hierarchy, interval or date part)")
			}
			if h != nil {
				name0 := name
				if name0 == "" {
					name0 = HierarchyName(h)
				}
				r, off, err := restrictLevels(h, cp.prot.MinLevel, cp.prot.MaxLevel)
				if err != nil {
					bad(f, err.Error())
					r = h
				}
				h, cp.offset, name = r, off, name0
				priv.Hierarchies[f] = h
				if name == "" {
					name = HierarchyName(h)
				}
				if cp.prot.HierarchyName == "" {
					cp.prot.HierarchyName = name
				}
			}
		}
		if cp.prot.Method == "pass" {
			cp.prot.Method = MethodKeep
		}
		if cp.prot.Method == MethodGeneralize && cp.prot.Hierarchy == nil && cp.prot.Interval == 0 && cp.prot.DatePart == "" && cp.qi < 0 {
			cp.prot.Hierarchy = pol.Hierarchies[f]
		}
		if cp.prot.Method == MethodDateShift && cp.prot.SubjectColumn == "" {
			cp.prot.SubjectColumn = pol.SubjectColumn
		}
		if (cp.prot.MinLevel != nil || cp.prot.MaxLevel != nil) && cp.qi < 0 {
			bad(f, "min_level and max_level apply to quasi-identifiers only")
		}
		if cp.prot.Method == MethodPseudonym {
			cp.prot.Scope = pol.PseudonymScope
			if cp.prot.Scope == "" {
				cp.prot.Scope = ScopeDataset
			}
		}
		if err := validateProtection(table, f, &cp, pos); err != nil {
			errs = append(errs, err)
		}
		if cp.prot.Method == MethodPseudonym {
			switch cp.prot.Scope {
			case ScopeDataset:
				cp.prot.Domain += "/dataset=" + table
			case ScopeNight:
				cp.prot.Domain += "/night=" + pol.NightLabel
			}
		}
		if cp.status == "" {
			cp.status = StatusReleased
			if cp.prot.Method == MethodDrop {
				cp.status = StatusDropped
			}
		}
		plans = append(plans, cp)
	}
	if priv != nil {
		joinSearch(plans, priv)
		if len(priv.QuasiIdentifiers) == 0 {
			priv = nil // nothing a person could know is released
		}
	}
	if err := joinProblems(errs); err != nil {
		return nil, nil, err
	}
	return plans, priv, nil
}

// validateProtection checks the parameters of one protection and fills
// defaults.
func validateProtection(table, col string, cp *columnPlan, pos map[string]int) error {
	p := &cp.prot
	bad := func(reason string) error { return &PolicyError{Table: table, Column: col, Reason: reason} }
	switch p.Method {
	case MethodKeep, MethodDrop:
	case MethodRedact:
		if p.Value == "" {
			p.Value = "[REDACTED]"
		}
	case MethodMask:
		if p.KeepPrefix < 0 || p.KeepSuffix < 0 {
			return bad("mask keep_prefix and keep_suffix must not be negative")
		}
		if p.MaskChar == "" {
			p.MaskChar = "*"
		}
		if len([]rune(p.MaskChar)) != 1 {
			return bad("mask_char must be one character")
		}
		if strings.Contains(strings.ToLower(cp.class.ID), "email") {
			p.Email = true
		}
		if p.Email && p.KeepPrefix == 0 && p.KeepSuffix == 0 {
			p.KeepPrefix = 1
		}
	case MethodPseudonym:
		if p.Domain == "" {
			p.Domain = cp.class.ID
		}
		if p.Domain == "" {
			p.Domain = col
		}
		switch p.Encoding {
		case "":
			p.Encoding = "base32"
		case "base32", "hex":
		default:
			return bad(fmt.Sprintf("pseudonym encoding must be base32 or hex, not %q", p.Encoding))
		}
		if p.TokenBytes == 0 {
			p.TokenBytes = 16
		}
		if p.TokenBytes < 8 || p.TokenBytes > 32 {
			return bad("pseudonym token_bytes must be in [8,32]")
		}
		switch p.Format {
		case "":
			if p.Prefix == "" {
				p.Prefix = "tok_"
			}
		case "digits":
		case "cn_mobile":
			if p.FixedPrefix == 0 {
				p.FixedPrefix = 1
			}
		case "cn_id":
		case "card":
			if p.FixedPrefix == 0 {
				p.FixedPrefix = 6
			}
		default:
			return bad(fmt.Sprintf("pseudonym format must be digits, cn_mobile, cn_id or card, not %q", p.Format))
		}
		if p.FixedPrefix < 0 {
			return bad("fixed_prefix must not be negative")
		}
	case MethodGeneralize:
		set := 0
		if p.Hierarchy != nil {
			set++
		}
		if p.Interval > 0 {
			set++
		}
		if p.DatePart != "" {
			set++
			if !slices.Contains([]string{"year", "month", "day"}, p.DatePart) {
				return bad(fmt.Sprintf("date_part must be year, month or day, not %q", p.DatePart))
			}
		}
		if p.Interval < 0 {
			return bad("interval must be positive")
		}
		if set > 1 {
			return bad("generalize takes one of hierarchy, interval or date_part")
		}
		if set == 0 && cp.qi < 0 {
			return bad("generalize needs a hierarchy, interval or date_part")
		}
		if cp.qi < 0 && p.Hierarchy != nil {
			if p.Level == 0 {
				p.Level = 1
			}
			if p.Level < 0 || p.Level >= p.Hierarchy.Levels() {
				return bad(fmt.Sprintf("level %d out of range (hierarchy has %d levels)", p.Level, p.Hierarchy.Levels()))
			}
		}
	case MethodBucket:
		if p.Interval <= 0 {
			return bad("bucket needs a positive width (interval)")
		}
	case MethodDateShift:
		if p.SubjectColumn == "" {
			return bad("date_shift needs a subject column (protection subject_column or policy subject column)")
		}
		i, ok := pos[p.SubjectColumn]
		if !ok {
			return bad(fmt.Sprintf("date_shift subject column %q does not exist", p.SubjectColumn))
		}
		cp.subject = i
		if p.MaxShiftDays == 0 {
			p.MaxShiftDays = 365
		}
		if p.MaxShiftDays < 1 || p.MaxShiftDays > 36500 {
			return bad("max_shift_days must be in [1,36500]")
		}
	case "":
		return bad("protection has no method")
	default:
		return bad(fmt.Sprintf("unknown method %q", p.Method))
	}
	return nil
}
