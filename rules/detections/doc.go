// Package detections is the detection rule pack of Vigil's audit: the
// built-in rules as embedded YAML (one rule per file), the loader that
// validates them, the canonical schema they are written against and the
// catalog of controls they map to. Package stages/audit runs them.
//
// # Detection format
//
// One YAML document per rule; unknown keys are errors:
//
//	format: vigil.detection/v1        # optional
//	id: brute_force                   # lower case, digits, _
//	title: Brute-force attack on one account
//	severity: medium                  # critical | high | medium | low | info
//	description: |                    # what it finds, and where its thresholds come from
//	  ... Panther "Brute Force By User" alerts at 20 failures in 60 minutes ...
//	references: [https://...]
//	controls: [ISO27001:A.8.5, GDPR:Art.32, PIPL:Art.51]   # ids from Controls
//	requires: [staff]                 # reference tables the rule needs: staff, ownership
//	actions: [login_failed]           # canonical actions it reads (for coverage)
//	parameters:
//	  window: {type: duration, default: 60m, description: ...}
//	  threshold: {type: int, default: 20, description: ...}
//	sql: |
//	  SELECT "user", min(time) AS window_start, max(time) AS window_end,
//	         count(*) AS event_count, list(event_id ORDER BY time) AS evidence
//	  FROM events WHERE action = 'login_failed' ... HAVING count(*) >= $threshold
//	remediation: |
//	  What to do about a finding.
//	examples:
//	  match:
//	    - name: 25 failures in 12 minutes
//	      findings: 1                  # exact count (default: at least one)
//	      user: alice@example.cn       # every finding names this user
//	      events:
//	        - {time: "2025-06-03T01:00:00Z", user: alice@example.cn, action: login_failed,
//	           repeat: 25, every: 30s}  # repeat/every expand; "{i}" numbers the copies
//	      staff: [...]                 # staff and ownership rows when the rule needs them
//	      params: {threshold: 10}      # parameter overrides
//	  no_match:
//	    - name: ...
//
// Parameter types are duration (Go syntax or days, "14d"; bound as an
// interval string, so SQL writes $window::INTERVAL), int, float, string,
// bool and strings (a list, bound as VARCHAR[]). Every declared parameter
// must be used and every $name used must be declared, except $period_start
// and $period_end, which the engine always binds. The SQL is one statement
// over the canonical tables (see EventColumns, StaffColumns,
// OwnershipColumns, SchemaSQL) and returns the columns of FindingColumns:
// user, window_start, window_end and event_count, optionally key, detail and
// evidence. Findings name staff, never customer data.
//
// # Loading
//
// Load and Builtin validate structure and report every problem as a
// *RuleError naming file, line and rule id; a Checker (stages/audit's
// RuleChecker) additionally prepares each rule's SQL on an empty canonical
// schema, and its errors are located at the SQL line DuckDB reports.
//
// # Built-in rules
//
// brute_force, password_spray, success_after_failures, new_location (异地登录),
// impossible_travel, offhours_bulk_export, unowned_customer_access,
// admin_grant, disabled_account_activity, dormant_account,
// concurrent_sessions, privileged_login_no_mfa and mfa_disabled. Each cites
// the origin of its thresholds (Sigma, Elastic, Splunk, Panther, Microsoft
// Sentinel, Salesforce Shield defaults, CIS) in its description.
//
// # Controls
//
// Controls lists the controls of the audit's control matrix with stable ids:
// ISO27001:A.x.y (ISO/IEC 27001:2022 Annex A), GDPR:Art.n, PIPL:Art.n and
// CCPA:1798.nnn.
package detections
