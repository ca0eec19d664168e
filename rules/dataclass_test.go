package rules

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/expected")

// golden compares got with testdata/expected/name, rewriting it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "expected", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from golden file\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestBuiltinPack(t *testing.T) {
	packs, err := loadBuiltin(testToday)
	if err != nil {
		t.Fatal(err)
	}
	set, err := NewSet(packs...)
	if err != nil {
		t.Fatal(err)
	}
	if f := set.Test(); len(f) > 0 {
		t.Fatalf("built-in examples fail: %v", f)
	}
	// The class vocabulary other packages rely on.
	for _, id := range []string{"person_name", "phone", "email", "cn_resident_id", "bank_card", "iban", "birth_date",
		"age", "gender", "address", "province", "city", "postal_code", "ip_address", "free_text_pii", "record_id",
		"organization_name", "cn_social_credit_code"} {
		c, ok := set.Class(id)
		if !ok {
			t.Errorf("built-in class %s missing", id)
			continue
		}
		if c.Description.EN == "" || c.Description.ZH == "" || c.Protection.Validate() != nil || !c.Category.valid() {
			t.Errorf("class %s incomplete: %+v", id, c)
		}
	}
	if _, ok := set.Class(ClassNone); ok {
		t.Error("a pack must not define the class none")
	}
	info := set.Packs()
	if len(info) != 1 || info[0].ID != "vigil-dataclasses" || len(info[0].Digest) != 64 {
		t.Errorf("Packs() = %+v", info)
	}
}

func TestInvalidPacks(t *testing.T) {
	cases := []struct {
		file  string
		line  int
		class string
		msg   string
	}{
		{"bad_regex.yaml", 14, "loyalty_no", "bad value regexp"},
		{"unknown_validator.yaml", 12, "tax_file", `unknown validator "tfn_checksum"`},
		{"duplicate_id.yaml", 16, "nickname", "duplicate class id (first defined on line 6)"},
		{"failing_example.yaml", 14, "cn_mobile_only", `match example "010-62345678" does not pass`},
		{"failing_example.yaml", 15, "cn_mobile_only", `no_match example "15912345678" passes`},
		{"many_problems.yaml", 11, "Bad-ID", "unknown field colour"},
		{"many_problems.yaml", 13, "Bad-ID", "min_ratio must be in (0, 1]"},
		{"many_problems.yaml", 22, "ok_class", "bad column regexp"},
		{"not_yaml.yaml", 4, "", "YAML:"},
	}
	errs := map[string]error{}
	for _, c := range cases {
		path := filepath.Join("testdata", "packs", "invalid", c.file)
		err, seen := errs[c.file]
		if !seen {
			_, err = LoadFile(path)
			errs[c.file] = err
		}
		var pe *PackError
		if !errors.Is(err, ErrInvalidPack) || !errors.As(err, &pe) {
			t.Fatalf("%s: err = %v, want a *PackError", c.file, err)
		}
		found := false
		for _, p := range pe.Problems {
			if p.File == path && p.Line == c.line && p.Class == c.class && strings.Contains(p.Msg, c.msg) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no problem at line %d, class %q, containing %q in\n%v", c.file, c.line, c.class, c.msg, err)
		}
	}
	// All problems are reported, not the first; the full text is golden.
	files, _ := filepath.Glob(filepath.Join("testdata", "packs", "invalid", "*.yaml"))
	for _, f := range files {
		_, err := LoadFile(f)
		if err == nil {
			t.Errorf("%s loaded", f)
			continue
		}
		golden(t, "invalid/"+strings.TrimSuffix(filepath.Base(f), ".yaml")+".txt", err.Error()+"\n")
	}
	var pe *PackError
	_, err := LoadFile(filepath.Join("testdata", "packs", "invalid", "many_problems.yaml"))
	if errors.As(err, &pe) && len(pe.Problems) < 10 {
		t.Errorf("many_problems.yaml: only %d problems reported", len(pe.Problems))
	}
}

func TestUserPackOverride(t *testing.T) {
	builtin, err := loadBuiltin(testToday)
	if err != nil {
		t.Fatal(err)
	}
	user, err := LoadFile(filepath.Join("testdata", "packs", "valid", "employee_badge.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	set, err := NewSet(append(builtin, user)...)
	if err != nil {
		t.Fatal(err)
	}
	age, _ := set.Class("age")
	if age.Pack != "acme-extra" || age.Protection.String() != "bucket(width=5)" {
		t.Errorf("age not replaced: %+v", age)
	}
	if _, ok := set.Class("acme_badge"); !ok {
		t.Error("acme_badge missing")
	}
	if f := set.Test(); len(f) > 0 {
		t.Errorf("Test() = %v", f)
	}
	n := 0
	for _, c := range set.Classes() {
		if c.ID == "age" {
			n++
		}
	}
	if n != 1 || len(set.Classes()) != len(builtin[0].Classes)+1 {
		t.Errorf("classes: %d ages, %d classes", n, len(set.Classes()))
	}

	// Without override: true a second definition is an error naming both places.
	dup, err := Load("dup.yaml", []byte(`format: 1
id: dup
version: "1"
description: {en: d, zh: d}
classes:
  - id: phone
    name: {en: Phone, zh: 电话}
    description: {en: p, zh: p}
    category: direct_identifier
    protection: redact
    column:
      names: [phone_number_x]
    examples:
      headers:
        match: [phone_number_x]
`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewSet(append(builtin, dup)...)
	var pe *PackError
	if !errors.As(err, &pe) || pe.Problems[0].Line != 6 || pe.Problems[0].Class != "phone" ||
		!strings.Contains(pe.Problems[0].Msg, "builtin:dataclasses.yaml") {
		t.Errorf("duplicate across packs: %v", err)
	}
}

func TestSetTestFindsHeaderConflicts(t *testing.T) {
	builtin, _ := loadBuiltin(testToday)
	// A user class whose header example the non_personal rule vetoes.
	p, err := Load("conflict.yaml", []byte(`format: 1
id: conflict
version: "1"
description: {en: c, zh: c}
classes:
  - id: buyer_phone
    name: {en: Buyer phone, zh: 买家电话}
    description: {en: b, zh: b}
    category: direct_identifier
    protection: redact
    column:
      patterns: ['buyer']
    examples:
      headers:
        match: [order_buyer]
`))
	if err != nil {
		t.Fatal(err)
	}
	set, err := NewSet(append(builtin, p)...)
	if err != nil {
		t.Fatal(err)
	}
	f := set.Test()
	if len(f) != 1 || f[0].Class != "buyer_phone" || f[0].Line != 15 || !strings.Contains(f[0].Reason, "business data") {
		t.Errorf("Test() = %v", f)
	}
}

func TestNormalizeHeader(t *testing.T) {
	for in, want := range map[string]string{
		"CustomerMobileNo": "customer_mobile_no",
		"IDCard":           "id_card",
		"id-card":          "id_card",
		"ID_CARD":          "id_card",
		"客户Phone":          "客户_phone",
		"address_line1":    "address_line_1",
		"  E-Mail ":        "e_mail",
		"ＥＭＡＩＬ":            "email",
		"登录IP":             "登录_ip",
		"field_7":          "field_7",
		"身份证号(18位)":        "身份证号_18_位",
		"":                 "",
	} {
		h := NormalizeHeader(in)
		if h.Words != want || h.Compact != strings.ReplaceAll(want, "_", "") {
			t.Errorf("NormalizeHeader(%q) = %+v, want %q", in, h, want)
		}
	}
}

func TestNormalizeValue(t *testing.T) {
	for in, want := range map[string]string{
		" 13812345678\u3000": "13812345678",
		"１３８１２３４５６７８":        "13812345678",
		"N/A":                "",
		"-":                  "",
		"无":                  "",
		"\\N":                "",
		"张伟":                 "张伟",
	} {
		if got := NormalizeValue(in); got != want {
			t.Errorf("NormalizeValue(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestProtection(t *testing.T) {
	for _, s := range []string{"pseudonym", "mask(keep_prefix=3,keep_suffix=4)", "bucket(width=10)", "generalize(level=1)", "date_shift(max_days=30)", "drop", "redact", "pass"} {
		p, err := ParseProtection(s)
		if err != nil || p.String() != s {
			t.Errorf("ParseProtection(%q) = %v, %v", s, p, err)
		}
	}
	for _, s := range []string{"blur", "mask(keep_prefix=x)", "mask(width=3)", "bucket(width=0)", "mask(keep_prefix=3", "mask(keep_prefix=-1)"} {
		if _, err := ParseProtection(s); !errors.Is(err, ErrProtection) {
			t.Errorf("ParseProtection(%q) err = %v", s, err)
		}
	}
}
