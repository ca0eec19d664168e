package audit

import "strings"

// CheckDisclosure is the check that every analyst dataset passed the
// disclosure check before it was published. The anonymization controls
// (ISO/IEC 27001 A.8.11, GDPR Art. 25 and 32, PIPL Art. 51) pass only when
// it passes: on positive evidence for every dataset.
const CheckDisclosure = "protect.disclosure"

// DisclosureEvidence is the disclosure check recorded in a dataset's
// _vigil.json. Checked is false when the dataset has no check (not
// published, or written by an older version): that is no evidence.
type DisclosureEvidence struct {
	Dataset  string
	Checked  bool
	Passed   bool
	Failures []string // column and figure, never a value
	K        int      // smallest class size accepted
	Rows     int64    // released rows checked
	MinClass int64    // smallest class over the quasi-identifiers
	Columns  int      // released columns checked
}

func (p PostureInput) disclosureCheck() Check {
	c := newCheck(CheckDisclosure)
	if len(p.Disclosure) == 0 {
		if len(p.Protection) > 0 {
			c.Status = StatusFail
			c.say(msg("disc.none"))
		}
		return c
	}
	c.Status = StatusPass
	for _, d := range p.Disclosure {
		switch {
		case !d.Checked:
			c.Status = StatusFail
			c.say(msg("disc.unchecked", aText(d.Dataset)))
		case !d.Passed:
			c.Status = StatusFail
			c.say(msg("disc.failed", aText(d.Dataset), aText(strings.Join(d.Failures, "; "))))
		default:
			c.say(msg("disc.passed", aText(d.Dataset), aInt(d.K), aInt(d.Rows), aInt(d.MinClass), aInt(d.Columns)))
		}
	}
	return c
}
