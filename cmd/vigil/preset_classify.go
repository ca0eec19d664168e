package main

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/vigil-dg/vigil/pipeline"
	"github.com/vigil-dg/vigil/rules"
	"github.com/vigil-dg/vigil/stages/classify"
)

// presetSystemFields adds a "none" override for each column of a preset
// table that is one of the CRM's own flags, codes or audit columns
// (HasOptedOutOfEmail, EmailEncodingKey, 生命状态 ...): the preset names
// them and the rule pack's non_personal vocabulary must agree, so the
// vocabulary stays the one list of business data. A column the config
// overrides keeps the config's class. It returns column → preset name.
func presetSystemFields(cfg *pipeline.Config, set *rules.Set, table string, fields []arrow.Field, overrides map[string]string) map[string]string {
	t := tableByName(cfg, table)
	if t == nil {
		return nil
	}
	p := cfg.PresetOf(t)
	if p == nil {
		return nil
	}
	o := p.Object(t.Name)
	if o == nil {
		return nil
	}
	header := make([]string, len(fields))
	for i, f := range fields {
		header[i] = f.Name
	}
	cols, _ := o.Resolve(header) // a missing id or owner only matters to the audit
	out := map[string]string{}
	for _, c := range cols.System {
		if _, given := overrides[c]; given {
			continue
		}
		if _, ok := set.NonPersonal(rules.NormalizeHeader(c)); !ok {
			continue
		}
		overrides[c] = rules.ClassNone
		out[c] = p.Name
	}
	return out
}

// markPresetFields rewrites the override evidence of preset system fields.
func markPresetFields(res *classify.TableResult, system map[string]string) {
	for i := range res.Columns {
		c := &res.Columns[i]
		name, ok := system[c.Name]
		if !ok || len(c.Evidence) == 0 {
			continue
		}
		c.Evidence[0] = strings.Replace(c.Evidence[0], "override from config: none", "system field of the "+name+" export (preset): none", 1)
	}
}

// tableByName finds a configured table.
func tableByName(cfg *pipeline.Config, name string) *pipeline.Table {
	for _, s := range cfg.Sources {
		if t, ok := s.Tables[name]; ok {
			return t
		}
	}
	return nil
}
