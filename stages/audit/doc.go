// Package audit turns CRM access logs and Vigil's own records into a
// periodic compliance audit: it reads logs with DuckDB, maps them to one
// canonical event schema, runs detection rules, evaluates posture checks,
// rates a control matrix (ISO/IEC 27001:2022 Annex A, GDPR, PIPL, CCPA) and
// returns a Report that package reports renders.
//
//	rep, err := audit.Run(ctx, audit.Options{
//		From: from, To: to,
//		Sources:   []audit.LogSource{{Paths: []string{"logs/*.jsonl.gz"}, Mapping: audit.MappingSalesforce}},
//		Staff:     &audit.Reference{Path: "staff.csv"},
//		Ownership: &audit.Reference{Path: "ownership.csv"},
//	})
//
// # Engine
//
// Everything runs in one DuckDB database (in memory unless Options.DBPath is
// set) on one connection opened with autoinstall_known_extensions and
// autoload_known_extensions off, so nothing is fetched from the network.
// After the logs and reference tables are loaded, external access is
// disabled and the configuration locked: detection SQL, including custom
// rules, can read the loaded tables only.
//
// # Canonical schema
//
// Detections read the view events, whose columns are
// detections.EventColumns:
//
//	event_id      BIGINT       unique within one run
//	time          TIMESTAMPTZ  when it happened
//	user          VARCHAR      acting account, lower case
//	role          VARCHAR      role of the account when the log says so
//	action        VARCHAR      login | login_failed | logout | view | search | export |
//	                           update | delete | permission_change | mfa_change |
//	                           impersonate | app_consent | share | mail_forward
//	object_type   VARCHAR      Account, Contact, report, user, dataset, ...
//	object_id     VARCHAR      id of the object (customer ids are masked in reports)
//	record_count  BIGINT       records read, exported or changed
//	src_ip, country, city      where the request came from
//	latitude, longitude DOUBLE
//	user_agent, session_id VARCHAR
//	status        VARCHAR      success | failure
//	mfa           BOOLEAN      multi-factor used for the login (NULL: unknown)
//	detail        VARCHAR      "granted <privilege>" / "revoked <privilege>" for permission_change,
//	                           "enabled" / "disabled" / "changed" for mfa_change, failure reason for
//	                           login_failed, "public link" / "external" / "internal" for share,
//	                           forwarding addresses for mail_forward
//	source        VARCHAR      name of the log source
//
// Reference tables staff (staff_id, user, name, email, role, region, status,
// hire_date, leave_date) and ownership (customer_id, staff_id, since) come
// from CSV or Parquet files or Arrow record readers (Reference); staff.user is
// the lower-cased email unless a user column is given. The macro
// haversine_km(lat1, lon1, lat2, lon2) is available to rules.
//
// # Mapping format
//
// A Mapping compiles to one SELECT over read_json (JSON lines, with explicit
// columns where known) or read_csv (header row, all columns as text), with
// compressed files (.gz, .zst) read transparently. In YAML (ParseMapping):
//
//	name: helpdesk
//	format: csv                 # or json
//	time_format: "%d/%m/%Y %H:%M:%S"   # "", unix, unix_ms, rfc3339 or strptime
//	time_zone: Asia/Shanghai    # for times without an offset; default UTC
//	fields:                     # canonical field: source field, a.b path, or =SQL
//	  time: ts
//	  user: agent_email
//	  action: event
//	  object_type: "='Case'"
//	  object_id: ticket
//	values:                     # raw value -> canonical value, before conversion
//	  action: {opened: view, closed: update, dump: export}
//
// time and action are required. Identifiers are quoted and values become
// escaped literals; expressions are trusted configuration and may not
// contain ';'. Built-in mappings (BuiltinMappingNames): salesforce (Real-
// Time Event Monitoring objects with or without attributes, SetupAuditTrail,
// LoginHistory), salesforce_elf (EventLogFile CSV or JSON lines),
// salesforce_loginhistory and salesforce_setupaudit (CSV downloads), m365
// (unified audit log records), m365_export (the CreationDate, UserIds,
// Operations, AuditData download), entra_signin and entra_audit (Graph and
// diagnostic-settings shapes) and vigil (Vigil's query log: time, user (the
// OS account), label, action, tables, rows). MappingAuto picks one per file
// from its content (SniffFile); a file whose content is not in the chosen
// mapping's format is an error, and columns a file lacks read as NULL.
//
// Nothing is dropped silently: a row that has no time, an unparsable time,
// no action or an action outside the canonical set, or that could not be
// parsed at all, stays out of events but is kept in the table unmapped with
// its reason and raw content, counted per source in SourceStats (Read =
// Mapped + Unmapped), with the most frequent unknown actions and the line
// numbers of the first unparsable lines.
//
// # Detection format
//
// Detections are rule-pack entries; see package
// github.com/vigil-dg/vigil/rules/detections for the YAML format and the
// built-in rules. A rule's SQL returns user, window_start, window_end and
// event_count, optionally key, detail and evidence (a list of event_id). The
// engine binds the rule's parameters by name ($window, ...) plus
// $period_start and $period_end, keeps findings whose window overlaps the
// period, loads up to Options.MaxEvidence evidence events per finding and
// gives each finding a Fingerprint of detection, user, key and window start,
// stable across runs. LoadRules prepares every rule on an empty canonical
// schema and reports file, line and rule id of each problem; RunExamples runs
// the rules' own examples.
//
// # Evidence and personal data
//
// Evidence shows staff identities but never customer data: object ids of
// any object type that is not a staff or configuration object are replaced
// by Options.Mask (default: a keyed pseudonym with a random per-run key), and
// free-text detail is shown only for permission, MFA and login-failure
// events.
//
// # Posture checks
//
// PostureInput carries Vigil's own evidence (snapshots and restore drills per
// table, protected share of personal-data columns, k reached per dataset,
// keys, run and erasure ledgers, classification and retention). Checks from
// it, plus log coverage (hours without events, per source, computed in
// DuckDB), mapping completeness, leavers with active accounts, the
// assessment of high findings and the completeness of monitoring, each
// report pass, warn, fail or n/a with evidence and mapped controls.
//
// # Control matrix
//
// Every control of detections.Controls is rated from the checks, detections
// and open findings mapped to it: fail on a failed check or an open high or
// critical finding, warn on a warning, an open medium or low finding or a
// detection that could not run, pass when some evidence exists and nothing
// is wrong, n/a without evidence. Each row carries its evidence and an
// improvement suggestion.
//
// # Suppressions
//
// A YAML file (format vigil.suppressions/v1) lists accepted risks and false
// positives by fingerprint, or by detection and user, with status
// (accepted | false_positive), reason, by and an optional expires date.
// Matching findings are flagged Suppressed and leave the open counts;
// expired suppressions are listed but not applied.
//
// # Cases
//
// Options.Cases is the case register (LoadCases, format vigil.cases/v1):
// one case per finding fingerprint with a state (open, acknowledged,
// in_progress, notified, remediated, risk_accepted, false_positive,
// resolved) and a who/when/note history. Run opens a case for each new
// finding; carries each open case its period did not find again as a
// finding marked NotObserved (still open, still counted); marks a case
// resolved only when the detection ran over events of the period, the
// period covers the finding's window with mapped events in it, and the
// finding is gone; and reopens a resolved case found again. Closed cases
// hide their findings like suppressions. Report.CaseFile is the changed
// register for the caller to save (MergeAudit keeps changes people made
// meanwhile); Report.Cases sums it up with the open cases over time and
// the median time to close.
//
// # Statuses
//
// Every check and control carries the rule that decides its status
// (Check.Rule, ControlRule). Pass needs positive evidence: a detection that
// ran over no events is none; log coverage counts the hours where activity
// is expected (weekday-hour slots active in at least a quarter of the
// period's weeks); records.art30 and records.pia pass only when the formal
// records the caller built (PostureInput.Records) have no gaps.
//
// # Report
//
// Report is plain, JSON-marshalable data: period, per-source counts,
// detection runs, findings with evidence, suppressions, checks, controls and
// chart data (failed logins per hour — per day over 62 days —, events per
// day — per week over five years —, exports per user, a
// 7x24 access heatmap in the report time zone, findings by severity).
// Report.Compare gives new, resolved and still-open findings by fingerprint.
package audit
