package audit

import (
	"fmt"
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
			esc.Evidence = append(esc.Evidence, "the keyset was never escrowed: one lost disk loses every key")
		case now.Sub(p.Escrow.LastExport) > lim.MaxEscrowAge:
			esc.Status = StatusFail
			esc.Evidence = append(esc.Evidence, fmt.Sprintf("last escrow export %s, %s (limit %s)", p.Escrow.LastExport.UTC().Format("2006-01-02"), ago(now, p.Escrow.LastExport), days(lim.MaxEscrowAge)))
		default:
			esc.Evidence = append(esc.Evidence, fmt.Sprintf("last escrow export %s, %s (limit %s)", p.Escrow.LastExport.UTC().Format("2006-01-02"), ago(now, p.Escrow.LastExport), days(lim.MaxEscrowAge)))
		}
		keys := append([]KeyEvidence(nil), p.Keys...)
		sort.Slice(keys, func(i, j int) bool { return keys[i].Created.Before(keys[j].Created) })
		for _, k := range keys {
			line := fmt.Sprintf("key %s (%s): created %s, %s", k.ID, k.Purpose, k.Created.UTC().Format("2006-01-02"), ago(now, k.Created))
			if p.Escrow.Recorded && k.Created.After(p.Escrow.LastExport) {
				esc.Status = StatusFail
				line += " - created after the last escrow export, not in the escrow copy"
			}
			esc.Evidence = append(esc.Evidence, line)
		}
	}

	eb := newCheck(CheckErasureBackups)
	if len(p.ErasureBackups) > 0 {
		eb.Status = StatusPass
		held := 0
		for _, e := range p.ErasureBackups {
			line := fmt.Sprintf("%s %s.%s subject %s (reason %s): ", e.Time.UTC().Format("2006-01-02"), e.Table, e.Column, e.Subject, e.Reason)
			if len(e.StillIn) == 0 {
				line += "in no kept snapshot"
			} else {
				held++
				line += fmt.Sprintf("still in %d snapshots until retention removes them: %s", len(e.StillIn), strings.Join(e.StillIn, ", "))
				if now.Sub(e.Time) > lim.MaxErasedInBackups {
					eb.Status = worst(eb.Status, StatusWarn)
					line += fmt.Sprintf(" - held %s after the erasure (limit %s)", ago(now, e.Time), days(lim.MaxErasedInBackups))
				}
			}
			eb.Evidence = append(eb.Evidence, line)
		}
		eb.Evidence = append([]string{fmt.Sprintf("%d erasures, %d subjects still in kept snapshots (left out of every restore and dataset)", len(p.ErasureBackups), held)}, eb.Evidence...)
	}
	return []Check{esc, eb}
}
