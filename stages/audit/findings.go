package audit

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/vigil-dg/vigil/rules/detections"
)

// Fingerprint identifies a finding across reports: the detection, the user,
// the key and the start of its window. It does not depend on evidence,
// counts or the run.
func Fingerprint(detection, user, key string, windowStart time.Time) string {
	h := sha256.New()
	for _, s := range []string{"vigil-finding-v1", detection, strings.ToLower(user), key, windowStart.UTC().Format(time.RFC3339)} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// staffObjectTypes are object types whose ids name staff or configuration,
// not customers; every other object id is masked in evidence.
var staffObjectTypes = map[string]bool{
	"user": true, "role": true, "profile": true, "permission_set": true, "permission": true, "group": true,
	"setting": true, "report": true, "dashboard": true, "dataset": true, "application": true,
}

// detailActions are the actions whose detail is shown in evidence: it names
// privileges, MFA states and login errors, never customer data.
var detailActions = map[string]bool{
	"permission_change": true, "mfa_change": true, "login_failed": true,
}

// randomMask returns a per-run keyed pseudonym: stable within one report,
// unlinkable across reports, not reversible.
func randomMask() func(string) string {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return func(string) string { return "[masked]" }
	}
	return func(s string) string {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(s))
		return "cust-" + hex.EncodeToString(m.Sum(nil)[:5])
	}
}

// newFinding turns a rule result into a report finding (without evidence).
func newFinding(r *detections.Rule, f rawFinding) Finding {
	return Finding{
		Fingerprint:   Fingerprint(r.ID, f.user, f.key, f.start),
		Detection:     r.ID,
		Title:         r.Title,
		Severity:      r.Severity,
		User:          f.user,
		Key:           f.key,
		WindowStart:   f.start,
		WindowEnd:     f.end,
		Count:         f.count,
		Detail:        f.detail,
		Controls:      r.Controls,
		Remediation:   r.Remediation,
		EvidenceTotal: f.evidenceTotal,
		Evidence:      []Evidence{},
	}
}

// loadEvidence fetches the evidence events of all findings in one pass and
// masks customer identifiers.
func (e *engine) loadEvidence(ctx context.Context, findings []Finding, ids [][]int64, mask func(string) string) error {
	var fi []int32
	var eid []int64
	for i, list := range ids {
		for _, id := range list {
			fi = append(fi, int32(i))
			eid = append(eid, id)
		}
	}
	if len(eid) == 0 {
		return nil
	}
	if err := e.exec(ctx, `CREATE OR REPLACE TEMP TABLE evidence_ids AS
		SELECT unnest(CAST($1 AS INTEGER[])) AS fi, unnest(CAST($2 AS BIGINT[])) AS eid`, fi, eid); err != nil {
		return fmt.Errorf("%w: evidence: %v", ErrEngine, err)
	}
	rows, err := e.conn.QueryContext(ctx, `SELECT i.fi, e.time, e."user", e.role, e.action, e.object_type, e.object_id,
		e.record_count, e.src_ip, e.country, e.city, e.user_agent, e.session_id, e.status, e.mfa, e.detail, e.source
		FROM evidence_ids i JOIN events e ON e.event_id = i.eid
		ORDER BY i.fi, e.time, e.event_id`)
	if err != nil {
		return fmt.Errorf("%w: evidence: %v", ErrEngine, err)
	}
	defer rows.Close()
	for rows.Next() {
		var idx int32
		var ev Evidence
		var user, role, objType, objID, ip, country, city, ua, sess, status, detail sql.NullString
		var rc sql.NullInt64
		var mfa sql.NullBool
		if err := rows.Scan(&idx, &ev.Time, &user, &role, &ev.Action, &objType, &objID, &rc, &ip, &country, &city,
			&ua, &sess, &status, &mfa, &detail, &ev.Source); err != nil {
			return err
		}
		ev.Time = ev.Time.UTC()
		ev.User, ev.Role, ev.ObjectType = user.String, role.String, objType.String
		ev.SrcIP, ev.Country, ev.City, ev.UserAgent, ev.SessionID, ev.Status = ip.String, country.String, city.String, ua.String, sess.String, status.String
		if objID.Valid && objID.String != "" {
			if staffObjectTypes[strings.ToLower(objType.String)] {
				ev.ObjectID = objID.String
			} else {
				ev.ObjectID = mask(objID.String)
			}
		}
		if rc.Valid {
			n := rc.Int64
			ev.RecordCount = &n
		}
		if mfa.Valid {
			b := mfa.Bool
			ev.MFA = &b
		}
		if detailActions[ev.Action] {
			ev.Detail = detail.String
		}
		if int(idx) < len(findings) {
			findings[idx].Evidence = append(findings[idx].Evidence, ev)
		}
	}
	return rows.Err()
}
