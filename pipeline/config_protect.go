package pipeline

// protectRelease checks the release decisions: a raw release or an
// insensitive declaration needs a reason, levels need generalize.
func (v *validator) protectRelease() {
	pr := &v.cfg.Protect
	v.oneOf("protect.pseudonym_scope", pr.PseudonymScope, "dataset", "night", "global")
	for _, tn := range sortedKeys(pr.Tables) {
		t := pr.Tables[tn]
		tp := childPath("protect.tables", tn)
		if t.GSFactor != nil && (*t.GSFactor < 0 || *t.GSFactor > 1) {
			v.errf(tp+".gs_factor", "must be in [0, 1]")
		}
		for _, cn := range sortedKeys(t.Columns) {
			c := t.Columns[cn]
			p := childPath(tp+".columns", cn)
			if c.Method == MethodKeep && c.Reason == "" {
				v.errf(p+".reason", "releasing a column raw (method keep) needs a reason, recorded in the dataset's _vigil.json")
			}
			if c.Insensitive && c.Reason == "" {
				v.errf(p+".reason", "declaring a column insensitive needs a reason")
			}
			if c.MinLevel != nil || c.MaxLevel != nil {
				if c.Method != MethodGeneralize {
					v.errf(p, "min_level and max_level need method generalize (a quasi-identifier)")
				}
				if c.MinLevel != nil && *c.MinLevel < 0 {
					v.errf(p+".min_level", "must not be negative")
				}
				if c.MinLevel != nil && c.MaxLevel != nil && *c.MinLevel > *c.MaxLevel {
					v.errf(p+".max_level", "must not be below min_level")
				}
			}
		}
	}
}
