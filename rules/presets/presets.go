// Package presets describes the export files of the CRMs Vigil knows by
// name: Salesforce's weekly Data Export, Zoho CRM's module exports, and the
// XLSX exports of 纷享销客 (fxiaoke / ShareCRM) and 简道云 (Jiandaoyun).
//
// A preset is knowledge, not code: the file shape (container, encoding,
// title rows), the objects the system exports with the columns that carry
// the record id, the owner and the creation time, the staff (user) object
// whose columns feed the audit's staff reference, and the system's own
// flags and codes (HasOptedOutOfEmail, EmailEncodingKey, 生命状态 ...),
// which are not personal data. Each is written from the vendor's
// published field documentation; the sources are listed in Sources and in
// the README ("CRM presets").
//
// # Imports
//
// presets imports only rules (header normalisation). The config
// (pipeline) uses it for defaults and validation, the extractor for zip
// entries, cmd for the audit's references and the classifier's overrides,
// and demo for `vigil demo generate --shape`.
//
// # Header matching
//
// Exports are edited by people: a column may come back as "Owner Id",
// "OWNERID" or "owner_id", with a byte-order mark or full-width letters.
// [Object.Resolve] compares headers in rules' compact form (lower case,
// full-width folded, separators removed) and reports every role it cannot
// find, naming the candidates it looked for.
package presets

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/vigil-dg/vigil/rules"
)

// Container formats of an export.
const (
	FormatZipCSV = "zip-csv" // a zip of per-object CSV files (Salesforce Data Export)
	FormatCSV    = "csv"     // one CSV per module (Zoho CRM)
	FormatXLSX   = "xlsx"    // one workbook per object or form
)

// Object roles.
const (
	RoleCustomer = "customer" // records owned by staff: the audit's ownership
	RoleStaff    = "staff"    // the system's users: the audit's staff reference
	RoleOther    = "other"
)

// Preset is one CRM's export shape.
type Preset struct {
	Name      string   // salesforce | zoho | fxiaoke | jiandaoyun
	Vendor    string   // display name
	Format    string   // FormatZipCSV | FormatCSV | FormatXLSX
	Ext       string   // the table file's usual extension: ".zip", ".csv", ".xlsx"
	Encoding  string   // default encoding of the CSV files ("auto" where the export lets the user choose)
	HeaderRow int      // 1-based header line; 0: detected (title rows skipped)
	Objects   []Object // the exported objects; an object named "*" matches any table
	Sources   []string // vendor documentation the preset was written from
}

// Object is one exported object (Salesforce sObject, Zoho module,
// fxiaoke object, Jiandaoyun form).
type Object struct {
	Name    string   // Account, Contact, Users, 客户 ... ; "*" matches any table
	Aliases []string // other table names that mean this object (accounts, 客户列表)
	Entry   string   // zip-csv: the CSV inside the zip; default Name + ".csv"
	Role    string   // RoleCustomer | RoleStaff | RoleOther

	// Columns by role, each a list of header candidates tried in order.
	ID      []string // the record id
	Owner   []string // the owning user (id or name, as Staff's staff_id holds it)
	Created []string // creation time (ownership.since)
	Deleted []string // a soft-delete flag (Salesforce IsDeleted)

	// Staff maps the audit's canonical staff columns (staff_id, user, name,
	// email, role, region, status, hire_date, leave_date) to header
	// candidates; StatusValues maps the export's status values (compact
	// form) to "active" or "disabled".
	Staff        map[string][]string
	StatusValues map[string]string

	// SystemFields are the system's own flags, codes and audit columns:
	// never personal data. Each must also be in the rule pack's
	// non_personal vocabulary (tested), which stays the one list of
	// what is business data; the preset only says which of them this
	// export carries.
	SystemFields []string
}

// Builtin returns the built-in presets, sorted by name.
func Builtin() []*Preset {
	out := []*Preset{salesforce(), zoho(), fxiaoke(), jiandaoyun()}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Names returns the built-in preset names, sorted.
func Names() []string {
	var n []string
	for _, p := range Builtin() {
		n = append(n, p.Name)
	}
	return n
}

// ErrUnknown is returned by Get for a name that is not a preset.
var ErrUnknown = errors.New("presets: unknown preset")

// Get returns the named preset (case-insensitive).
func Get(name string) (*Preset, error) {
	for _, p := range Builtin() {
		if strings.EqualFold(p.Name, strings.TrimSpace(name)) {
			return p, nil
		}
	}
	return nil, fmt.Errorf("%w %q: want one of %s", ErrUnknown, name, strings.Join(Names(), ", "))
}

// compact is a header's or name's comparison form.
func compact(s string) string {
	s = strings.TrimPrefix(s, "\uFEFF")
	return rules.NormalizeHeader(s).Compact
}

// Object returns the object a table of this preset is, by the table's name
// (the object's name or an alias, compared in compact form), else the
// wildcard object, else nil.
func (p *Preset) Object(table string) *Object {
	want := compact(table)
	var wild *Object
	for i := range p.Objects {
		o := &p.Objects[i]
		if o.Name == "*" {
			wild = o
			continue
		}
		if want != "" && compact(o.Name) == want {
			return o
		}
		for _, a := range o.Aliases {
			if want != "" && compact(a) == want {
				return o
			}
		}
	}
	return wild
}

// StaffObject returns the preset's staff object, or nil.
func (p *Preset) StaffObject() *Object {
	for i := range p.Objects {
		if p.Objects[i].Role == RoleStaff {
			return &p.Objects[i]
		}
	}
	return nil
}

// EntryName is the CSV an object's table is read from inside a zip-csv
// export: the object's Entry, else the table name + ".csv".
func (p *Preset) EntryName(table string) string {
	if o := p.Object(table); o != nil && o.Name != "*" {
		if o.Entry != "" {
			return o.Entry
		}
		return o.Name + ".csv"
	}
	return table + ".csv"
}

// Columns are the header names an object's roles resolved to in one file;
// empty when the file has no such column.
type Columns struct {
	ID, Owner, Created, Deleted string
	Staff                       map[string]string // canonical staff column → header
	System                      []string          // system fields present, as written
}

// MissingError lists the roles an object needs that a header lacks.
type MissingError struct {
	Object  string
	Missing []string // "id (Id)", ...
}

func (e *MissingError) Error() string {
	return fmt.Sprintf("presets: %s: the header has no %s", e.Object, strings.Join(e.Missing, ", "))
}

// Resolve finds the object's columns in header. Id is required, and for a
// customer object the owner, for the staff object staff_id and user; what
// is missing is reported in one *MissingError. Duplicate headers resolve
// to their first occurrence.
func (o *Object) Resolve(header []string) (Columns, error) {
	idx := make(map[string]string, len(header))
	for _, h := range header {
		k := compact(h)
		if _, dup := idx[k]; !dup && k != "" {
			idx[k] = h
		}
	}
	find := func(cands []string) string {
		for _, c := range cands {
			if h, ok := idx[compact(c)]; ok {
				return h
			}
		}
		return ""
	}
	var c Columns
	var missing []string
	need := func(role string, cands []string) string {
		h := find(cands)
		if h == "" && len(cands) > 0 {
			missing = append(missing, fmt.Sprintf("%s (%s)", role, strings.Join(cands, " or ")))
		}
		return h
	}
	c.ID = need("id", o.ID)
	switch o.Role {
	case RoleCustomer:
		c.Owner = need("owner", o.Owner)
	default:
		c.Owner = find(o.Owner)
	}
	c.Created, c.Deleted = find(o.Created), find(o.Deleted)
	if o.Role == RoleStaff {
		c.Staff = map[string]string{}
		for _, k := range sortedKeys(o.Staff) {
			var h string
			if k == "staff_id" || k == "user" {
				h = need("staff "+k, o.Staff[k])
			} else {
				h = find(o.Staff[k])
			}
			if h != "" {
				c.Staff[k] = h
			}
		}
	}
	for _, s := range o.SystemFields {
		if h, ok := idx[compact(s)]; ok {
			c.System = append(c.System, h)
		}
	}
	if len(missing) > 0 {
		return c, &MissingError{Object: o.Name, Missing: missing}
	}
	return c, nil
}

// Status maps an export's status value to "active" or "disabled"; ok is
// false for a value the preset does not know.
func (o *Object) Status(v string) (string, bool) {
	s, ok := o.StatusValues[compact(v)]
	return s, ok
}

func sortedKeys[V any](m map[string]V) []string {
	k := make([]string, 0, len(m))
	for x := range m {
		k = append(k, x)
	}
	sort.Strings(k)
	return k
}
