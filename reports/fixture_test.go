package reports

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
	"time"
	_ "time/tzdata" // the fixture's Asia/Shanghai on any machine

	"github.com/vigil-dg/vigil/rules/detections"
	"github.com/vigil-dg/vigil/stages/audit"
)

// The fixture is a hand-built audit of one week with fixed times. It does
// not call package audit's engine, so that the golden files change only
// when this package does.

// Raw customer identifiers that the fixture's audit "masked": they must not
// appear in any rendered report.
var rawCustomerIDs = []string{"CUST-0042871", "CUST-0042872", "13912345678", "li.na@example.com", "310101198001011234"}

// hostileUA is a user agent an attacker controls.
const hostileUA = `<script>alert(1)</script> Mozilla/5.0 (X11; Linux x86_64) "><img src=x onerror=alert(2)>`

func mask(raw string) string {
	h := sha256.Sum256([]byte("fixture-mask\x00" + raw))
	return "cust-" + hex.EncodeToString(h[:5])
}

func shanghai() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}

func at(day, h, m int) time.Time { return time.Date(2025, 3, day, h, m, 0, 0, shanghai()).UTC() }

func i64(n int64) *int64 { return &n }
func bptr(b bool) *bool  { return &b }

// fixtureControls is a copy of the control catalog, so that a change of the
// catalog's wording does not change the golden files.
var fixtureControls = []detections.Control{
	{ID: "ISO27001:A.5.15", Framework: "ISO/IEC 27001:2022", Ref: "A.5.15", Title: "Access control", Suggestion: "Write down who may access which customer records and enforce it with the CRM sharing model; review exceptions monthly."},
	{ID: "ISO27001:A.5.18", Framework: "ISO/IEC 27001:2022", Ref: "A.5.18", Title: "Access rights", Suggestion: "Tie account provisioning and removal to HR joiner/mover/leaver events; disable accounts on the last working day and review dormant accounts."},
	{ID: "ISO27001:A.8.2", Framework: "ISO/IEC 27001:2022", Ref: "A.8.2", Title: "Privileged access rights", Suggestion: "Keep administrator rights to a named few, grant them through a ticketed change, require MFA and review grants every quarter."},
	{ID: "ISO27001:A.8.3", Framework: "ISO/IEC 27001:2022", Ref: "A.8.3", Title: "Information access restriction", Suggestion: "Restrict staff to the customers they serve (private sharing defaults, territory rules) and log access to others' records."},
	{ID: "ISO27001:A.8.5", Framework: "ISO/IEC 27001:2022", Ref: "A.8.5", Title: "Secure authentication", Suggestion: "Enforce MFA for all interactive logins, lock accounts after repeated failures and alert on credential attacks."},
	{ID: "ISO27001:A.8.10", Framework: "ISO/IEC 27001:2022", Ref: "A.8.10", Title: "Information deletion", Suggestion: "Delete personal data when its retention period ends or on request, and keep an erasure ledger as evidence."},
	{ID: "ISO27001:A.8.11", Framework: "ISO/IEC 27001:2022", Ref: "A.8.11", Title: "Data masking", Suggestion: "Give analysts only masked, pseudonymised or generalised data that reaches the agreed k-anonymity level."},
	{ID: "ISO27001:A.8.12", Framework: "ISO/IEC 27001:2022", Ref: "A.8.12", Title: "Data leakage prevention", Suggestion: "Cap report exports, block or review bulk exports outside working hours and alert on unusual volumes."},
	{ID: "ISO27001:A.8.13", Framework: "ISO/IEC 27001:2022", Ref: "A.8.13", Title: "Information backup", Suggestion: "Take encrypted backups every day and prove with a restore drill that each table can be restored."},
	{ID: "ISO27001:A.8.15", Framework: "ISO/IEC 27001:2022", Ref: "A.8.15", Title: "Logging", Suggestion: "Collect login, data access, export and administration logs from every CRM, map them completely and keep them without gaps."},
	{ID: "ISO27001:A.8.16", Framework: "ISO/IEC 27001:2022", Ref: "A.8.16", Title: "Monitoring activities", Suggestion: "Run the detections on a schedule, route findings to an owner and track them until closed."},
	{ID: "ISO27001:A.8.24", Framework: "ISO/IEC 27001:2022", Ref: "A.8.24", Title: "Use of cryptography", Suggestion: "Encrypt backups with managed keys, rotate keys within their cryptoperiod and keep key material out of logs."},
	{ID: "GDPR:Art.5(1)(c)", Framework: "GDPR", Ref: "Art. 5(1)(c)", Title: "Data minimisation", Suggestion: "Show each person only the personal data needed for the task; give analysts protected datasets, not raw copies."},
	{ID: "GDPR:Art.5(1)(e)", Framework: "GDPR", Ref: "Art. 5(1)(e)", Title: "Storage limitation", Suggestion: "Keep personal data no longer than the documented retention period; enforce it in backups and datasets."},
	{ID: "GDPR:Art.25", Framework: "GDPR", Ref: "Art. 25", Title: "Data protection by design and by default", Suggestion: "Make protection the default: masked datasets, private record sharing, least-privilege roles."},
	{ID: "GDPR:Art.30", Framework: "GDPR", Ref: "Art. 30", Title: "Records of processing activities", Suggestion: "Keep the inventory of personal-data columns current (classification after every schema change)."},
	{ID: "GDPR:Art.32", Framework: "GDPR", Ref: "Art. 32", Title: "Security of processing", Suggestion: "Keep authentication, access control, encryption, backup and monitoring effective, and test them regularly."},
	{ID: "GDPR:Art.33", Framework: "GDPR", Ref: "Art. 33", Title: "Notification of a personal data breach", Suggestion: "Assess every high-severity finding within 72 hours of discovery and record whether it is a notifiable breach."},
	{ID: "PIPL:Art.51", Framework: "PIPL", Ref: "Art. 51", Title: "Security obligations of personal information handlers", Suggestion: "Keep classification, encryption/de-identification, access permissions and incident plans in force and evidenced."},
	{ID: "PIPL:Art.54", Framework: "PIPL", Ref: "Art. 54", Title: "Regular compliance audits", Suggestion: "Run this audit on a fixed schedule over complete logs and keep the signed reports."},
	{ID: "PIPL:Art.57", Framework: "PIPL", Ref: "Art. 57", Title: "Remedial measures and notification of security incidents", Suggestion: "Take remedial measures immediately after an incident and notify the authority and individuals when required."},
	{ID: "CCPA:1798.100(e)", Framework: "CCPA", Ref: "1798.100(e)", Title: "Reasonable security procedures and practices", Suggestion: "Maintain security appropriate to the personal information: MFA, least privilege, monitoring and encryption."},
	{ID: "CCPA:1798.105", Framework: "CCPA", Ref: "1798.105", Title: "Right to delete", Suggestion: "Complete verified deletion requests within the statutory period and keep evidence."},
	{ID: "CCPA:1798.150", Framework: "CCPA", Ref: "1798.150", Title: "Data breaches caused by a failure of reasonable security", Suggestion: "Prevent unauthorised access and exfiltration of non-encrypted personal information; investigate every such finding."},
}

type fdef struct {
	det, title, sev, user, key, detail, remediation string
	start, end                                      time.Time
	count, total                                    int64
	controls                                        []string
	evidence                                        []audit.Evidence
}

func (f fdef) finding() audit.Finding {
	ev := f.evidence
	if ev == nil {
		ev = []audit.Evidence{}
	}
	return audit.Finding{
		Fingerprint: audit.Fingerprint(f.det, f.user, f.key, f.start),
		Detection:   f.det, Title: f.title, Severity: f.sev, User: f.user, Key: f.key,
		WindowStart: f.start, WindowEnd: f.end, Count: f.count, Detail: f.detail,
		Controls: f.controls, Remediation: f.remediation, Evidence: ev, EvidenceTotal: f.total,
	}
}

const (
	remDisabled = "Disable the account at once, revoke its sessions and tokens, review what it accessed, and fix the leaver process so that accounts are disabled on the last working day."
	remTravel   = "Treat one of the two logins as not the account holder's: confirm with the holder, revoke sessions, reset the password and review what the foreign session accessed."
	remExport   = "Ask the account holder and their manager what the export was for and where the file went. Cap report exports for the role, require approval for bulk exports and consider blocking exports outside office hours."
	remSuccess  = "Ask the account holder whether the login was theirs. If not, reset the password, revoke the session, review what the session accessed and enforce MFA."
	remMFA      = "Re-enable MFA for the account, confirm the change with whoever made it, and restrict who may change authentication settings."
	remBrute    = "Confirm with the account holder, reset the password, make sure the CRM locks the account after repeated failures and that MFA is enforced, and block the source addresses if they are not the holder's."
	remUnowned  = "Ask the salesperson's manager whether the access was part of a handover or team assignment. Tighten the sharing model (private defaults, territory or team sharing) so that such access needs an explicit grant."
	remLocation = "Ask the account holder whether they were travelling. If not, reset the password, revoke sessions and review the session's activity; consider conditional-access rules that require MFA from new locations."
)

var (
	ctlDisabled = []string{"ISO27001:A.5.18", "ISO27001:A.5.15", "ISO27001:A.8.5", "GDPR:Art.32", "GDPR:Art.33", "PIPL:Art.51", "PIPL:Art.57", "CCPA:1798.150"}
	ctlTravel   = []string{"ISO27001:A.8.5", "ISO27001:A.8.16", "GDPR:Art.32", "GDPR:Art.33", "PIPL:Art.51", "PIPL:Art.57"}
	ctlExport   = []string{"ISO27001:A.8.12", "ISO27001:A.8.16", "GDPR:Art.32", "GDPR:Art.33", "PIPL:Art.51", "PIPL:Art.57", "CCPA:1798.100(e)", "CCPA:1798.150"}
	ctlSuccess  = []string{"ISO27001:A.8.5", "ISO27001:A.5.15", "ISO27001:A.8.16", "GDPR:Art.32", "GDPR:Art.33", "PIPL:Art.51", "PIPL:Art.57", "CCPA:1798.150"}
	ctlMFA      = []string{"ISO27001:A.8.5", "ISO27001:A.8.2", "GDPR:Art.32", "PIPL:Art.51", "CCPA:1798.100(e)"}
	ctlBrute    = []string{"ISO27001:A.8.5", "ISO27001:A.8.16", "GDPR:Art.32", "PIPL:Art.51", "CCPA:1798.150"}
	ctlUnowned  = []string{"ISO27001:A.8.3", "ISO27001:A.5.15", "GDPR:Art.5(1)(c)", "GDPR:Art.25", "GDPR:Art.32", "PIPL:Art.51"}
	ctlLocation = []string{"ISO27001:A.8.5", "ISO27001:A.8.16", "GDPR:Art.32", "PIPL:Art.51"}
)

const (
	uaChrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0 Safari/537.36"
	srcLogin = "salesforce-login"
	srcAudit = "salesforce-events"
)

func fixtureFindings() []fdef {
	return []fdef{
		{det: "disabled_account_activity", title: "Activity by a disabled or departed account", sev: "critical", user: "li.lei",
			detail: "account of a leaver (left 2025-02-28) used: 14 events on 2025-03-04", remediation: remDisabled, controls: ctlDisabled,
			start: at(4, 10, 2), end: at(4, 10, 40), count: 14, total: 14,
			evidence: []audit.Evidence{
				{Time: at(4, 10, 2), User: "li.lei", Role: "sales", Action: "login", SrcIP: "203.0.113.24", Country: "CN", City: "Shanghai", UserAgent: uaChrome, Status: "success", MFA: bptr(true), Source: srcLogin},
				{Time: at(4, 10, 9), User: "li.lei", Role: "sales", Action: "view", ObjectType: "account", ObjectID: mask("CUST-0042871"), SrcIP: "203.0.113.24", Country: "CN", City: "Shanghai", UserAgent: uaChrome, Source: srcAudit},
				{Time: at(4, 10, 31), User: "li.lei", Role: "sales", Action: "view", ObjectType: "contact", ObjectID: mask("li.na@example.com"), SrcIP: "203.0.113.24", Country: "CN", City: "Shanghai", UserAgent: uaChrome, Source: srcAudit},
			}},
		{det: "impossible_travel", title: "Impossible travel between two logins", sev: "high", user: "zhang.wei",
			detail: "Shanghai, CN -> Frankfurt, DE: 8870 km in 45 min (11827 km/h)", remediation: remTravel, controls: ctlTravel,
			start: at(3, 8, 55), end: at(3, 9, 40), count: 2, total: 2,
			evidence: []audit.Evidence{
				{Time: at(3, 8, 55), User: "zhang.wei", Role: "sales", Action: "login", SrcIP: "203.0.113.10", Country: "CN", City: "Shanghai", UserAgent: uaChrome, Status: "success", MFA: bptr(true), Source: srcLogin},
				{Time: at(3, 9, 40), User: "zhang.wei", Role: "sales", Action: "login", SrcIP: "198.51.100.77", Country: "DE", City: "Frankfurt", UserAgent: hostileUA, Status: "success", MFA: bptr(false), Source: srcLogin},
			}},
		{det: "offhours_bulk_export", title: "Bulk export outside office hours", sev: "high", user: "wang.fang",
			detail: "19400 records exported in 3 export(s) outside office hours (Asia/Shanghai)", remediation: remExport, controls: ctlExport,
			start: at(5, 23, 10), end: at(5, 23, 48), count: 3, total: 3,
			evidence: []audit.Evidence{
				{Time: at(5, 23, 10), User: "wang.fang", Role: "sales_manager", Action: "export", ObjectType: "report", ObjectID: "00O5g000004Xq7", RecordCount: i64(5200), SrcIP: "192.0.2.14", Country: "CN", City: "Hangzhou", UserAgent: uaChrome, Source: srcAudit},
				{Time: at(5, 23, 31), User: "wang.fang", Role: "sales_manager", Action: "export", ObjectType: "report", ObjectID: "00O5g000004Xq9", RecordCount: i64(8800), SrcIP: "192.0.2.14", Country: "CN", City: "Hangzhou", UserAgent: uaChrome, Source: srcAudit},
				{Time: at(5, 23, 48), User: "wang.fang", Role: "sales_manager", Action: "export", ObjectType: "account", ObjectID: mask("CUST-0042872"), RecordCount: i64(5400), SrcIP: "192.0.2.14", Country: "CN", City: "Hangzhou", UserAgent: uaChrome, Source: srcAudit},
			}},
		{det: "success_after_failures", title: "Successful login after repeated failures", sev: "high", user: "chen.jing",
			detail: "9 failed logins followed by a successful login", remediation: remSuccess, controls: ctlSuccess,
			start: at(6, 3, 12), end: at(6, 3, 20), count: 10, total: 10,
			evidence: []audit.Evidence{
				{Time: at(6, 3, 12), User: "chen.jing", Action: "login_failed", SrcIP: "203.0.113.99", Country: "VN", City: "Hanoi", UserAgent: "python-requests/2.31", Status: "failed", Detail: "INVALID_PASSWORD", Source: srcLogin},
				{Time: at(6, 3, 19), User: "chen.jing", Action: "login_failed", SrcIP: "203.0.113.98", Country: "VN", City: "Hanoi", UserAgent: "python-requests/2.31", Status: "failed", Detail: "INVALID_PASSWORD", Source: srcLogin},
				{Time: at(6, 3, 20), User: "chen.jing", Role: "support", Action: "login", SrcIP: "203.0.113.98", Country: "VN", City: "Hanoi", UserAgent: "python-requests/2.31", Status: "success", MFA: bptr(false), Source: srcLogin},
			}},
		{det: "mfa_disabled", title: "MFA disabled for an account", sev: "high", user: "zhao.min", key: "admin",
			detail: "MFA disabled for zhao.min", remediation: remMFA, controls: ctlMFA,
			start: at(2, 22, 5), end: at(3, 8, 40), count: 3, total: 3,
			evidence: []audit.Evidence{
				{Time: at(2, 22, 5), User: "admin", Role: "system_admin", Action: "mfa_change", ObjectType: "user", ObjectID: "zhao.min", SrcIP: "10.0.4.2", Detail: "MFA disabled", Source: srcAudit},
				{Time: at(3, 8, 40), User: "zhao.min", Role: "finance", Action: "login", SrcIP: "10.0.4.17", Country: "CN", City: "Shanghai", UserAgent: uaChrome, Status: "success", MFA: bptr(false), Source: srcLogin},
			}},
		{det: "brute_force", title: "Brute-force attack on one account", sev: "medium", user: "svc-integration",
			detail: "64 failed logins from 3 source IP(s), up to 41 within one window", remediation: remBrute, controls: ctlBrute,
			start: at(7, 2, 0), end: at(7, 2, 45), count: 64, total: 64,
			evidence: []audit.Evidence{
				{Time: at(7, 2, 0), User: "svc-integration", Action: "login_failed", SrcIP: "198.51.100.5", Country: "NL", City: "Amsterdam", UserAgent: "curl/8.4.0", Status: "failed", Detail: "INVALID_PASSWORD", Source: srcLogin},
				{Time: at(7, 2, 1), User: "svc-integration", Action: "login_failed", SrcIP: "198.51.100.6", Country: "NL", City: "Amsterdam", UserAgent: "curl/8.4.0", Status: "failed", Detail: "INVALID_PASSWORD", Source: srcLogin},
			}},
		{det: "unowned_customer_access", title: "Salesperson accessing customers they do not own", sev: "medium", user: "liu.yang",
			detail: "38 customer records owned by others accessed on 2025-03-06", remediation: remUnowned, controls: ctlUnowned,
			start: at(2, 20, 0), end: at(3, 11, 30), count: 38, total: 38,
			evidence: []audit.Evidence{
				{Time: at(2, 20, 0), User: "liu.yang", Role: "sales", Action: "view", ObjectType: "account", ObjectID: mask("13912345678"), SrcIP: "10.0.8.31", Country: "CN", City: "Beijing", UserAgent: uaChrome, Source: srcAudit},
				{Time: at(3, 9, 4), User: "liu.yang", Role: "sales", Action: "view", ObjectType: "account", ObjectID: mask("310101198001011234"), SrcIP: "10.0.8.31", Country: "CN", City: "Beijing", UserAgent: uaChrome, Source: srcAudit},
			}},
		{det: "new_location", title: "Login from a new country or city (异地登录)", sev: "medium", user: "sun.li",
			detail: "first successful login from Singapore, SG (3800 km from Shanghai)", remediation: remLocation, controls: ctlLocation,
			start: at(8, 11, 20), end: at(8, 11, 20), count: 1, total: 1,
			evidence: []audit.Evidence{
				{Time: at(8, 11, 20), User: "sun.li", Role: "sales", Action: "login", SrcIP: "192.0.2.200", Country: "SG", City: "Singapore", UserAgent: uaChrome, Status: "success", MFA: bptr(true), Source: srcLogin},
			}},
	}
}

// fixtureSuppressions: sun.li's new location is an accepted risk.
func fixtureSuppressions() []audit.Suppression {
	exp := time.Date(2025, 6, 30, 23, 59, 59, 0, time.UTC)
	return []audit.Suppression{
		{Detection: "new_location", User: "sun.li", Status: audit.SuppressAccepted, Reason: "Posted to the Singapore office until June; approved by the sales director",
			By: "dpo@example.com", Expires: &exp, File: "/etc/vigil/suppressions.yaml", Line: 3},
		{Fingerprint: "0123456789abcdef0123456789abcdef", Status: audit.SuppressFalsePositive, Reason: "Load test from the staging network",
			By: "secops@example.com", File: "/etc/vigil/suppressions.yaml", Line: 9},
	}
}

// suppress marks the finding of detection det as suppressed by s and keeps
// the report's counts consistent, the way the audit applies a suppression.
func suppress(r *audit.Report, det string, s audit.Suppression) {
	st := audit.SuppressionState{Suppression: s, State: "active"}
	for i := range r.Findings {
		f := &r.Findings[i]
		if f.Detection != det || f.Suppressed {
			continue
		}
		f.Suppressed = true
		f.Suppression = &audit.SuppressionRef{Status: s.Status, Reason: s.Reason, By: s.By, Expires: s.Expires}
		st.Matched++
		for j := range r.Detections {
			if r.Detections[j].ID == det {
				r.Detections[j].Suppressed++
			}
		}
		// the open finding no longer holds its controls down
		for j := range r.Controls {
			c := &r.Controls[j]
			var keep []string
			for _, fp := range c.Findings {
				if fp != f.Fingerprint {
					keep = append(keep, fp)
				}
			}
			c.Findings = keep
		}
	}
	r.Suppressions = append(r.Suppressions, st)
	r.Summary = summary(r)
	r.Charts.FindingsBySeverity = bySeverity(r.Findings)
}

func bySeverity(fs []audit.Finding) map[string]int {
	m := map[string]int{}
	for _, s := range detections.Severities {
		m[s] = 0
	}
	for _, f := range fs {
		if !f.Suppressed {
			m[f.Severity]++
		}
	}
	return m
}

var rank = map[string]int{audit.StatusNA: 0, audit.StatusPass: 1, audit.StatusWarn: 2, audit.StatusFail: 3}

func summary(r *audit.Report) audit.Summary {
	s := audit.Summary{Status: audit.StatusNA, OpenBySeverity: map[string]int{}, ChecksByStatus: map[string]int{}, ControlsByState: map[string]int{}}
	for _, src := range r.Sources {
		s.EventsInPeriod += src.InPeriod
		s.EventsRead += src.Read
		s.EventsUnmapped += src.Unmapped
	}
	for _, f := range r.Findings {
		if f.Suppressed {
			s.Suppressed++
			continue
		}
		s.OpenFindings++
		s.OpenBySeverity[f.Severity]++
	}
	for _, c := range r.Checks {
		s.ChecksByStatus[c.Status]++
	}
	for _, c := range r.Controls {
		s.ControlsByState[c.Status]++
		if rank[c.Status] > rank[s.Status] {
			s.Status = c.Status
		}
	}
	return s
}

// Message arguments for the fixture's evidence (the audit's own
// constructors are unexported).
func mtext(s string) audit.Arg    { return audit.Arg{Text: &s} }
func mterm(s string) audit.Arg    { return audit.Arg{Term: &s} }
func mint(n int64) audit.Arg      { return audit.Arg{Int: &n} }
func mpct(p float64) audit.Arg    { return audit.Arg{Pct: &p, Prec: 1} }
func mage(h int64) audit.Arg      { s := h * 3600; return audit.Arg{Age: &s} }
func mlimit(h int64) audit.Arg    { s := h * 3600; return audit.Arg{Limit: &s} }
func mdate(t time.Time) audit.Arg { return audit.Arg{Date: &t} }
func mtime(t time.Time) audit.Arg { return audit.Arg{Time: &t} }
func mmsg(m audit.Msg) audit.Arg  { return audit.Arg{Msg: &m} }
func mk(key string, a ...audit.Arg) audit.Msg {
	return audit.Msg{Key: key, Args: a}
}
func mtail(m audit.Msg, t ...audit.Msg) audit.Msg { m.Tail = append(m.Tail, t...); return m }

func fixtureChecks() []audit.Check {
	ck := func(id, title, status, rem string, controls []string, ev ...audit.Msg) audit.Check {
		c := audit.Check{ID: id, Title: title, Status: status, Evidence: []string{}, Controls: controls, Remediation: rem}
		for _, m := range ev {
			c.Evidence = append(c.Evidence, m.String())
			c.EvidenceMsgs = append(c.EvidenceMsgs, m)
		}
		return c
	}
	return []audit.Check{
		ck(audit.CheckSnapshots, "Daily encrypted snapshots of every table", audit.StatusPass, "Fix the failing snapshot job and take a snapshot of every listed table.",
			[]string{"ISO27001:A.8.13", "GDPR:Art.32", "PIPL:Art.51", "CCPA:1798.100(e)"},
			mk("snap.ok", mtext("customers"), mtext("20250310T010203Z-7f3a"), mage(1)),
			mk("snap.ok", mtext("orders"), mtext("20250310T010455Z-91c0"), mage(1))),
		ck(audit.CheckRestores, "Restore drills prove every table restores", audit.StatusFail, "Run `vigil verify` for the listed tables and fix what makes restores fail.",
			[]string{"ISO27001:A.8.13", "GDPR:Art.32", "PIPL:Art.51"},
			mk("restore.failed", mtext("orders"), mage(48), mtext("digest mismatch in data-00002.parquet")), mk("restore.never", mtext("staff"))),
		ck(audit.CheckProtection, "Personal-data columns are protected in analyst datasets", audit.StatusWarn, "Add a protection (mask, pseudonym, generalise or drop) for every personal-data column in the policy.",
			[]string{"ISO27001:A.8.11", "GDPR:Art.5(1)(c)", "GDPR:Art.25", "GDPR:Art.32", "PIPL:Art.51"},
			mk("protect.total", mpct(75), mint(4)), mk("protect.dataset", mtext("orders"), mint(3), mint(4))),
		ck(audit.CheckKAnonymity, "Analyst datasets reach their k-anonymity target", audit.StatusPass, "Generalise quasi-identifiers further or suppress small classes until k is reached.",
			[]string{"ISO27001:A.8.11", "GDPR:Art.5(1)(c)", "GDPR:Art.25", "PIPL:Art.51"},
			mk("kanon.k", mtext("customers_analytics"), mint(7), mint(5)), mk("kanon.k", mtext("orders_analytics"), mint(12), mint(10))),
		ck(audit.CheckKeys, "Keys are rotated within their cryptoperiod", audit.StatusPass, "Rotate the listed keys (`vigil keys rotate`); old data stays readable.",
			[]string{"ISO27001:A.8.24", "GDPR:Art.32", "PIPL:Art.51"}, mk("keys.age", mtext("k-3f2a"), mterm("wrap"), mage(41*24), mlimit(365*24))),
		ck(audit.CheckRuns, "Pipeline runs succeed", audit.StatusPass, "Look at the failed stages in the run ledger and fix their cause.",
			[]string{"ISO27001:A.8.16", "PIPL:Art.54"}, mk("runs.total", mint(21), mint(0)), mk("runs.latest", mterm("snapshot"), mtext("r-0310"), mage(9), mterm("success"))),
		ck(audit.CheckLogCoverage, "Access logs cover the whole period without gaps", audit.StatusPass, "Find out why the listed sources stopped delivering logs and backfill the gaps.",
			[]string{"ISO27001:A.8.15", "ISO27001:A.8.16", "PIPL:Art.54"},
			mtail(mk("cov.line", mmsg(mk("cov.all")), mint(166), mint(166)), mk("cov.share", mpct(100)), mk("cov.empty", mint(2), mint(168)), mk("cov.gap", mint(1), mtime(at(8, 3, 0))))),
		ck(audit.CheckLogMapping, "Every log event maps to the canonical schema", audit.StatusWarn, "Extend the mapping for the unknown actions listed under the sources, or fix the producer of unparsable lines.",
			[]string{"ISO27001:A.8.15"}, mtail(mk("map.line", mtext("salesforce-events"), mint(48730), mint(48318), mint(412), audit.Arg{Pct: func() *float64 { f := 0.85; return &f }(), Prec: 2}), mk("map.reason", mterm("unknown_action"), mint(398)), mk("map.reason_next", mterm("unparsable"), mint(14)))),
		ck(audit.CheckLeavers, "Accounts of people who left are disabled", audit.StatusFail, "Disable the listed accounts and tie account removal to the leaver process.",
			[]string{"ISO27001:A.5.18", "ISO27001:A.5.15", "GDPR:Art.32", "PIPL:Art.51"}, mk("leaver.active", mtext("li.lei"), mdate(time.Date(2025, 2, 28, 0, 0, 0, 0, time.UTC)))),
		ck(audit.CheckClassification, "Personal-data inventory is current", audit.StatusPass, "Re-run classification for the listed tables (after every schema change).",
			[]string{"GDPR:Art.30", "PIPL:Art.51"}, mk("cls.ok", mtext("customers"), mage(30), mint(7)), mk("cls.ok", mtext("orders"), mage(30), mint(4))),
		ck(audit.CheckRetention, "Retention periods are enforced", audit.StatusNA, "Run retention for the listed datasets so that nothing older than the limit is kept.",
			[]string{"GDPR:Art.5(1)(e)", "ISO27001:A.8.10", "CCPA:1798.105"}),
		ck(audit.CheckErasure, "Erasure requests are completed in time", audit.StatusPass, "Complete the overdue erasure requests and record them in the ledger.",
			[]string{"ISO27001:A.8.10", "CCPA:1798.105"}, mk("erasure.total", mint(2), mint(0), mint(0))),
		ck(audit.CheckIncidents, "High-severity findings are assessed for breach notification", audit.StatusFail, "Assess each open high or critical finding within 72 hours: record whether it is a personal data breach (notify if so) or suppress it with a reason.",
			[]string{"GDPR:Art.33", "PIPL:Art.57", "CCPA:1798.150"}, mk("inc.total", mint(2), mint(0)),
			mk("inc.open", mterm("critical"), mtext("offhours_bulk_export"), mtext("3f9c2a71b0d4"), mtext("wang.fang"), mtime(at(10, 9, 0)))),
		ck(audit.CheckDetections, "All detections ran on the period's logs", audit.StatusPass, "Provide the missing reference tables and fix failing detections so that monitoring is complete.",
			[]string{"ISO27001:A.8.16", "PIPL:Art.54"}, mk("det.total", mint(13), mint(0), mint(0))),
	}
}

func findingStatus(sev string) string {
	switch sev {
	case "critical", "high":
		return audit.StatusFail
	case "medium", "low":
		return audit.StatusWarn
	}
	return audit.StatusPass
}

// fixtureControlMatrix rates the copied catalog the way the audit does.
func fixtureControlMatrix(findings []audit.Finding, checks []audit.Check, runs []audit.DetectionRun) []audit.ControlResult {
	var out []audit.ControlResult
	for _, c := range fixtureControls {
		res := audit.ControlResult{Control: c, Status: audit.StatusNA, Evidence: []string{}}
		say := func(m audit.Msg) {
			res.Evidence = append(res.Evidence, m.String())
			res.EvidenceMsgs = append(res.EvidenceMsgs, m)
		}
		worst := func(s string) {
			if rank[s] > rank[res.Status] {
				res.Status = s
			}
		}
		var fixes []string
		for _, ch := range checks {
			if !contains(ch.Controls, c.ID) {
				continue
			}
			res.Checks = append(res.Checks, ch.ID)
			if ch.Status == audit.StatusNA {
				say(mk("ctl.check_na", mtext(ch.ID)))
				continue
			}
			worst(ch.Status)
			line := mk("ctl.check", mtext(ch.ID), mterm(ch.Status))
			if len(ch.EvidenceMsgs) > 0 {
				line = mtail(line, mk("ctl.first", mmsg(ch.EvidenceMsgs[0])))
			}
			say(line)
			if ch.Status == audit.StatusFail || ch.Status == audit.StatusWarn {
				fixes = append(fixes, ch.Remediation)
			}
		}
		for _, r := range runs {
			if !contains(r.Controls, c.ID) {
				continue
			}
			res.Detections = append(res.Detections, r.ID)
			if r.Status != audit.RunRan {
				worst(audit.StatusWarn)
				say(mk("ctl.det_other", mtext(r.ID), mterm(r.Status), mtext(r.Reason)))
				continue
			}
			worst(audit.StatusPass)
			say(mk("ctl.det_ran", mtext(r.ID), mint(r.Considered), mint(int64(r.Findings)), mint(int64(r.Findings-r.Suppressed))))
		}
		for _, f := range findings {
			if f.Suppressed || !contains(f.Controls, c.ID) {
				continue
			}
			res.Findings = append(res.Findings, f.Fingerprint)
			worst(findingStatus(f.Severity))
			if !contains(fixes, f.Remediation) {
				fixes = append(fixes, f.Remediation)
			}
		}
		res.Improvement = c.Suggestion
		if (res.Status == audit.StatusFail || res.Status == audit.StatusWarn) && len(fixes) > 0 {
			res.Improvement = strings.Join(fixes, " ")
		}
		out = append(out, res)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func fixtureCharts(from, to time.Time, findings []audit.Finding) audit.Charts {
	loc := shanghai()
	var c audit.Charts
	for t := from; t.Before(to); t = t.Add(time.Hour) {
		lt := t.In(loc)
		h := lt.Hour()
		n := int64(0)
		if h >= 8 && h < 19 {
			n = int64(2 + (h*7+lt.Day()*3)%5)
		} else {
			n = int64((h + lt.Day()) % 3)
		}
		switch {
		case lt.Day() == 7 && h == 2:
			n = 64 // the brute force
		case lt.Day() == 6 && h == 3:
			n = 9
		}
		c.FailedLoginsPerHour = append(c.FailedLoginsPerHour, audit.TimeCount{Time: t, Count: n})
	}
	for t := from.Truncate(24 * time.Hour); t.Before(to); t = t.Add(24 * time.Hour) {
		wd := (int(t.Weekday()) + 6) % 7
		n := int64(7800 - wd*350)
		if wd >= 5 {
			n = int64(1200 + wd*40)
		}
		c.EventsPerDay = append(c.EventsPerDay, audit.TimeCount{Time: t, Count: n})
	}
	c.EventsPerDay[0].Count /= 3 // the partial first day
	c.ExportsPerUser = []audit.UserExports{
		{User: "wang.fang", Exports: 11, Records: 31250},
		{User: "zhou.xin", Exports: 26, Records: 12480},
		{User: "liu.yang", Exports: 9, Records: 6120},
		{User: "zhang.wei", Exports: 14, Records: 4875},
		{User: "huang.lei", Exports: 7, Records: 2210},
		{User: "sun.li", Exports: 5, Records: 1290},
		{User: "xu.ming", Exports: 3, Records: 640},
		{User: "svc-integration", Exports: 1, Records: 120},
	}
	for d := 0; d < 7; d++ {
		for h := 0; h < 24; h++ {
			var n int64
			switch {
			case d < 5 && h >= 9 && h < 18:
				n = int64(520 + (h*37+d*53)%180)
				if h == 12 {
					n -= 260
				}
			case d < 5 && (h == 8 || h == 18 || h == 19):
				n = int64(140 + (h*11+d*7)%60)
			case d >= 5 && h >= 10 && h < 17:
				n = int64(40 + (h*13+d)%35)
			default:
				n = int64((h*3 + d*5) % 12)
			}
			c.AccessHeatmap[d][h] = n
		}
	}
	c.AccessHeatmap[2][23] = 96 // wang.fang's export night
	c.AccessHeatmap[4][3] = 71  // chen.jing's hijacked session
	c.FindingsBySeverity = bySeverity(findings)
	return c
}

// fixtureAudit is this week's audit: eight findings, one of them
// suppressed as an accepted risk.
func fixtureAudit() *audit.Report {
	from, to := at(3, 0, 0), at(10, 0, 0)
	var findings []audit.Finding
	for _, f := range fixtureFindings() {
		findings = append(findings, f.finding())
	}
	sort.SliceStable(findings, func(i, j int) bool { // the audit's order
		a, b := findings[i], findings[j]
		if ra, rb := detections.SeverityRank(a.Severity), detections.SeverityRank(b.Severity); ra != rb {
			return ra < rb
		}
		if !a.WindowStart.Equal(b.WindowStart) {
			return a.WindowStart.Before(b.WindowStart)
		}
		return a.Fingerprint < b.Fingerprint
	})
	first, last := at(1, 0, 4), at(9, 23, 58)
	r := &audit.Report{
		Format:      audit.ReportFormat,
		GeneratedAt: time.Date(2025, 3, 9, 20, 0, 0, 0, time.UTC),
		Period:      audit.Period{From: from, To: to},
		TimeZone:    "Asia/Shanghai",
		Sources: []audit.SourceStats{
			{Name: srcLogin, Mapping: "salesforce-loginevent", Format: "jsonl", Files: []string{"logs/login-2025-03.jsonl"}, Read: 21480, Mapped: 21480, InPeriod: 18904, FirstEvent: &first, LastEvent: &last},
			{Name: srcAudit, Mapping: "salesforce-eventlog", Format: "csv", Files: []string{"logs/ReportEvent.csv", "logs/ApiEvent.csv"}, Read: 27662, Mapped: 27250, Unmapped: 412, InPeriod: 24212,
				Reasons: map[string]int64{"unknown action": 398, "no time": 14}, UnknownActions: []audit.ValueCount{{Value: "ListViewEvent", Count: 398}}, FirstEvent: &first, LastEvent: &last},
		},
		References: []audit.ReferenceStats{{Name: "staff", Provided: true, Source: "refs/staff.csv", Rows: 84}, {Name: "ownership", Provided: true, Source: "refs/ownership.csv", Rows: 12877}},
		Findings:   findings,
		Checks:     fixtureChecks(),
	}
	dets := []struct {
		id, title, sev string
		controls       []string
		considered     int64
	}{
		{"admin_grant", "Administrator privileges granted", "high", []string{"ISO27001:A.8.2", "ISO27001:A.5.18", "GDPR:Art.32", "PIPL:Art.51"}, 12},
		{"brute_force", "Brute-force attack on one account", "medium", ctlBrute, 512},
		{"disabled_account_activity", "Activity by a disabled or departed account", "critical", ctlDisabled, 43116},
		{"impossible_travel", "Impossible travel between two logins", "high", ctlTravel, 18392},
		{"mfa_disabled", "MFA disabled for an account", "high", ctlMFA, 3},
		{"new_location", "Login from a new country or city (异地登录)", "medium", ctlLocation, 18392},
		{"offhours_bulk_export", "Bulk export outside office hours", "high", ctlExport, 76},
		{"success_after_failures", "Successful login after repeated failures", "high", ctlSuccess, 18904},
		{"unowned_customer_access", "Salesperson accessing customers they do not own", "medium", ctlUnowned, 21790},
	}
	for _, d := range dets {
		run := audit.DetectionRun{ID: d.id, Title: d.title, Severity: d.sev, Controls: d.controls, Status: audit.RunRan, Considered: d.considered, Description: d.title + "."}
		for _, f := range findings {
			if f.Detection == d.id {
				run.Findings++
			}
		}
		r.Detections = append(r.Detections, run)
	}
	r.Detections = append(r.Detections, audit.DetectionRun{ID: "dormant_account", Title: "Dormant account logs in again", Severity: "medium",
		Controls: []string{"ISO27001:A.5.18", "ISO27001:A.8.5", "GDPR:Art.32", "PIPL:Art.51"}, Status: audit.RunSkipped, Reason: "no [staff] reference rows", ReasonMsg: &audit.Msg{Key: "det.noref", Args: []audit.Arg{mtext("[staff]")}}})
	r.Controls = fixtureControlMatrix(findings, r.Checks, r.Detections)
	r.Charts = fixtureCharts(from, to, findings)
	r.Summary = summary(r)
	r.Suppressions = []audit.SuppressionState{}
	sups := fixtureSuppressions()
	suppress(r, "new_location", sups[0])
	r.Suppressions = append(r.Suppressions, audit.SuppressionState{Suppression: sups[1], State: "active"})
	// A case register is kept: findings gone from the open list were closed.
	r.Cases = &audit.CaseStats{Total: 9, Open: 8, ByState: map[string]int{audit.CaseOpen: 8, audit.CaseRemediated: 1},
		OpenBySeverity: map[string]int{"high": 4, "medium": 3, "critical": 1}, Remediated: 1, MedianToClose: "50h0m0s", MedianToCloseH: 50,
		Periods:         fixtureCasePeriods(),
		TimeToRemediate: []audit.SeverityTTR{{Severity: "high", Closed: 1, MedianH: 50, P90H: 50}}}
	return r
}

// fixtureCasePeriods are fourteen weekly report periods across New Year,
// the last one this fixture's period.
func fixtureCasePeriods() []audit.CasePeriod {
	var out []audit.CasePeriod
	end := time.Date(2025, 3, 10, 0, 0, 0, 0, shanghai())
	for i := 13; i >= 0; i-- {
		to := end.AddDate(0, 0, -7*i)
		p := audit.Period{From: to.AddDate(0, 0, -7).UTC(), To: to.UTC()}
		by := map[string]int{"high": 1 + (13-i)%4, "medium": 2 + i%3, "low": i % 2}
		if i < 3 {
			by["critical"] = 1
		}
		if i == 0 {
			by = map[string]int{"high": 4, "medium": 3, "critical": 1}
		}
		out = append(out, audit.CasePeriod{At: to.Add(4 * time.Hour).UTC(), Period: &p, BySeverity: by})
	}
	return out
}

// fixturePrevious is last week's audit: the MFA and unowned-access findings,
// whose windows began before this period, carry over (same fingerprints); a
// brute force has since been resolved.
func fixturePrevious() *audit.Report {
	cur := fixtureAudit()
	var keep []audit.Finding
	for _, f := range cur.Findings {
		if f.Detection == "mfa_disabled" || f.Detection == "unowned_customer_access" {
			keep = append(keep, f)
		}
	}
	old := fdef{det: "brute_force", title: "Brute-force attack on one account", sev: "medium", user: "zhou.xin",
		detail: "27 failed logins from 1 source IP(s), up to 27 within one window", remediation: remBrute, controls: ctlBrute,
		start: time.Date(2025, 2, 26, 1, 0, 0, 0, time.UTC), end: time.Date(2025, 2, 26, 1, 30, 0, 0, time.UTC), count: 27, total: 27}
	keep = append(keep, old.finding())
	p := &audit.Report{
		Format:      audit.ReportFormat,
		GeneratedAt: time.Date(2025, 3, 2, 17, 30, 0, 0, time.UTC),
		Period:      audit.Period{From: time.Date(2025, 2, 23, 16, 0, 0, 0, time.UTC), To: time.Date(2025, 3, 2, 16, 0, 0, 0, time.UTC)},
		TimeZone:    "Asia/Shanghai",
		Findings:    keep,
		Checks:      cur.Checks,
	}
	p.Controls = fixtureControlMatrix(keep, p.Checks, nil)
	p.Summary = summary(p)
	return p
}

func fixtureInventory() []InventoryRow {
	return []InventoryRow{
		{Table: "customers", Column: "customer_id", Class: "customer_id", Category: "direct_identifier", Confidence: 0.98, Protection: "pseudonym"},
		{Table: "customers", Column: "full_name", Class: "person_name", Category: "direct_identifier", Confidence: 0.93, Protection: "redact"},
		{Table: "customers", Column: "mobile", Class: "cn_mobile", Category: "direct_identifier", Confidence: 1, Protection: "mask(keep_suffix=4)"},
		{Table: "customers", Column: "email", Class: "email", Category: "direct_identifier", Confidence: 1, Protection: "pseudonym"},
		{Table: "customers", Column: "id_number", Class: "cn_resident_id", Category: "pipl_sensitive", Confidence: 0.99, Protection: "drop"},
		{Table: "customers", Column: "birth_date", Class: "birth_date", Category: "quasi_identifier", Confidence: 0.91, Protection: "generalize(level=2)"},
		{Table: "customers", Column: "gender", Class: "gender", Category: "quasi_identifier", Confidence: 0.88, Protection: "pass"},
		{Table: "customers", Column: "city", Class: "city", Category: "quasi_identifier", Confidence: 0.74, Protection: "generalize(level=1)", Review: true},
		{Table: "customers", Column: "annual_income", Class: "income", Category: "sensitive_attribute", Confidence: 0.81, Protection: "bucket(width=50000)"},
		{Table: "customers", Column: "segment", Category: "none", Confidence: 0.95, Protection: "pass"},
		{Table: "orders", Column: "order_id", Category: "none", Confidence: 0.97, Protection: "pass"},
		{Table: "orders", Column: "customer_id", Class: "customer_id", Category: "direct_identifier", Confidence: 0.97, Protection: "pseudonym"},
		{Table: "orders", Column: "收货地址", Class: "address", Category: "direct_identifier", Confidence: 0.86, Protection: "pass"},
		{Table: "orders", Column: "amount", Category: "none", Confidence: 0.9, Protection: "pass"},
		{Table: "orders", Column: "card_last4", Class: "bank_card", Category: "pipl_sensitive", Confidence: 0.62, Protection: "mask(keep_suffix=4)", Review: true},
		{Table: "orders", Column: "created_at", Class: "event_time", Category: "quasi_identifier", Confidence: 0.7, Protection: "date_shift(max_days=3)"},
	}
}

func fixtureInput() Input {
	return Input{
		Audit:        fixtureAudit(),
		Previous:     fixturePrevious(),
		Inventory:    fixtureInventory(),
		Title:        "CRM data-protection audit",
		Organization: "Example Trading Co., Ltd.",
		Datasets: []DatasetRow{
			{Table: "orders_analytics", Created: at(10, 2, 14), Rows: 402118, K: 12, TargetK: 10, SuppressedRows: 211, Risk: 1.0 / 12},
			{Table: "customers_analytics", Created: at(10, 2, 11), Rows: 12839, K: 7, TargetK: 5, L: 2, SuppressedRows: 38, Risk: 1.0 / 7},
		},
		Backups: []BackupRow{
			{Table: "customers", SnapshotID: "20250310T010203Z-7f3a", Created: at(10, 1, 2), Rows: 12877, VerifiedAt: at(10, 3, 0), VerifyOK: true},
			{Table: "orders", SnapshotID: "20250310T010455Z-91c0", Created: at(10, 1, 4), Rows: 402329, VerifiedAt: at(8, 3, 0), VerifyOK: false, Detail: "digest mismatch in data-00002.parquet"},
			{Table: "staff", SnapshotID: "20250310T010601Z-02bd", Created: at(10, 1, 6), Rows: 84},
		},
	}
}
