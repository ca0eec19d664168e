package audit

// CheckRejects is the check that source rows are not lost silently: each
// table's last extraction, and how many of the rows it read it rejected
// (with `vigil rejects TABLE` to see file, line, column and reason).
const CheckRejects = "extract.rejects"

// RejectsEvidence is a table's last extraction: a committed snapshot or a
// failed attempt (Failed), and its rejected rows.
type RejectsEvidence struct {
	Table        string
	ID           string // snapshot or failed-extraction id
	Failed       bool
	RowsRead     int64
	RowsRejected int64
}

// rejectsCheck: pass when no table's last extraction rejected a row; warn
// when a committed snapshot rejected rows (within its max_rejected); fail
// when a table's last extraction failed with rejects. One evidence line
// per table with rejects, counts only.
func (p PostureInput) rejectsCheck() Check {
	c := newCheck(CheckRejects)
	if len(p.Rejects) == 0 {
		return c
	}
	c.Status = StatusPass
	clean := 0
	for _, r := range p.Rejects {
		if r.RowsRejected == 0 && !r.Failed {
			clean++
			continue
		}
		share := 0.0
		if r.RowsRead > 0 {
			share = 100 * float64(r.RowsRejected) / float64(r.RowsRead)
		}
		if r.Failed {
			c.Status = StatusFail
			c.say(msg("rejects.failed", aText(r.Table), aText(r.ID), aInt(r.RowsRejected), aInt(r.RowsRead), aPct(share, 2)))
			continue
		}
		c.Status = worst(c.Status, StatusWarn)
		c.say(msg("rejects.committed", aText(r.Table), aText(r.ID), aInt(r.RowsRejected), aInt(r.RowsRead), aPct(share, 2)))
	}
	if clean > 0 {
		c.say(msg("rejects.clean", aInt(clean)))
	}
	return c
}
