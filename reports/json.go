package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/vigil-dg/vigil/stages/audit"
)

// RenderJSON writes report.json: the Document, indented.
func RenderJSON(w io.Writer, in Input) error {
	d, err := NewDocument(in)
	if err != nil {
		return err
	}
	return d.JSON(w)
}

// JSON writes the document as indented JSON.
func (d *Document) JSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}

// ReadPrevious reads a report.json written by Write and returns its audit,
// ready to be the Previous of the next report.
func ReadPrevious(path string) (*audit.Report, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	return ParsePrevious(path, data)
}

// ParsePrevious parses the report.json named name.
func ParsePrevious(name string, data []byte) (*audit.Report, error) {
	var head struct {
		Format *int `json:"format"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrFormat, name, err)
	}
	if head.Format == nil || *head.Format != Format {
		got := "none"
		if head.Format != nil {
			got = fmt.Sprint(*head.Format)
		}
		return nil, fmt.Errorf("%w: %s: format %s, want %d", ErrFormat, name, got, Format)
	}
	var d Document
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrFormat, name, err)
	}
	r := &audit.Report{
		Format:       d.AuditFormat,
		GeneratedAt:  d.GeneratedAt,
		Period:       d.Period,
		TimeZone:     d.TimeZone,
		Summary:      d.Summary,
		Sources:      d.Sources,
		References:   d.References,
		Detections:   d.Detections,
		Findings:     make([]audit.Finding, 0, len(d.Findings)),
		Suppressions: d.Suppressions,
		Checks:       d.Checks,
		Controls:     d.Controls,
		Charts:       d.Charts,
		Cases:        d.Cases,
	}
	for i, f := range d.Findings {
		if f.Fingerprint == "" {
			return nil, fmt.Errorf("%w: %s: finding %d has no fingerprint", ErrFormat, name, i+1)
		}
		r.Findings = append(r.Findings, f.Finding)
	}
	return r, nil
}
