package main

import (
	"time"

	"github.com/vigil-dg/vigil/pipeline"
	"github.com/vigil-dg/vigil/stages/extract"
)

// csvOptions maps a CSV table's configuration to the reader's options.
func csvOptions(cfg *pipeline.Config, src *pipeline.Source, t *pipeline.Table, types map[string]extract.Type, onReject func(extract.Reject) error) extract.CSVOptions {
	o := extract.CSVOptions{Table: t.Name, Encoding: src.Encoding, Types: types, OnReject: onReject, HeaderRow: t.HeaderRow}
	switch src.Delimiter {
	case "", "auto":
		o.Delimiter = extract.DelimiterAuto
	default:
		o.Delimiter = []rune(src.Delimiter)[0]
	}
	if t.Header != nil {
		o.Header = extract.HeaderNo
		if *t.Header {
			o.Header = extract.HeaderYes
		}
	}
	o.Location = sourceZone(cfg, src)
	return o
}

// sourceZone is the zone of a source's naive timestamps: its time_zone, else
// the config's timezone.
func sourceZone(cfg *pipeline.Config, src *pipeline.Source) *time.Location {
	if src.TimeZone != "" {
		if loc, err := time.LoadLocation(src.TimeZone); err == nil {
			return loc
		}
	}
	if cfg != nil && cfg.Location != nil {
		return cfg.Location
	}
	return time.UTC
}
