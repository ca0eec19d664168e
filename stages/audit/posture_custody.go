package audit

import (
	"sort"
	"strings"
	"time"
)

// Check ids of the key custody and erasure-in-backups checks.
const (
	// CheckKeyEscrow passes only on positive evidence that the whole
	// current keyset has a recovery copy: an escrow export recorded, within
	// the limit, and no key created after it (an escrow made before a
	// rotation cannot open what the new key wraps).
	CheckKeyEscrow = "crypto.key_escrow"
	// CheckErasureBackups lists every erasure (by keyed hash of the
	// subject, never the value) with the snapshots that still hold the
	// subject until retention removes them.
	CheckErasureBackups = "erasure.backups"
)

// EscrowEvidence is what the keyset's custody record says.
type EscrowEvidence struct {
	Recorded   bool      // an escrow export was ever recorded
	LastExport time.Time // when
}

// ErasureBackupEvidence is one erasure of the erasure ledger and the
// snapshots that still hold its subject.
type ErasureBackupEvidence struct {
	Subject string // prefix of the keyed hash of the subject's key value
	Table   string
	Column  string
	Time    time.Time
	Reason  string
	StillIn []string // snapshot references written before the erasure and still kept
}

// custodyChecks evaluates the key escrow and erasure-in-backups checks.
func (p PostureInput) custodyChecks(now time.Time) []Check {
	lim := p.Limits.withDefaults()
	esc := newCheck(CheckKeyEscrow)
	if len(p.Keys) > 0 || p.Escrow.Recorded {
		esc.Status = StatusPass
		switch {
		case !p.Escrow.Recorded || p.Escrow.LastExport.IsZero():
			esc.Status = StatusFail
			esc.say(msg("escrow.never"))
		case now.Sub(p.Escrow.LastExport) > lim.MaxEscrowAge:
			esc.Status = StatusFail
			esc.say(msg("escrow.last", aDate(p.Escrow.LastExport.UTC()), aAge(now, p.Escrow.LastExport), aLimit(lim.MaxEscrowAge)))
		default:
			esc.say(msg("escrow.last", aDate(p.Escrow.LastExport.UTC()), aAge(now, p.Escrow.LastExport), aLimit(lim.MaxEscrowAge)))
		}
		keys := append([]KeyEvidence(nil), p.Keys...)
		sort.Slice(keys, func(i, j int) bool { return keys[i].Created.Before(keys[j].Created) })
		for _, k := range keys {
			m := msg("escrow.key", aText(k.ID), aTerm(k.Purpose), aDate(k.Created.UTC()), aAge(now, k.Created))
			if p.Escrow.Recorded && k.Created.After(p.Escrow.LastExport) {
				esc.Status = StatusFail
				m = m.with("escrow.key.after")
			}
			esc.say(m)
		}
	}

	eb := newCheck(CheckErasureBackups)
	if len(p.ErasureBackups) > 0 {
		eb.Status = StatusPass
		held := 0
		for _, e := range p.ErasureBackups {
			who := []Arg{aDate(e.Time.UTC()), aText(e.Table + "." + e.Column), aText(e.Subject), aText(e.Reason)}
			if len(e.StillIn) == 0 {
				eb.say(msg("erasure.bk.none", who...))
				continue
			}
			held++
			m := msg("erasure.bk.held", append(who, aInt(len(e.StillIn)), aText(strings.Join(e.StillIn, ", ")))...)
			if now.Sub(e.Time) > lim.MaxErasedInBackups {
				eb.Status = worst(eb.Status, StatusWarn)
				m = m.with("erasure.bk.late", aAge(now, e.Time), aLimit(lim.MaxErasedInBackups))
			}
			eb.say(m)
		}
		eb.sayFirst(msg("erasure.bk.total", aInt(len(p.ErasureBackups)), aInt(held)))
	}
	return []Check{esc, eb}
}
