package anonymize

import "strings"

// Mask presets that anonymize. A masked phone number keeps its operator
// prefix or its last digits, never both (3 + 4 digits single out nearly
// every customer); a card or account number keeps at most its last four
// digits. Class defaults from rule packs that keep more are capped (and
// _vigil.json says so); a policy that asks for more is rejected. Whatever a
// mask keeps, the disclosure check still measures it.

func phoneLike(classID string) bool {
	id := strings.ToLower(classID)
	return strings.Contains(id, "phone") || strings.Contains(id, "mobile") || strings.Contains(id, "tel")
}

func cardLike(classID string) bool {
	id := strings.ToLower(classID)
	return strings.Contains(id, "card") || strings.Contains(id, "iban") || strings.Contains(id, "account") || strings.Contains(id, "bank")
}

// Largest parts a mask may keep.
const (
	maxPhonePrefix = 3 // operator prefix (号段)
	maxPhoneSuffix = 4
	maxCardSuffix  = 4
)

// capMask caps a class default mask to the presets and says what changed.
func capMask(classID string, p *Protection) string {
	if p.Method != MethodMask {
		return ""
	}
	pre, suf := p.KeepPrefix, p.KeepSuffix
	switch {
	case phoneLike(classID):
		if p.KeepPrefix > 0 && p.KeepSuffix > 0 {
			p.KeepSuffix = 0
		}
		p.KeepPrefix = min(p.KeepPrefix, maxPhonePrefix)
		p.KeepSuffix = min(p.KeepSuffix, maxPhoneSuffix)
	case cardLike(classID):
		p.KeepPrefix = 0
		p.KeepSuffix = min(p.KeepSuffix, maxCardSuffix)
	}
	if pre != p.KeepPrefix || suf != p.KeepSuffix {
		return "class default mask capped: a phone keeps its operator prefix or its last digits, a card at most its last four"
	}
	return ""
}

// maskTooRevealing explains why a policy mask keeps too much, or is empty.
func maskTooRevealing(classID string, p Protection) string {
	if p.Method != MethodMask {
		return ""
	}
	switch {
	case phoneLike(classID) && p.KeepPrefix > 0 && p.KeepSuffix > 0:
		return "a phone mask keeps the operator prefix or the last digits, not both"
	case phoneLike(classID) && (p.KeepPrefix > maxPhonePrefix || p.KeepSuffix > maxPhoneSuffix):
		return "a phone mask keeps at most 3 leading or 4 trailing digits"
	case cardLike(classID) && (p.KeepPrefix > 0 || p.KeepSuffix > maxCardSuffix):
		return "a card or account mask keeps at most the last four digits"
	}
	return ""
}

// staticTransform is a protection that needs no key and no other column,
// as a function of one value; ok is false when the value cannot be
// transformed.
func staticTransform(p Protection) func(string) (string, bool) {
	switch p.Method {
	case MethodKeep:
		return func(v string) (string, bool) { return v, true }
	case MethodMask:
		ch := []rune(p.MaskChar)[0]
		return func(v string) (string, bool) { return MaskValue(v, p.KeepPrefix, p.KeepSuffix, ch, p.Email), true }
	case MethodBucket:
		return func(v string) (string, bool) {
			f, err := parseNumber(v)
			if err != nil {
				return "", false
			}
			return bucketLabel(f, p.Interval), true
		}
	case MethodGeneralize:
		switch {
		case p.Hierarchy != nil:
			return func(v string) (string, bool) {
				s, err := p.Hierarchy.Generalize(v, p.Level)
				return s, err == nil
			}
		case p.Interval > 0:
			return func(v string) (string, bool) {
				f, err := parseNumber(v)
				if err != nil {
					return "", false
				}
				return bucketLabel(f, p.Interval), true
			}
		case p.DatePart != "":
			return func(v string) (string, bool) {
				s, err := truncateDate(v, p.DatePart)
				return s, err == nil
			}
		}
	}
	return nil
}

// joinSearch makes every released column that a person could know about
// the customer a quasi-identifier of the privacy search: masked, bucketed,
// generalized and raw-released columns, pinned at their protection
// (level 1) with "*" above it. Pseudonyms, redactions, shifted dates, the
// sensitive attribute and columns declared insensitive stay out (the
// disclosure check measures them).
func joinSearch(plans []columnPlan, priv *PrivacyOptions) {
	for i := range plans {
		cp := &plans[i]
		if cp.qi >= 0 || cp.prot.Insensitive || cp.name == priv.Sensitive || cp.prot.Method == MethodDrop {
			continue
		}
		fn := staticTransform(cp.prot)
		if fn == nil {
			continue
		}
		cp.qi = len(priv.QuasiIdentifiers)
		cp.autoQI, cp.offset = true, 1
		priv.QuasiIdentifiers = append(priv.QuasiIdentifiers, cp.name)
		priv.Hierarchies[cp.name] = levelRange{h: transformHierarchy{fn: fn}, min: 1, max: 2}
		if cp.note != "" {
			cp.note += "; "
		}
		cp.note += "joined the privacy search as a quasi-identifier (level 1: its protection, level 2: *)"
	}
}
