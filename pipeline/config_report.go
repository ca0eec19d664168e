package pipeline

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Report languages.
const (
	LangEN = "en"
	LangZH = "zh-CN"
)

// MinReportKeepYears is the shortest report retention: PIPL Art. 56 keeps
// personal-information impact assessments for at least three years.
const MinReportKeepYears = 3

// ReportConfig is the `report` section: the language of the audit report
// and what the GDPR Art. 30 record and the PIPL Art. 55/56 assessment need
// from people (the rest comes from Vigil's evidence). Empty fields are
// listed as gaps in those records, never invented.
type ReportConfig struct {
	Language     string     `yaml:"language"`     // en | zh-CN (default en)
	Organization string     `yaml:"organization"` // shown on the cover; default the controller's name
	Controller   Party      `yaml:"controller"`   // GDPR Art. 30(1)(a) / PIPL 个人信息处理者
	DPO          Party      `yaml:"dpo"`          // data-protection officer / 个人信息保护负责人 (PIPL Art. 52)
	Purposes     []string   `yaml:"purposes"`     // purposes of the processing
	LegalBasis   []string   `yaml:"legal_basis"`  // GDPR Art. 6 / PIPL Art. 13 grounds
	DataSubjects []string   `yaml:"data_subjects"`
	Recipients   []string   `yaml:"recipients"`
	Transfers    []Transfer `yaml:"transfers"`  // transfers to third countries / 向境外提供
	Retention    string     `yaml:"retention"`  // time limits for erasure, in words
	Assessment   Assessment `yaml:"assessment"` // PIPL Art. 56 judgements a person makes
	KeepYears    int        `yaml:"keep_years"` // how long report folders are kept; default and minimum 3
	Cases        string     `yaml:"cases"`      // case register; default cases.json beside audit.suppressions, else in home
	SignedBy     string     `yaml:"signed_by"`  // who signs the report (sign-off block); default the DPO
	Reviewers    []string   `yaml:"reviewers"`  // optional further sign-off lines
}

// Party is a person or organisation with contact details.
type Party struct {
	Name    string `yaml:"name"`
	Contact string `yaml:"contact"`
}

// Transfer is one transfer of personal data abroad.
type Transfer struct {
	Recipient string `yaml:"recipient"`
	Country   string `yaml:"country"`
	Safeguard string `yaml:"safeguard"` // e.g. SCC, PIPL Art. 38 standard contract, certification
}

// Assessment holds the judgements of a PIPL Art. 56 assessment that only a
// person can make.
type Assessment struct {
	Necessity string `yaml:"necessity"` // lawful, legitimate and necessary purpose and method (Art. 56(1))
	Impact    string `yaml:"impact"`    // impact on rights and security risks (Art. 56(2))
	Assessor  string `yaml:"assessor"`
}

// report validates and defaults the report section.
func (v *validator) report() {
	r := &v.cfg.Report
	if r.Language == "" {
		r.Language = LangEN
	}
	if strings.EqualFold(r.Language, "zh") || strings.EqualFold(r.Language, "zh-cn") || strings.EqualFold(r.Language, "zh_CN") {
		r.Language = LangZH
	}
	v.oneOf("report.language", r.Language, LangEN, LangZH)
	if r.KeepYears == 0 {
		r.KeepYears = MinReportKeepYears
	}
	if r.KeepYears < MinReportKeepYears {
		v.errf("report.keep_years", "%d is less than %d: PIPL Art. 56 keeps impact assessments for at least three years", r.KeepYears, MinReportKeepYears)
	}
	for i, t := range r.Transfers {
		if strings.TrimSpace(t.Recipient) == "" || strings.TrimSpace(t.Country) == "" {
			v.errf(fmt.Sprintf("report.transfers[%d]", i), "recipient and country are required")
		}
	}
	switch {
	case r.Cases != "":
		r.Cases = abs(v.cfg.Dir, r.Cases)
	case v.cfg.Audit.Suppressions != "":
		r.Cases = filepath.Join(filepath.Dir(v.cfg.Audit.Suppressions), "cases.json")
	default:
		r.Cases = filepath.Join(v.cfg.Home, "cases.json")
	}
	if r.Organization == "" {
		r.Organization = r.Controller.Name
	}
	if r.SignedBy == "" {
		r.SignedBy = r.DPO.Name
	}
}
