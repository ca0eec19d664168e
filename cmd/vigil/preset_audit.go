package main

import (
	"fmt"
	"sort"

	"github.com/vigil-dg/vigil/pipeline"
	"github.com/vigil-dg/vigil/rules/presets"
	"github.com/vigil-dg/vigil/stages/audit"
)

// presetRefs are the audit references a CRM preset's tables supply.
type presetRefs struct {
	staff, ownership *audit.Reference
	notes            []string // why a preset table could not serve, without values
}

// presetReferences finds, among the configured tables with a preset, the
// staff object (Salesforce User, Zoho Users, fxiaoke 人员, Jiandaoyun 成员)
// and the first customer object (in the preset's order: Account before
// Contact ...) and maps their columns to the audit's canonical staff and
// ownership tables. open returns the latest snapshot of a table as a
// reference, or nil when it has none.
func presetReferences(cfg *pipeline.Config, open func(table string) (*audit.Reference, error)) (presetRefs, error) {
	var out presetRefs
	type cand struct {
		t     *pipeline.Table
		p     *presets.Preset
		o     *presets.Object
		order int
	}
	var staff, owned []cand
	for _, s := range cfg.Sources {
		for _, t := range s.Tables {
			p := cfg.PresetOf(t)
			if p == nil {
				continue
			}
			o := p.Object(t.Name)
			if o == nil {
				continue
			}
			order := len(p.Objects)
			for i := range p.Objects {
				if p.Objects[i].Name == o.Name {
					order = i
				}
			}
			c := cand{t, p, o, order}
			switch o.Role {
			case presets.RoleStaff:
				staff = append(staff, c)
			case presets.RoleCustomer:
				owned = append(owned, c)
			}
		}
	}
	less := func(cs []cand) func(i, j int) bool {
		return func(i, j int) bool {
			if cs[i].order != cs[j].order {
				return cs[i].order < cs[j].order
			}
			return cs[i].t.Name < cs[j].t.Name
		}
	}
	sort.Slice(staff, less(staff))
	sort.Slice(owned, less(owned))
	// first returns the first candidate whose latest snapshot has the
	// columns its role needs, mapped by use; the others are noted.
	first := func(cs []cand, role string, use func(c cand, r *audit.Reference, cols presets.Columns)) (*audit.Reference, error) {
		for _, c := range cs {
			r, err := open(c.t.Name)
			if err != nil {
				return nil, err
			}
			if r == nil {
				continue
			}
			cols, err := c.o.Resolve(schemaNames(r))
			if err != nil {
				out.notes = append(out.notes, fmt.Sprintf("preset %s: table %s cannot serve as the audit's %s: %v", c.p.Name, c.t.Name, role, err))
				continue
			}
			use(c, r, cols)
			return r, nil
		}
		return nil, nil
	}
	var err error
	if out.staff, err = first(staff, "staff", func(c cand, r *audit.Reference, cols presets.Columns) {
		r.Columns = cols.Staff
		if _, ok := cols.Staff["status"]; ok {
			r.Values = map[string]map[string]string{"status": c.o.StatusValues}
		}
	}); err != nil {
		return out, err
	}
	if out.ownership, err = first(owned, "ownership", func(_ cand, r *audit.Reference, cols presets.Columns) {
		r.Columns = map[string]string{"customer_id": cols.ID, "staff_id": cols.Owner}
		if cols.Created != "" {
			r.Columns["since"] = cols.Created
		}
	}); err != nil {
		return out, err
	}
	return out, nil
}

func schemaNames(r *audit.Reference) []string {
	if r.Reader == nil {
		return nil
	}
	var n []string
	for _, f := range r.Reader.Schema().Fields() {
		n = append(n, f.Name)
	}
	return n
}
