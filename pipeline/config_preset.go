package pipeline

import (
	"path/filepath"
	"strings"

	"github.com/vigil-dg/vigil/rules/presets"
)

// presetName is a table's preset: its own, else its source's.
func presetName(s *Source, t *Table) string {
	if t != nil && t.Preset != "" {
		return t.Preset
	}
	if s != nil {
		return s.Preset
	}
	return ""
}

// presetEncoding is a CSV source's default encoding: its preset's, else auto.
func presetEncoding(s *Source) string {
	if p, err := presets.Get(s.Preset); err == nil && s.Preset != "" {
		return p.Encoding
	}
	return "auto"
}

// presetExt is the extension of a table's default file: the preset's
// (Salesforce: .csv, the unzipped export; name the zip in file: to read
// straight from it), else ext.
func presetExt(s *Source, t *Table, ext string) string {
	n := presetName(s, t)
	if n == "" {
		return ext
	}
	p, err := presets.Get(n)
	if err != nil || p.Format == presets.FormatZipCSV {
		return ext
	}
	return p.Ext
}

// PresetOf returns the CRM preset of a table (its own or its source's), or
// nil when it has none. Validation has checked the name.
func (c *Config) PresetOf(t *Table) *presets.Preset {
	n := presetName(c.Sources[t.Source], t)
	if n == "" {
		return nil
	}
	p, err := presets.Get(n)
	if err != nil {
		return nil
	}
	return p
}

// IsZip reports whether a table's file is a zip archive of CSV files.
func (t *Table) IsZip() bool { return strings.EqualFold(filepath.Ext(t.File), ".zip") }

// EntryOf is the CSV a .zip table file is read from: the table's entry,
// else its preset's file for the table's object (Salesforce: Contact →
// Contact.csv), else <table>.csv.
func (c *Config) EntryOf(t *Table) string {
	if t.Entry != "" {
		return t.Entry
	}
	if p := c.PresetOf(t); p != nil {
		return p.EntryName(t.Name)
	}
	return t.Name + ".csv"
}

// presetSource validates the presets and zip entries of a CSV source.
func (v *validator) presetSource(p string, s *Source) {
	if s.Preset != "" {
		if _, err := presets.Get(s.Preset); err != nil {
			v.errf(p+".preset", "unknown preset %q: want one of %s", s.Preset, strings.Join(presets.Names(), ", "))
		}
	}
	for tn, t := range s.Tables {
		tp := childPath(p+".tables", tn)
		if t.Preset != "" {
			if _, err := presets.Get(t.Preset); err != nil {
				v.errf(tp+".preset", "unknown preset %q: want one of %s", t.Preset, strings.Join(presets.Names(), ", "))
			}
		}
		if t.Entry != "" && !t.IsZip() {
			v.errf(tp+".entry", "entry names a CSV inside a .zip file; file %s is not one", filepath.Base(t.File))
		}
		if t.IsZip() && t.Sheet != "" {
			v.errf(tp+".sheet", "sheet is for .xlsx files; %s is a zip of CSV files", filepath.Base(t.File))
		}
	}
}
