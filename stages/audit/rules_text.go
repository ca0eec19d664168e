package audit

// checkRules states, per check, the rule that decides its status: what a
// DPO reads next to "pass" to know what it rests on.
var checkRules = map[string]string{
	CheckSnapshots:      "pass: every table has a successful snapshot younger than the limit (default 26h); fail: any table without one; n/a: no tables known",
	CheckRejects:        "pass: no table's last extraction rejected a row; warn: a committed snapshot rejected rows (within max_rejected); fail: a table's last extraction failed on its rejects; n/a (not shown): no extraction evidence",
	CheckRestores:       "pass: every table's last restore drill succeeded within the limit (default 8 days); fail: a table never verified, failed or overdue; n/a: no tables known",
	CheckProtection:     "pass: every personal-data column is protected in the analyst datasets; warn: at least the minimum share (default 90%); fail: below; n/a: no dataset descriptions",
	CheckDisclosure:     "pass: every analyst dataset recorded a passed disclosure check before it was published; fail: any failed or recorded none (also when datasets exist and none records one); n/a: no analyst datasets",
	CheckKAnonymity:     "pass: every dataset reached its k (and l) target; fail: any missed; n/a: no privacy evidence",
	CheckKeys:           "pass: every key created or rotated within the cryptoperiod (default 365 days); warn: in its last tenth; fail: overdue or undated; n/a: no keys",
	CheckRuns:           "pass: every stage's latest run succeeded and none failed; warn: earlier runs failed; fail: a latest run failed; n/a: no ledger",
	CheckLogCoverage:    "pass: events in at least 99% of the hours where activity is expected (weekday-hour slots active in at least a quarter of the period's weeks) and no gap of 24h or more; warn: 90% or a 24h gap; fail: less, a 72h gap, or no events at all; n/a: no log sources",
	CheckLogMapping:     "pass: every event read maps to the canonical schema; warn: some unmapped; fail: above the limit (default 5%) or a source read nothing; n/a: no log sources",
	CheckLeavers:        "pass: every leaver in the staff table is disabled; fail: any active; n/a: no staff table",
	CheckClassification: "pass: every table classified within 90 days and after its last schema change; warn: older; fail: never or before a schema change; n/a: no classification",
	CheckRetention:      "pass: no dataset keeps records beyond its limit; fail: any does; n/a: no retention evidence",
	CheckErasure:        "pass: every erasure request completed within the limit (default 30 days); fail: any late; n/a: no erasure ledger",
	CheckIncidents:      "pass: every open critical/high finding is assessed (case notified or closed, or suppressed with a reason); warn: any not assessed",
	CheckKeyEscrow:      "pass: an escrow export of the keyset is recorded within the limit (default 90 days) and no key was created after it; fail: never escrowed, older than the limit, or a key created since (fails closed); n/a: no keyset",
	CheckErasureBackups: "pass: every erasure is listed with the snapshots still holding its subject (left out of every restore); warn: a subject still held longer than the limit (default 365 days); n/a: no erasures",
	CheckDetections:     "pass: every detection ran; warn: one was skipped for a missing reference table; fail: one failed",
	CheckRecordArt30:    "pass: every item of the record is filled in from the config or evidenced; fail: any item missing; n/a: no record was built",
	CheckRecordPIA:      "pass: every item of the assessment is filled in from the config or evidenced and it is kept at least three years; fail: any gap; n/a: no assessment was built",
}

// CheckIDs lists every posture check id, sorted.
func CheckIDs() []string { return sortedKeys(checkRules) }
