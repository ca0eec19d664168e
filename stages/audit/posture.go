package audit

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// PostureInput is Vigil's own evidence, filled in by the caller from the
// snapshot manifests, restore records, dataset descriptions, keyset and
// ledgers. A check whose evidence is absent reports n/a.
type PostureInput struct {
	Tables         []string                 // tables that must have snapshots and restore drills; default: the tables named below
	Snapshots      []SnapshotEvidence       // last successful snapshot per table
	Restores       []RestoreEvidence        // last restore verification per table
	Protection     []ProtectionEvidence     // personal-data columns and how many are protected, per dataset
	Privacy        []PrivacyEvidence        // k (and l) reached per dataset
	Disclosure     []DisclosureEvidence     // disclosure check of every published dataset (posture_disclosure.go)
	Keys           []KeyEvidence            // keys with their age and last rotation
	Runs           []RunRecord              // run ledger records
	Erasures       []ErasureRecord          // erasure ledger records
	Classification []ClassificationEvidence // when each table's personal-data inventory was last made
	Retention      []RetentionEvidence      // retention limit and oldest record kept, per dataset
	Records        []RecordEvidence         // completeness of the GDPR Art. 30 record and the PIPL assessment
	Rejects        []RejectsEvidence        // each table's last extraction and its rejected rows (posture_rejects.go)
	Escrow         EscrowEvidence           // last escrow export of the keyset (posture_custody.go)
	ErasureBackups []ErasureBackupEvidence  // erasures and the snapshots still holding each subject
	Limits         PostureLimits
}

// SnapshotEvidence is the last successful snapshot of a table.
type SnapshotEvidence struct {
	Table       string
	SnapshotID  string
	LastSuccess time.Time
}

// RestoreEvidence is the last restore verification of a table.
type RestoreEvidence struct {
	Table        string
	SnapshotID   string
	LastVerified time.Time
	OK           bool
	Detail       string // why it failed, without data
}

// ProtectionEvidence counts personal-data columns of a dataset and how many
// of them are masked, pseudonymised, generalised or dropped.
type ProtectionEvidence struct {
	Dataset          string
	PersonalColumns  int
	ProtectedColumns int
}

// PrivacyEvidence is the privacy level a dataset reached.
type PrivacyEvidence struct {
	Dataset string
	K       int // smallest equivalence class
	TargetK int // 0: Limits.MinK
	L       int // distinct sensitive values per class, 0 when not measured
	TargetL int // 0: no l-diversity target
}

// KeyEvidence is one key of the keyset.
type KeyEvidence struct {
	ID          string
	Purpose     string
	Created     time.Time
	LastRotated time.Time // zero: never rotated
	Primary     bool
}

// RunRecord is one record of the run ledger.
type RunRecord struct {
	RunID    string
	Stage    string
	Status   string // success | failed | ...
	Started  time.Time
	Finished time.Time
	Error    string
}

// ErasureRecord is one erasure request of the erasure ledger.
type ErasureRecord struct {
	RequestID string
	Received  time.Time
	Completed time.Time // zero: still open
}

// ClassificationEvidence says when a table's columns were last classified.
type ClassificationEvidence struct {
	Table           string
	ClassifiedAt    time.Time
	PersonalColumns int
	SchemaChangedAt time.Time // zero: unknown
}

// RetentionEvidence is a dataset's retention limit and its oldest record.
type RetentionEvidence struct {
	Dataset string
	MaxAge  time.Duration
	Oldest  time.Time
}

// PostureLimits are the thresholds of the posture checks; zero values take
// the defaults.
type PostureLimits struct {
	MaxSnapshotAge     time.Duration // default 26h: daily snapshots with slack
	MaxRestoreAge      time.Duration // default 8 days: weekly drills with slack
	MaxKeyAge          time.Duration // default 365 days (NIST SP 800-57 cryptoperiods of 1-2 years)
	MinK               int           // default 5
	MaxErasureTime     time.Duration // default 30 days (GDPR Art. 12(3): one month)
	MaxClassifyAge     time.Duration // default 90 days
	MaxLogGap          time.Duration // warn at a gap this long; default 24h
	MaxLogGapFail      time.Duration // fail at a gap this long; default 72h
	MaxUnmappedShare   float64       // fail above this share of unmapped events; default 0.05
	MinProtectedShare  float64       // warn below 1, fail below this share; default 0.9
	NotificationWindow time.Duration // time to assess a high finding for breach notification; default 72h (GDPR Art. 33)
	MaxEscrowAge       time.Duration // keyset escrowed within this; default 90 days
	MaxErasedInBackups time.Duration // warn when an erased subject is still in a kept snapshot this long; default 365 days
}

func (l PostureLimits) withDefaults() PostureLimits {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&l.MaxSnapshotAge, 26*time.Hour)
	def(&l.MaxRestoreAge, 8*24*time.Hour)
	def(&l.MaxKeyAge, 365*24*time.Hour)
	def(&l.MaxErasureTime, 30*24*time.Hour)
	def(&l.MaxClassifyAge, 90*24*time.Hour)
	def(&l.MaxLogGap, 24*time.Hour)
	def(&l.MaxLogGapFail, 72*time.Hour)
	def(&l.NotificationWindow, 72*time.Hour)
	def(&l.MaxEscrowAge, 90*24*time.Hour)
	def(&l.MaxErasedInBackups, 365*24*time.Hour)
	if l.MinK <= 0 {
		l.MinK = 5
	}
	if l.MaxUnmappedShare <= 0 {
		l.MaxUnmappedShare = 0.05
	}
	if l.MinProtectedShare <= 0 {
		l.MinProtectedShare = 0.9
	}
	return l
}

// Check ids.
const (
	CheckSnapshots      = "backup.snapshots"
	CheckRestores       = "backup.restore_drills"
	CheckProtection     = "protect.columns"
	CheckKAnonymity     = "protect.k_anonymity"
	CheckKeys           = "crypto.key_rotation"
	CheckRuns           = "pipeline.runs"
	CheckLogCoverage    = "logs.coverage"
	CheckLogMapping     = "logs.mapping"
	CheckLeavers        = "access.leavers_disabled"
	CheckClassification = "inventory.classification"
	CheckRetention      = "retention.storage_limit"
	CheckErasure        = "erasure.requests"
	CheckIncidents      = "incident.assessment"
	CheckDetections     = "monitoring.detections"
)

var checkMeta = map[string]struct {
	title, remediation string
	controls           []string
}{
	CheckSnapshots: {"Daily encrypted snapshots of every table",
		"Fix the failing snapshot job and take a snapshot of every listed table.",
		[]string{"ISO27001:A.8.13", "GDPR:Art.32", "PIPL:Art.51", "CCPA:1798.100(e)"}},
	CheckRejects: {"Source rows are read, not silently rejected",
		"Look at the listed tables' rejects (`vigil rejects TABLE`), fix the export or its encoding/delimiter options, and snapshot again.",
		[]string{"ISO27001:A.8.13", "GDPR:Art.32"}},
	CheckRestores: {"Restore drills prove every table restores",
		"Run `vigil verify` for the listed tables and fix what makes restores fail.",
		[]string{"ISO27001:A.8.13", "GDPR:Art.32", "PIPL:Art.51"}},
	CheckProtection: {"Personal-data columns are protected in analyst datasets",
		"Add a protection (mask, pseudonym, generalise or drop) for every personal-data column in the policy.",
		[]string{"ISO27001:A.8.11", "GDPR:Art.5(1)(c)", "GDPR:Art.25", "GDPR:Art.32", "PIPL:Art.51"}},
	CheckDisclosure: {"Every analyst dataset passed the disclosure check",
		"Protect the columns the failures name (generalize, bucket, withhold), or declare them insensitive with a reason, and re-run anonymize.",
		[]string{"ISO27001:A.8.11", "GDPR:Art.25", "GDPR:Art.32", "PIPL:Art.51"}},
	CheckKAnonymity: {"Analyst datasets reach their k-anonymity target",
		"Generalise quasi-identifiers further or suppress small classes until k is reached.",
		[]string{"ISO27001:A.8.11", "GDPR:Art.5(1)(c)", "GDPR:Art.25", "PIPL:Art.51"}},
	CheckKeys: {"Keys are rotated within their cryptoperiod",
		"Rotate the listed keys (`vigil keys rotate`); old data stays readable.",
		[]string{"ISO27001:A.8.24", "GDPR:Art.32", "PIPL:Art.51"}},
	CheckRuns: {"Pipeline runs succeed",
		"Look at the failed stages in the run ledger and fix their cause.",
		[]string{"ISO27001:A.8.16", "PIPL:Art.54"}},
	CheckLogCoverage: {"Access logs cover the whole period without gaps",
		"Find out why the listed sources stopped delivering logs and backfill the gaps.",
		[]string{"ISO27001:A.8.15", "ISO27001:A.8.16", "PIPL:Art.54"}},
	CheckLogMapping: {"Every log event maps to the canonical schema",
		"Extend the mapping for the unknown actions listed under the sources, or fix the producer of unparsable lines.",
		[]string{"ISO27001:A.8.15"}},
	CheckLeavers: {"Accounts of people who left are disabled",
		"Disable the listed accounts and tie account removal to the leaver process.",
		[]string{"ISO27001:A.5.18", "ISO27001:A.5.15", "GDPR:Art.32", "PIPL:Art.51"}},
	CheckClassification: {"Personal-data inventory is current",
		"Re-run classification for the listed tables (after every schema change).",
		[]string{"GDPR:Art.30", "PIPL:Art.51"}},
	CheckRetention: {"Retention periods are enforced",
		"Run retention for the listed datasets so that nothing older than the limit is kept.",
		[]string{"GDPR:Art.5(1)(e)", "ISO27001:A.8.10", "CCPA:1798.105"}},
	CheckErasure: {"Erasure requests are completed in time",
		"Complete the overdue erasure requests and record them in the ledger.",
		[]string{"ISO27001:A.8.10", "CCPA:1798.105"}},
	CheckIncidents: {"High-severity findings are assessed for breach notification",
		"Assess each open high or critical finding within 72 hours: record whether it is a personal data breach (`vigil findings set-state CASE notified`) or close its case with a reason.",
		[]string{"GDPR:Art.33", "PIPL:Art.57", "CCPA:1798.150"}},
	CheckRecordArt30: {"Record of processing activities is complete",
		"Fill in the listed gaps in the report section of the config (controller, DPO, purposes, data subjects, recipients, transfers, retention) and keep the inventory current.",
		[]string{"GDPR:Art.30"}},
	CheckRecordPIA: {"Personal information protection impact assessment is complete",
		"Fill in the listed gaps of the assessment, have the assessor sign it and keep it at least three years.",
		[]string{"PIPL:Art.55"}},
	CheckKeyEscrow: {"The keyset is escrowed for recovery",
		"Export the keyset to an age recipient kept off this machine (`vigil keys export --to-age RECIPIENT --out FILE`) after every key rotation and at least within the limit.",
		[]string{"ISO27001:A.8.24", "ISO27001:A.8.13", "GDPR:Art.32", "PIPL:Art.51"}},
	CheckErasureBackups: {"Erased subjects are kept out of restores and leave the backups by retention",
		"Check that retention (`vigil forget`, the retention section) removes the listed snapshots; until then every restore and dataset leaves the erased subjects out.",
		[]string{"GDPR:Art.5(1)(e)", "ISO27001:A.8.10", "CCPA:1798.105"}},
	CheckDetections: {"All detections ran on the period's logs",
		"Provide the missing reference tables and fix failing detections so that monitoring is complete.",
		[]string{"ISO27001:A.8.16", "PIPL:Art.54"}},
}

func newCheck(id string) Check {
	m := checkMeta[id]
	return Check{ID: id, Title: m.title, Controls: m.controls, Status: StatusNA, Remediation: m.remediation, Rule: checkRules[id]}
}

// days formats a limit: "8d", "26h" or Go syntax.
func days(d time.Duration) string {
	switch {
	case d > 0 && d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	case d > 0 && d%time.Hour == 0:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return d.String()
}

// worst combines statuses: fail > warn > pass > n/a.
func worst(a, b string) string {
	rank := map[string]int{StatusNA: 0, StatusPass: 1, StatusWarn: 2, StatusFail: 3}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

func (p PostureInput) tables() []string {
	set := map[string]bool{}
	for _, t := range p.Tables {
		set[t] = true
	}
	if len(p.Tables) == 0 {
		for _, s := range p.Snapshots {
			set[s.Table] = true
		}
		for _, r := range p.Restores {
			set[r.Table] = true
		}
	}
	out := make([]string, 0, len(set))
	for t := range set {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// evidenceChecks evaluates the checks that need only PostureInput.
func (p PostureInput) evidenceChecks(now time.Time) []Check {
	lim := p.Limits.withDefaults()
	tables := p.tables()
	var out []Check

	snap := newCheck(CheckSnapshots)
	if len(tables) > 0 {
		snap.Status = StatusPass
		last := map[string]SnapshotEvidence{}
		for _, s := range p.Snapshots {
			if s.LastSuccess.After(last[s.Table].LastSuccess) {
				last[s.Table] = s
			}
		}
		for _, t := range tables {
			s, ok := last[t]
			switch {
			case !ok || s.LastSuccess.IsZero():
				snap.Status = StatusFail
				snap.say(msg("snap.none", aText(t)))
			case now.Sub(s.LastSuccess) > lim.MaxSnapshotAge:
				snap.Status = StatusFail
				snap.say(msg("snap.old", aText(t), aText(s.SnapshotID), aAge(now, s.LastSuccess), aLimit(lim.MaxSnapshotAge)))
			default:
				snap.say(msg("snap.ok", aText(t), aText(s.SnapshotID), aAge(now, s.LastSuccess)))
			}
		}
	}
	out = append(out, snap)
	if rc := p.rejectsCheck(); rc.Status != StatusNA {
		out = append(out, rc)
	}

	rest := newCheck(CheckRestores)
	if len(tables) > 0 {
		rest.Status = StatusPass
		last := map[string]RestoreEvidence{}
		for _, r := range p.Restores {
			if r.LastVerified.After(last[r.Table].LastVerified) {
				last[r.Table] = r
			}
		}
		for _, t := range tables {
			r, ok := last[t]
			switch {
			case !ok || r.LastVerified.IsZero():
				rest.Status = StatusFail
				rest.say(msg("restore.never", aText(t)))
			case !r.OK:
				rest.Status = StatusFail
				rest.say(msg("restore.failed", aText(t), aAge(now, r.LastVerified), aText(r.Detail)))
			case now.Sub(r.LastVerified) > lim.MaxRestoreAge:
				rest.Status = StatusFail
				rest.say(msg("restore.old", aText(t), aAge(now, r.LastVerified), aLimit(lim.MaxRestoreAge)))
			default:
				rest.say(msg("restore.ok", aText(t), aAge(now, r.LastVerified), aText(r.SnapshotID)))
			}
		}
	}
	out = append(out, rest)

	prot := newCheck(CheckProtection)
	if len(p.Protection) > 0 {
		var personal, protected int
		for _, d := range p.Protection {
			personal += d.PersonalColumns
			protected += d.ProtectedColumns
			prot.say(msg("protect.dataset", aText(d.Dataset), aInt(d.ProtectedColumns), aInt(d.PersonalColumns)))
		}
		share := 1.0
		if personal > 0 {
			share = float64(protected) / float64(personal)
		}
		switch {
		case share >= 1:
			prot.Status = StatusPass
		case share >= lim.MinProtectedShare:
			prot.Status = StatusWarn
		default:
			prot.Status = StatusFail
		}
		prot.sayFirst(msg("protect.total", aPct(share*100, 1), aInt(personal)))
	}
	out = append(out, prot)

	kan := newCheck(CheckKAnonymity)
	if len(p.Privacy) > 0 {
		kan.Status = StatusPass
		for _, d := range p.Privacy {
			target := d.TargetK
			if target <= 0 {
				target = lim.MinK
			}
			line := msg("kanon.k", aText(d.Dataset), aInt(d.K), aInt(target))
			if d.TargetL > 0 {
				line = line.with("kanon.l", aInt(d.L), aInt(d.TargetL))
			}
			if d.K < target || (d.TargetL > 0 && d.L < d.TargetL) {
				kan.Status = StatusFail
				line = line.with("kanon.missed")
			}
			kan.say(line)
		}
	}
	out = append(out, kan)
	out = append(out, p.disclosureCheck())

	keys := newCheck(CheckKeys)
	if len(p.Keys) > 0 {
		keys.Status = StatusPass
		for _, k := range p.Keys {
			since := k.LastRotated
			if since.IsZero() {
				since = k.Created
			}
			age := now.Sub(since)
			line := msg("keys.age", aText(k.ID), aTerm(k.Purpose), aAge(now, since), aLimit(lim.MaxKeyAge))
			switch {
			case since.IsZero():
				keys.Status = StatusFail
				line = msg("keys.undated", aText(k.ID), aTerm(k.Purpose))
			case age > lim.MaxKeyAge:
				keys.Status = StatusFail
				line = line.with("keys.overdue")
			case age > lim.MaxKeyAge*9/10:
				keys.Status = worst(keys.Status, StatusWarn)
				line = line.with("keys.due_soon")
			}
			keys.say(line)
		}
	}
	out = append(out, keys)

	runs := newCheck(CheckRuns)
	if len(p.Runs) > 0 {
		runs.Status = StatusPass
		latest := map[string]RunRecord{}
		failed := 0
		for _, r := range p.Runs {
			if !strings.EqualFold(r.Status, "success") {
				failed++
			}
			if r.Started.After(latest[r.Stage].Started) || latest[r.Stage].Stage == "" {
				latest[r.Stage] = r
			}
		}
		stages := make([]string, 0, len(latest))
		for s := range latest {
			stages = append(stages, s)
		}
		sort.Strings(stages)
		runs.say(msg("runs.total", aInt(len(p.Runs)), aInt(failed)))
		if failed > 0 {
			runs.Status = StatusWarn
		}
		for _, s := range stages {
			r := latest[s]
			line := msg("runs.latest", aTerm(s), aText(r.RunID), aAge(now, r.Started), aTerm(r.Status))
			if !strings.EqualFold(r.Status, "success") {
				runs.Status = StatusFail
				if r.Error != "" {
					line = line.with("runs.error", aText(r.Error))
				}
			}
			runs.say(line)
		}
	}
	out = append(out, runs)

	cls := newCheck(CheckClassification)
	if len(p.Classification) > 0 {
		cls.Status = StatusPass
		for _, c := range p.Classification {
			line := msg("cls.ok", aText(c.Table), aAge(now, c.ClassifiedAt), aInt(c.PersonalColumns))
			switch {
			case c.ClassifiedAt.IsZero():
				cls.Status = StatusFail
				line = msg("cls.never", aText(c.Table))
			case !c.SchemaChangedAt.IsZero() && c.SchemaChangedAt.After(c.ClassifiedAt):
				cls.Status = StatusFail
				line = line.with("cls.schema")
			case now.Sub(c.ClassifiedAt) > lim.MaxClassifyAge:
				cls.Status = worst(cls.Status, StatusWarn)
				line = line.with("cls.old", aLimit(lim.MaxClassifyAge))
			}
			cls.say(line)
		}
	}
	out = append(out, cls)

	ret := newCheck(CheckRetention)
	if len(p.Retention) > 0 {
		ret.Status = StatusPass
		for _, r := range p.Retention {
			line := msg("ret.oldest", aText(r.Dataset), aAge(now, r.Oldest), aLimit(r.MaxAge))
			if !r.Oldest.IsZero() && r.MaxAge > 0 && now.Sub(r.Oldest) > r.MaxAge+24*time.Hour {
				ret.Status = StatusFail
				line = line.with("ret.long")
			}
			ret.say(line)
		}
	}
	out = append(out, ret)

	er := newCheck(CheckErasure)
	if len(p.Erasures) > 0 {
		er.Status = StatusPass
		var done, open, late int
		for _, r := range p.Erasures {
			switch {
			case r.Completed.IsZero() && now.Sub(r.Received) > lim.MaxErasureTime:
				late++
				er.Status = StatusFail
				er.say(msg("erasure.open", aText(r.RequestID), aAge(now, r.Received), aLimit(lim.MaxErasureTime)))
			case r.Completed.IsZero():
				open++
			case r.Completed.Sub(r.Received) > lim.MaxErasureTime:
				late++
				er.Status = StatusFail
				er.say(msg("erasure.late", aText(r.RequestID), aInt(int(r.Completed.Sub(r.Received).Hours()/24)), aLimit(lim.MaxErasureTime)))
			default:
				done++
			}
		}
		er.sayFirst(msg("erasure.total", aInt(done), aInt(open), aInt(late)))
	}
	out = append(out, er)
	out = append(out, p.custodyChecks(now)...)
	return out
}

// gap is a run of hours without events.
type gap struct {
	Start, End time.Time
}

func (g gap) hours() int { return int(g.End.Sub(g.Start).Hours()) }

// coverageGaps returns the hours of [from, to) without any mapped event,
// merged into gaps; source "" means all sources.
func (e *engine) coverageGaps(ctx context.Context, from, to time.Time, source string) ([]gap, int, error) {
	q := `WITH hours AS (
		SELECT generate_series AS h FROM generate_series(date_trunc('hour', $1::TIMESTAMPTZ), $2::TIMESTAMPTZ - INTERVAL 1 MICROSECOND, INTERVAL 1 HOUR)
	), seen AS (
		SELECT DISTINCT h FROM hourly WHERE $3 = '' OR source = $3
	)
	SELECT h FROM hours WHERE h NOT IN (SELECT h FROM seen) ORDER BY h`
	rows, err := e.conn.QueryContext(ctx, q, from, to, source)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: coverage: %v", ErrEngine, err)
	}
	defer rows.Close()
	var gaps []gap
	empty := 0
	for rows.Next() {
		var h time.Time
		if err := rows.Scan(&h); err != nil {
			return nil, 0, err
		}
		h = h.UTC()
		empty++
		if n := len(gaps); n > 0 && gaps[n-1].End.Equal(h) {
			gaps[n-1].End = h.Add(time.Hour)
		} else {
			gaps = append(gaps, gap{Start: h, End: h.Add(time.Hour)})
		}
	}
	return gaps, empty, rows.Err()
}

// logChecks evaluates log coverage and mapping completeness.
//
// Coverage is measured against expected activity, not "some events exist":
// the hours of the period are grouped into weekday-hour slots in the
// report's time zone; a slot is expected to be active when it had events in
// at least a quarter of its weeks; coverage is the share of expected hours
// that have events. Quiet nights and weekends do not count as gaps; a
// source that stops delivering does.
func (e *engine) logChecks(ctx context.Context, from, to time.Time, stats []SourceStats, lim PostureLimits, tz string) ([]Check, error) {
	lim = lim.withDefaults()
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = time.UTC
	}
	cov := newCheck(CheckLogCoverage)
	total := int(to.Sub(from).Hours())
	if len(stats) > 0 && total > 0 {
		cov.Status = StatusPass
		judge := func(label Arg, gaps []gap, empty int) {
			longest := gap{}
			for _, g := range gaps {
				if g.hours() > longest.hours() {
					longest = g
				}
			}
			expected, covered := expectedCoverage(from, to, gaps, loc)
			line := msg("cov.line", label, aInt(covered), aInt(expected))
			share := 0.0
			if expected > 0 {
				share = float64(covered) / float64(expected)
				line = line.with("cov.share", aPct(share*100, 1))
			}
			line = line.with("cov.empty", aInt(empty), aInt(total))
			if longest.hours() > 0 {
				line = line.with("cov.gap", aInt(longest.hours()), aTime(longest.Start))
			}
			switch {
			case empty >= total || expected == 0:
				cov.Status = StatusFail
				line = line.with("cov.none")
			case share < 0.90 || time.Duration(longest.hours())*time.Hour >= lim.MaxLogGapFail:
				cov.Status = StatusFail
			case share < 0.99 || time.Duration(longest.hours())*time.Hour >= lim.MaxLogGap:
				cov.Status = worst(cov.Status, StatusWarn)
			}
			cov.say(line)
		}
		gaps, empty, err := e.coverageGaps(ctx, from, to, "")
		if err != nil {
			return nil, err
		}
		judge(aMsg("cov.all"), gaps, empty)
		if len(stats) > 1 {
			for _, s := range stats {
				g, n, err := e.coverageGaps(ctx, from, to, s.Name)
				if err != nil {
					return nil, err
				}
				judge(aMsg("cov.source", aText(s.Name)), g, n)
			}
		}
	}
	mp := newCheck(CheckLogMapping)
	if len(stats) > 0 {
		mp.Status = StatusPass
		for _, s := range stats {
			share := 0.0
			if s.Read > 0 {
				share = float64(s.Unmapped) / float64(s.Read)
			}
			line := msg("map.line", aText(s.Name), aInt(s.Read), aInt(s.Mapped), aInt(s.Unmapped), aPct(share*100, 2))
			for i, k := range sortedKeys(s.Reasons) {
				key := "map.reason"
				if i > 0 {
					key = "map.reason_next"
				}
				line = line.with(key, aTerm(k), aInt(s.Reasons[k]))
			}
			switch {
			case s.Read == 0:
				mp.Status = StatusFail
				line = msg("map.none", aText(s.Name))
			case share > lim.MaxUnmappedShare:
				mp.Status = StatusFail
			case s.Unmapped > 0:
				mp.Status = worst(mp.Status, StatusWarn)
			}
			mp.say(line)
		}
	}
	return []Check{cov, mp}, nil
}

// expectedCoverage counts the hours of [from, to) where activity is
// expected (their weekday-hour slot had events in at least a quarter of its
// weeks) and how many of them had events.
func expectedCoverage(from, to time.Time, gaps []gap, loc *time.Location) (expected, covered int) {
	emptyHour := map[int64]bool{}
	for _, g := range gaps {
		for h := g.Start; h.Before(g.End); h = h.Add(time.Hour) {
			emptyHour[h.Unix()] = true
		}
	}
	var slotTotal, slotActive [7 * 24]int
	start := from.UTC().Truncate(time.Hour)
	slot := func(h time.Time) int {
		l := h.In(loc)
		return (int(l.Weekday())+6)%7*24 + l.Hour()
	}
	for h := start; h.Before(to); h = h.Add(time.Hour) {
		s := slot(h)
		slotTotal[s]++
		if !emptyHour[h.Unix()] {
			slotActive[s]++
		}
	}
	for s := range slotTotal {
		if slotTotal[s] > 0 && slotActive[s] > 0 && slotActive[s]*4 >= slotTotal[s] {
			expected += slotTotal[s]
			covered += slotActive[s]
		}
	}
	return expected, covered
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// leaverCheck lists staff who left before the end of the period but whose
// account is still active.
func (e *engine) leaverCheck(ctx context.Context, to time.Time, staffProvided bool) (Check, error) {
	c := newCheck(CheckLeavers)
	if !staffProvided {
		return c, nil
	}
	rows, err := e.conn.QueryContext(ctx, `SELECT coalesce("user", staff_id), leave_date FROM staff
		WHERE leave_date IS NOT NULL AND leave_date < CAST($1 AS DATE) AND coalesce(status, '') <> 'disabled'
		ORDER BY leave_date, 1`, to)
	if err != nil {
		return c, fmt.Errorf("%w: leavers: %v", ErrEngine, err)
	}
	defer rows.Close()
	c.Status = StatusPass
	n := 0
	for rows.Next() {
		var who string
		var left time.Time
		if err := rows.Scan(&who, &left); err != nil {
			return c, err
		}
		n++
		c.Status = StatusFail
		if n <= 50 {
			c.say(msg("leaver.active", aText(who), aDate(left)))
		}
	}
	if n == 0 {
		var total int64
		if err := e.conn.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE leave_date IS NOT NULL) FROM staff`).Scan(&total); err != nil {
			return c, err
		}
		c.say(msg("leaver.all", aInt(total)))
	} else if n > 50 {
		c.say(msg("leaver.more", aInt(n-50)))
	}
	return c, rows.Err()
}

// incidentCheck asks for an assessment of open high and critical findings.
func incidentCheck(findings []Finding, now time.Time, lim PostureLimits) Check {
	lim = lim.withDefaults()
	c := newCheck(CheckIncidents)
	c.Status = StatusPass
	var open, assessed int
	for _, f := range findings {
		if f.Severity != "critical" && f.Severity != "high" {
			continue
		}
		if f.Suppressed || (f.Case != nil && CaseAssessed(f.Case.State)) {
			assessed++
			continue
		}
		open++
		if open <= 20 {
			c.say(msg("inc.open", aTerm(f.Severity), aText(f.Detection), aText(f.Fingerprint[:12]),
				aText(firstNonEmpty(f.User, f.Key)), aTime(now.Add(lim.NotificationWindow))))
		}
	}
	if open > 0 {
		c.Status = StatusWarn
	}
	c.sayFirst(msg("inc.total", aInt(open), aInt(assessed)))
	return c
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// detectionsCheck says whether monitoring was complete.
func detectionsCheck(runs []DetectionRun) Check {
	c := newCheck(CheckDetections)
	if len(runs) == 0 {
		return c
	}
	c.Status = StatusPass
	var ran, skipped, failed int
	for _, r := range runs {
		switch r.Status {
		case RunRan:
			ran++
		case RunSkipped:
			skipped++
			c.Status = worst(c.Status, StatusWarn)
			c.say(msg("det.skipped", aText(r.ID), reasonArg(r)))
		case RunFailed:
			failed++
			c.Status = StatusFail
			c.say(msg("det.failed", aText(r.ID), reasonArg(r)))
		}
	}
	c.sayFirst(msg("det.total", aInt(ran), aInt(skipped), aInt(failed)))
	return c
}

// reasonArg is why a detection did not run: its message, or its text.
func reasonArg(r DetectionRun) Arg {
	if r.ReasonMsg != nil {
		return Arg{Msg: r.ReasonMsg}
	}
	return aText(r.Reason)
}
