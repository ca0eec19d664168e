package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func presetConfig(t *testing.T, sources string, files ...string) (*Config, error) {
	t.Helper()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "data"), 0o700)
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, "data", f), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg := "format: 1\nkeys: {key_file: k.key}\nsources:\n" + sources + "jobs:\n  nightly: {stages: [snapshot]}\n"
	p := filepath.Join(dir, "vigil.yaml")
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "k.key"), []byte(strings.Repeat("k", 44)), 0o600)
	return Load(p, testOpts())
}

func TestPresetDefaults(t *testing.T) {
	cfg, err := presetConfig(t, `  sf:
    type: csv
    dir: data
    preset: salesforce
    tables:
      Contact: {file: export.zip}
      contacts_unzipped: {file: Contact.csv}
      users: {file: export.zip, entry: sub/User.csv}
  zo:
    type: csv
    dir: data
    preset: zoho
    tables:
      Contacts: {}
  fx:
    type: csv
    dir: data
    preset: fxiaoke
    tables:
      客户: {}
      leads: {preset: zoho}
`, "export.zip", "Contact.csv", "Contacts.csv", "客户.xlsx", "leads.csv")
	if err != nil {
		t.Fatal(err)
	}
	sf, zo, fx := cfg.Sources["sf"], cfg.Sources["zo"], cfg.Sources["fx"]
	if sf.Encoding != "auto" || zo.Encoding != "utf-8" || fx.Encoding != "utf-8" {
		t.Errorf("encodings %q %q %q", sf.Encoding, zo.Encoding, fx.Encoding)
	}
	c := sf.Tables["Contact"]
	if !c.IsZip() || cfg.EntryOf(c) != "Contact.csv" || cfg.PresetOf(c).Name != "salesforce" {
		t.Errorf("Contact: zip %v entry %q", c.IsZip(), cfg.EntryOf(c))
	}
	if e := cfg.EntryOf(sf.Tables["users"]); e != "sub/User.csv" {
		t.Errorf("users entry %q", e)
	}
	if sf.Tables["contacts_unzipped"].IsZip() {
		t.Error("a csv is not a zip")
	}
	if f := filepath.Base(fx.Tables["客户"].File); f != "客户.xlsx" {
		t.Errorf("fxiaoke default file %q", f)
	}
	if f, p := filepath.Base(fx.Tables["leads"].File), cfg.PresetOf(fx.Tables["leads"]).Name; f != "leads.csv" || p != "zoho" {
		t.Errorf("table preset: %q %q", f, p)
	}
	if cfg.PresetOf(&Table{Source: "nope"}) != nil {
		t.Error("no source, no preset")
	}
}

func TestPresetErrors(t *testing.T) {
	_, err := presetConfig(t, `  crm:
    type: csv
    dir: data
    preset: hubspot
    tables:
      a: {file: a.csv, entry: A.csv}
      b: {file: b.zip, sheet: x, preset: dynamics}
  pg:
    type: postgres
    dsn_env: PG_DSN
    preset: zoho
    tables:
      c: {table: c}
`, "a.csv", "b.zip")
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"sources.crm.preset", `unknown preset "hubspot"`, "fxiaoke, jiandaoyun, salesforce, zoho",
		"sources.crm.tables.a.entry", "sources.crm.tables.b.sheet", `sources.crm.tables.b.preset`, "sources.pg.preset"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}
