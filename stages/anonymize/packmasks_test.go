package anonymize

import (
	"testing"

	"github.com/vigil-dg/vigil/rules"
)

// TestBuiltinMaskDefaultsAreCapped: the shipped rule pack's mask defaults
// are the capped presets runtime enforces (a phone keeps its operator
// prefix or its last digits, a card or account its last four), so no
// class default needs capping and a policy copying one is accepted.
func TestBuiltinMaskDefaultsAreCapped(t *testing.T) {
	packs, err := rules.LoadBuiltin()
	if err != nil {
		t.Fatal(err)
	}
	masks := 0
	for _, p := range packs {
		for _, c := range p.Classes {
			if c.Protection.Method != rules.ProtectMask {
				continue
			}
			masks++
			prot := FromRule(c.Protection, c.ID, nil)
			before := prot
			if note := capMask(c.ID, &prot); note != "" {
				t.Errorf("%s: default %+v is capped at run time to %d+%d", c.ID, c.Protection.Params, prot.KeepPrefix, prot.KeepSuffix)
			}
			if msg := maskTooRevealing(c.ID, before); msg != "" {
				t.Errorf("%s: default refused as a policy: %s", c.ID, msg)
			}
		}
	}
	if masks == 0 {
		t.Fatal("no mask defaults found")
	}
	var phone, card string
	for _, p := range packs {
		for _, c := range p.Classes {
			switch c.ID {
			case "phone":
				phone = c.Protection.String()
			case "bank_card":
				card = c.Protection.String()
			}
		}
	}
	if phone != "mask(keep_prefix=3)" || card != "mask(keep_suffix=4)" {
		t.Errorf("phone %q, bank_card %q", phone, card)
	}
}
