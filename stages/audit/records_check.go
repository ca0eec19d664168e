package audit

// Record check ids: a formal record is complete only when every item it
// needs is stated or evidenced.
const (
	CheckRecordArt30 = "records.art30"
	CheckRecordPIA   = "records.pia"
)

// RecordEvidence is the completeness of one formal record (built by the
// caller, package reports, from the config and Vigil's evidence).
type RecordEvidence struct {
	Kind string   // "art30" | "pia"
	Gaps []string // missing inputs; empty: complete
}

// recordChecks rates the formal records: pass only when complete, fail when
// a record is missing or has gaps; n/a when the caller supplied none.
func recordChecks(recs []RecordEvidence) []Check {
	var out []Check
	for _, k := range []struct{ id, kind string }{{CheckRecordArt30, "art30"}, {CheckRecordPIA, "pia"}} {
		c := newCheck(k.id)

		for _, r := range recs {
			if r.Kind != k.kind {
				continue
			}
			if len(r.Gaps) == 0 {
				c.Status = StatusPass
				c.say(msg("rec.complete"))
				continue
			}
			c.Status = StatusFail
			c.say(msg("rec.gaps", aInt(len(r.Gaps))))
			for _, g := range r.Gaps {
				c.say(msg("rec.gap", aText(g)))
			}
		}
		out = append(out, c)
	}
	return out
}
