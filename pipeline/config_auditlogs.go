package pipeline

import (
	"strings"
	"time"
)

// builtinLogMappings are the access-log shapes Vigil maps without an
// audit.mappings entry; auto chooses among them per file by content. The
// audit stage (stages/audit) defines them.
var builtinLogMappings = []string{
	"auto", "vigil", "salesforce", "salesforce_elf", "salesforce_loginhistory", "salesforce_setupaudit",
	"m365", "m365_export", "entra_signin", "entra_audit", "zoho", "fxiaoke", "jiandaoyun",
}

// auditMappingOptions checks the reading options of every audit mapping
// and that a csv log is not given a mapping that reads another format.
func (v *validator) auditMappingOptions() {
	a := &v.cfg.Audit
	for _, name := range sortedKeys(a.Mappings) {
		m := a.Mappings[name]
		if m == nil {
			continue
		}
		p := childPath("audit.mappings", name)
		if m.TimeZone != "" {
			if _, err := time.LoadLocation(m.TimeZone); err != nil || strings.ContainsRune(m.TimeZone, 0) {
				v.errf(p+".time_zone", "unknown time zone %q; want an IANA name such as Asia/Shanghai", m.TimeZone)
			}
		}
		if m.Delimiter != "" && (!singleRune(m.Delimiter) || strings.ContainsAny(m.Delimiter, "\"\r\n\x00")) {
			v.errf(p+".delimiter", "want one character other than a quote or newline, got %q", m.Delimiter)
		}
		for _, col := range sortedKeys(m.Columns) {
			if col == "" || strings.ContainsAny(col+m.Columns[col], ";\x00") || strings.TrimSpace(m.Columns[col]) == "" {
				v.errf(childPath(p+".columns", col), "invalid column or type")
			}
		}
	}
	for i := range a.Logs {
		l := &a.Logs[i]
		m, custom := a.Mappings[l.Mapping]
		if !custom || m == nil {
			continue
		}
		p := indexPath("audit.logs", i)
		if l.Format == "csv" && len(m.Columns) > 0 {
			for _, col := range sortedKeys(m.Columns) {
				if !strings.EqualFold(strings.TrimSpace(m.Columns[col]), "VARCHAR") {
					v.errf(p+".format", "csv columns are text; mapping %q declares %s as %s", l.Mapping, col, m.Columns[col])
					break
				}
			}
		}
		if l.Format == "json" && m.Delimiter != "" {
			v.notFor(childPath("audit.mappings", l.Mapping)+".delimiter", "csv logs")
		}
	}
}
