package presets

import (
	"errors"
	"strings"
	"testing"

	"github.com/vigil-dg/vigil/rules"
)

// TestSystemFieldsAreInTheVocabulary: the rule pack's non_personal
// vocabulary stays the one list of business data; a preset only names the
// system fields its export carries, and each must be in that vocabulary.
func TestSystemFieldsAreInTheVocabulary(t *testing.T) {
	packs, err := rules.LoadBuiltin()
	if err != nil {
		t.Fatal(err)
	}
	set, err := rules.NewSet(packs...)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range Builtin() {
		for _, o := range p.Objects {
			for _, f := range o.SystemFields {
				if _, ok := set.NonPersonal(rules.NormalizeHeader(f)); !ok {
					t.Errorf("%s %s: system field %q is not in the rule pack's non_personal vocabulary", p.Name, o.Name, f)
				}
			}
		}
	}
}

func TestPresetsAreComplete(t *testing.T) {
	if got := strings.Join(Names(), ","); got != "fxiaoke,jiandaoyun,salesforce,zoho" {
		t.Fatalf("names %s", got)
	}
	for _, p := range Builtin() {
		if len(p.Sources) == 0 || p.Ext == "" || p.Encoding == "" {
			t.Errorf("%s: sources, ext and encoding are required", p.Name)
		}
		staff := p.StaffObject()
		if staff == nil || len(staff.Staff["staff_id"]) == 0 || len(staff.Staff["user"]) == 0 || len(staff.StatusValues) == 0 {
			t.Errorf("%s: staff object needs staff_id, user and status values", p.Name)
		}
		customers := 0
		for _, o := range p.Objects {
			if len(o.ID) == 0 {
				t.Errorf("%s %s: no id candidates", p.Name, o.Name)
			}
			if o.Role == RoleCustomer {
				customers++
				if len(o.Owner) == 0 {
					t.Errorf("%s %s: a customer object needs owner candidates", p.Name, o.Name)
				}
			}
		}
		if customers == 0 {
			t.Errorf("%s: no customer object", p.Name)
		}
	}
	if _, err := Get("SalesForce"); err != nil {
		t.Error(err)
	}
	if _, err := Get("hubspot"); !errors.Is(err, ErrUnknown) || !strings.Contains(err.Error(), "salesforce") {
		t.Errorf("unknown preset: %v", err)
	}
}

func TestObjectAndResolve(t *testing.T) {
	sf, _ := Get("salesforce")
	tests := []struct {
		preset, table, object string
	}{
		{"salesforce", "Contact", "Contact"},
		{"salesforce", "contacts", "Contact"},
		{"salesforce", "CONTACT", "Contact"},
		{"salesforce", "Case", ""},
		{"zoho", "Contacts", "Contacts"},
		{"fxiaoke", "客户", "客户"},
		{"fxiaoke", "AccountObj", "客户"},
		{"jiandaoyun", "成员", "成员"},
		{"jiandaoyun", "客户登记表", "*"},
	}
	for _, tc := range tests {
		p, _ := Get(tc.preset)
		o := p.Object(tc.table)
		got := ""
		if o != nil {
			got = o.Name
		}
		if got != tc.object {
			t.Errorf("%s %q: object %q, want %q", tc.preset, tc.table, got, tc.object)
		}
	}
	if e := sf.EntryName("contacts"); e != "Contact.csv" {
		t.Errorf("entry %q", e)
	}
	c, err := sf.Object("Contact").Resolve([]string{"\uFEFFID", "IsDeleted", "LastName", "owner_id", "CreatedDate", "HasOptedOutOfEmail", "Email"})
	if err != nil || c.ID != "\uFEFFID" || c.Owner != "owner_id" || c.Deleted != "IsDeleted" || c.Created != "CreatedDate" {
		t.Fatalf("resolve: %+v %v", c, err)
	}
	if strings.Join(c.System, ",") != "HasOptedOutOfEmail,IsDeleted" && strings.Join(c.System, ",") != "IsDeleted,HasOptedOutOfEmail" {
		t.Errorf("system fields %q", c.System)
	}
	_, err = sf.Object("Contact").Resolve([]string{"LastName", "Email"})
	var me *MissingError
	if !errors.As(err, &me) || len(me.Missing) != 2 || !strings.Contains(err.Error(), "owner (OwnerId)") {
		t.Errorf("missing: %v", err)
	}
	u, err := sf.StaffObject().Resolve([]string{"Id", "Username", "Name", "Email", "IsActive"})
	if err != nil || u.Staff["user"] != "Username" || u.Staff["status"] != "IsActive" {
		t.Errorf("staff: %+v %v", u, err)
	}
	if s, ok := sf.StaffObject().Status("FALSE"); !ok || s != "disabled" {
		t.Errorf("status %q %v", s, ok)
	}
}

// FuzzResolve: header matching never panics, resolves only to columns of
// the header, and a header that holds a candidate exactly always resolves.
func FuzzResolve(f *testing.F) {
	f.Add("Id,OwnerId,CreatedDate", "Contact")
	f.Add("Record Id,Contact Owner.id,Ｃｒｅａｔｅｄ Ｔｉｍｅ", "Contacts")
	f.Add("\ufeff客户编号,负责人,,负责人", "客户")
	f.Add("数据ID,提交人", "随便")
	f.Fuzz(func(t *testing.T, header, table string) {
		cols := strings.Split(header, ",")
		for _, p := range Builtin() {
			o := p.Object(table)
			if o == nil {
				continue
			}
			c, err := o.Resolve(cols)
			in := func(h string) bool {
				if h == "" {
					return true
				}
				for _, x := range cols {
					if x == h {
						return true
					}
				}
				return false
			}
			for _, h := range []string{c.ID, c.Owner, c.Created, c.Deleted} {
				if !in(h) {
					t.Fatalf("%s: resolved %q, not in the header", p.Name, h)
				}
			}
			for _, h := range c.Staff {
				if !in(h) {
					t.Fatalf("%s: staff %q not in the header", p.Name, h)
				}
			}
			if err == nil && c.ID == "" {
				t.Fatalf("%s %s: no error without an id", p.Name, o.Name)
			}
			if c2, err2 := o.Resolve(append([]string{o.ID[0]}, cols...)); c2.ID == "" {
				t.Fatalf("%s: an exact candidate did not resolve: %v", p.Name, err2)
			}
		}
	})
}
