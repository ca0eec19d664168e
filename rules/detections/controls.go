package detections

// Control is one entry of the control catalog that detections and posture
// checks map to.
type Control struct {
	ID         string `json:"id"`        // e.g. "ISO27001:A.8.5", "GDPR:Art.32", "PIPL:Art.51"
	Framework  string `json:"framework"` // ISO/IEC 27001:2022 | GDPR | PIPL | CCPA
	Ref        string `json:"ref"`       // the clause as cited: "A.8.5", "Art. 32"
	Title      string `json:"title"`
	Suggestion string `json:"suggestion"` // standing improvement suggestion
}

const (
	fwISO  = "ISO/IEC 27001:2022"
	fwGDPR = "GDPR"
	fwPIPL = "PIPL"
	fwCCPA = "CCPA"
)

var catalog = []Control{
	{"ISO27001:A.5.15", fwISO, "A.5.15", "Access control",
		"Write down who may access which customer records and enforce it with the CRM sharing model; review exceptions monthly."},
	{"ISO27001:A.5.18", fwISO, "A.5.18", "Access rights",
		"Tie account provisioning and removal to HR joiner/mover/leaver events; disable accounts on the last working day and review dormant accounts."},
	{"ISO27001:A.8.2", fwISO, "A.8.2", "Privileged access rights",
		"Keep administrator rights to a named few, grant them through a ticketed change, require MFA and review grants every quarter."},
	{"ISO27001:A.8.3", fwISO, "A.8.3", "Information access restriction",
		"Restrict staff to the customers they serve (private sharing defaults, territory rules) and log access to others' records."},
	{"ISO27001:A.8.5", fwISO, "A.8.5", "Secure authentication",
		"Enforce MFA for all interactive logins, lock accounts after repeated failures and alert on credential attacks."},
	{"ISO27001:A.8.10", fwISO, "A.8.10", "Information deletion",
		"Delete personal data when its retention period ends or on request, and keep an erasure ledger as evidence."},
	{"ISO27001:A.8.11", fwISO, "A.8.11", "Data masking",
		"Give analysts only masked, pseudonymised or generalised data that reaches the agreed k-anonymity level."},
	{"ISO27001:A.8.12", fwISO, "A.8.12", "Data leakage prevention",
		"Cap report exports, block or review bulk exports outside working hours and alert on unusual volumes."},
	{"ISO27001:A.8.13", fwISO, "A.8.13", "Information backup",
		"Take encrypted backups every day and prove with a restore drill that each table can be restored."},
	{"ISO27001:A.8.15", fwISO, "A.8.15", "Logging",
		"Collect login, data access, export and administration logs from every CRM, map them completely and keep them without gaps."},
	{"ISO27001:A.8.16", fwISO, "A.8.16", "Monitoring activities",
		"Run the detections on a schedule, route findings to an owner and track them until closed."},
	{"ISO27001:A.8.24", fwISO, "A.8.24", "Use of cryptography",
		"Encrypt backups with managed keys, rotate keys within their cryptoperiod and keep key material out of logs."},
	{"GDPR:Art.5(1)(c)", fwGDPR, "Art. 5(1)(c)", "Data minimisation",
		"Show each person only the personal data needed for the task; give analysts protected datasets, not raw copies."},
	{"GDPR:Art.5(1)(e)", fwGDPR, "Art. 5(1)(e)", "Storage limitation",
		"Keep personal data no longer than the documented retention period; enforce it in backups and datasets."},
	{"GDPR:Art.25", fwGDPR, "Art. 25", "Data protection by design and by default",
		"Make protection the default: masked datasets, private record sharing, least-privilege roles."},
	{"GDPR:Art.30", fwGDPR, "Art. 30", "Records of processing activities",
		"Keep the inventory of personal-data columns current (classification after every schema change)."},
	{"GDPR:Art.32", fwGDPR, "Art. 32", "Security of processing",
		"Keep authentication, access control, encryption, backup and monitoring effective, and test them regularly."},
	{"GDPR:Art.33", fwGDPR, "Art. 33", "Notification of a personal data breach",
		"Assess every high-severity finding within 72 hours of discovery and record whether it is a notifiable breach."},
	{"PIPL:Art.51", fwPIPL, "Art. 51", "Security obligations of personal information handlers",
		"Keep classification, encryption/de-identification, access permissions and incident plans in force and evidenced."},
	{"PIPL:Art.54", fwPIPL, "Art. 54", "Regular compliance audits",
		"Run this audit on a fixed schedule over complete logs and keep the signed reports."},
	{"PIPL:Art.55", fwPIPL, "Art. 55-56", "Personal information protection impact assessment",
		"Assess processing of sensitive personal information, entrusted processing, provision to others and transfers abroad beforehand; keep the assessment for at least three years."},
	{"PIPL:Art.57", fwPIPL, "Art. 57", "Remedial measures and notification of security incidents",
		"Take remedial measures immediately after an incident and notify the authority and individuals when required."},
	{"CCPA:1798.100(e)", fwCCPA, "1798.100(e)", "Reasonable security procedures and practices",
		"Maintain security appropriate to the personal information: MFA, least privilege, monitoring and encryption."},
	{"CCPA:1798.105", fwCCPA, "1798.105", "Right to delete",
		"Complete verified deletion requests within the statutory period and keep evidence."},
	{"CCPA:1798.150", fwCCPA, "1798.150", "Data breaches caused by a failure of reasonable security",
		"Prevent unauthorised access and exfiltration of non-encrypted personal information; investigate every such finding."},
}

// Controls returns the control catalog in report order.
func Controls() []Control {
	return append([]Control(nil), catalog...)
}

// LookupControl returns the catalog entry for id.
func LookupControl(id string) (Control, bool) {
	for _, c := range catalog {
		if c.ID == id {
			return c, true
		}
	}
	return Control{}, false
}
