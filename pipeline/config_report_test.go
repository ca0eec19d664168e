package pipeline

import (
	"path/filepath"
	"strings"
	"testing"
)

const reportBase = "format: 1\nhome: /srv/vigil\nkeys: {passphrase_env: P}\nsources: {crm: {type: postgres, dsn_env: D, tables: {t: {table: t}}}}\njobs: {j: {stages: [audit]}}\n"

func TestReportSection(t *testing.T) {
	cfg, err := Parse("x.yaml", []byte(reportBase), LoadOptions{SkipFileChecks: true})
	if err != nil {
		t.Fatal(err)
	}
	r := cfg.Report
	if r.Language != LangEN || r.KeepYears != MinReportKeepYears || r.Cases != filepath.Join("/srv/vigil", "cases.json") {
		t.Errorf("defaults: %+v", r)
	}
	cfg, err = Parse("x.yaml", []byte(reportBase+"audit: {suppressions: /etc/vigil/sup.yaml}\nreport: {language: zh, controller: {name: ACME}}\n"), LoadOptions{SkipFileChecks: true})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Report.Language != LangZH || cfg.Report.Cases != "/etc/vigil/cases.json" || cfg.Report.Organization != "ACME" {
		t.Errorf("zh, cases beside suppressions, organisation from controller: %+v", cfg.Report)
	}
	for bad, want := range map[string]string{
		"report: {keep_years: 1}\n":                 "report.keep_years: 1 is less than 3",
		"report: {language: fr}\n":                  "report.language",
		"report: {transfers: [{recipient: X}]}\n":   "report.transfers[0]: recipient and country are required",
		"report: {purposes: [a], purpose: [b]}\n":   `unknown key "purpose"`,
		"report: {dpo: {name: A, phone: \"1\"}}\n":  `unknown key "phone"`,
		"report: {assessment: {necesity: \"x\"}}\n": `unknown key "necesity"`,
	} {
		_, err := Parse("x.yaml", []byte(reportBase+bad), LoadOptions{SkipFileChecks: true})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", bad, err, want)
		}
	}
}
