package classify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/vigil-dg/vigil/internal/atomicfile"
)

// Arrow field metadata keys written by Annotate.
const (
	MetaClass      = "vigil.class"
	MetaCategory   = "vigil.category"
	MetaProtection = "vigil.protection"
	MetaConfidence = "vigil.confidence"
	MetaReview     = "vigil.review"
	MetaOverride   = "vigil.override"
)

// WriteJSON writes r to path as indented JSON, atomically: into a temporary
// file in the same directory, synced, then renamed over path.
func WriteJSON(path string, r *TableResult) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("classify: encode %s: %w", path, err)
	}
	if err := atomicfile.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("classify: write %s: %w", path, err)
	}
	return nil
}

// ReadJSON reads a classification.json written by WriteJSON.
func ReadJSON(path string) (*TableResult, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("classify: read: %w", err)
	}
	defer f.Close()
	r, err := DecodeJSON(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// DecodeJSON decodes a classification document, rejecting unknown fields,
// trailing data and other format versions.
func DecodeJSON(rd io.Reader) (*TableResult, error) {
	dec := json.NewDecoder(rd)
	dec.DisallowUnknownFields()
	var r TableResult
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("classify: decode: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("classify: decode: trailing data")
	}
	if r.Format != Format {
		return nil, fmt.Errorf("%w: format %d, want %d", ErrFormat, r.Format, Format)
	}
	return &r, nil
}

// Annotate returns schema with the classification of each column in its
// field metadata (vigil.class, vigil.category, vigil.protection,
// vigil.confidence, vigil.review, vigil.override). Existing metadata is kept;
// fields without a result are left as they are.
func Annotate(schema *arrow.Schema, r *TableResult) *arrow.Schema {
	fields := schema.Fields()
	for i, f := range fields {
		c, ok := r.Column(f.Name)
		if !ok {
			continue
		}
		keys, vals := []string{}, []string{}
		if f.HasMetadata() {
			for j, k := range f.Metadata.Keys() {
				switch k {
				case MetaClass, MetaCategory, MetaProtection, MetaConfidence, MetaReview, MetaOverride:
					continue
				}
				keys = append(keys, k)
				vals = append(vals, f.Metadata.Values()[j])
			}
		}
		keys = append(keys, MetaClass, MetaCategory, MetaProtection, MetaConfidence, MetaReview, MetaOverride)
		vals = append(vals, c.Class, c.Category, c.Protection, strconv.FormatFloat(c.Confidence, 'f', 3, 64),
			strconv.FormatBool(c.Review), strconv.FormatBool(c.Override))
		f.Metadata = arrow.NewMetadata(keys, vals)
		fields[i] = f
	}
	md := schema.Metadata()
	return arrow.NewSchema(fields, &md)
}
