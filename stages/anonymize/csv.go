package anonymize

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// CSVOptions configures AnonymizeCSV, the library equivalent of
// `vigil anonymize --input FILE.csv --qi ... --hierarchy col=FILE --k 5
// --suppression 0.04 --metric loss`. It works on any delimited file with a
// header row, like ARX's API.
type CSVOptions struct {
	Input     string // path of the input file (read twice when Output is set)
	Delimiter rune   // default ','; Adult uses ';'
	// HierarchyFiles maps a quasi-identifier to an ARX hierarchy CSV
	// (';'-separated unless HierarchyDelimiter is set). Hierarchies in
	// Privacy.Hierarchies take precedence.
	HierarchyFiles     map[string]string
	HierarchyDelimiter rune
	Privacy            PrivacyOptions
	// Output, when set, receives the anonymized records as CSV with the
	// same header and delimiter: quasi-identifiers generalized, suppressed
	// records removed, other columns unchanged except those in Drop.
	Output io.Writer
	Drop   []string
}

// AnonymizeCSV searches the transformation for a delimited file and, when
// opts.Output is set, writes the anonymized records.
func AnonymizeCSV(ctx context.Context, opts CSVOptions) (*Result, error) {
	o := opts.Privacy
	if o.Hierarchies == nil {
		o.Hierarchies = map[string]Hierarchy{}
	} else {
		hs := make(map[string]Hierarchy, len(o.Hierarchies))
		for k, v := range o.Hierarchies {
			hs[k] = v
		}
		o.Hierarchies = hs
	}
	var errs []error
	for col, path := range opts.HierarchyFiles {
		if o.Hierarchies[col] != nil {
			continue
		}
		h, err := LoadHierarchyCSV(path, opts.HierarchyDelimiter)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		o.Hierarchies[col] = h
	}
	source := filepath.Base(opts.Input)
	ms, err := o.normalize(source)
	if err != nil {
		errs = append(errs, err)
	}
	if err := joinProblems(errs); err != nil {
		return nil, err
	}
	delim := opts.Delimiter
	if delim == 0 {
		delim = ','
	}

	// Pass 1: the quasi-identifiers (and sensitive attribute), compactly.
	t := newCollector(&o)
	var qiIdx []int
	sensIdx := -1
	err = readCSV(ctx, opts.Input, delim, func(header []string) error {
		pos := map[string]int{}
		for i, h := range header {
			pos[h] = i
		}
		var missing []string
		for _, q := range o.QuasiIdentifiers {
			i, ok := pos[q]
			if !ok {
				missing = append(missing, q)
			}
			qiIdx = append(qiIdx, i)
		}
		if o.Sensitive != "" {
			i, ok := pos[o.Sensitive]
			if !ok {
				missing = append(missing, o.Sensitive)
			}
			sensIdx = i
		}
		for _, d := range opts.Drop {
			if _, ok := pos[d]; !ok {
				missing = append(missing, d)
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("%w: %s: no column %s in the header", ErrInput, source, problemList(missing))
		}
		return nil
	}, func(row int64, rec []string) error {
		vals := make([]string, len(qiIdx))
		nulls := make([]bool, len(qiIdx))
		for d, i := range qiIdx {
			vals[d] = rec[i]
		}
		s := ""
		if sensIdx >= 0 {
			s = rec[sensIdx]
		}
		t.add(vals, nulls, s, false)
		return nil
	})
	if err != nil {
		return nil, err
	}
	p, res, err := solve(ctx, source, t, &o, ms)
	if err != nil {
		return nil, err
	}
	if opts.Output == nil {
		return res, nil
	}

	// Pass 2: write the anonymized records.
	w := csv.NewWriter(opts.Output)
	w.Comma = delim
	drop := map[int]bool{}
	err = readCSV(ctx, opts.Input, delim, func(header []string) error {
		pos := map[string]int{}
		for i, h := range header {
			pos[h] = i
		}
		for _, d := range opts.Drop {
			drop[pos[d]] = true
		}
		return w.Write(keep(header, drop))
	}, func(row int64, rec []string) error {
		vals := make([]string, len(qiIdx))
		nulls := make([]bool, len(qiIdx))
		for d, i := range qiIdx {
			vals[d] = rec[i]
		}
		s := ""
		if sensIdx >= 0 {
			s = rec[sensIdx]
		}
		id, err := t.tupleOf(vals, nulls, s, false)
		if err != nil {
			return &ValueError{Source: source, Row: row, Column: "", Reason: err.Error(), Err: ErrInput}
		}
		if p.suppressed[id] {
			return nil
		}
		out := append([]string(nil), rec...)
		for d, i := range qiIdx {
			out[i] = p.generalized(id, d)
		}
		return w.Write(keep(out, drop))
	})
	if err != nil {
		return nil, err
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, err
	}
	return res, nil
}

func keep(rec []string, drop map[int]bool) []string {
	if len(drop) == 0 {
		return rec
	}
	out := make([]string, 0, len(rec))
	for i, v := range rec {
		if !drop[i] {
			out = append(out, v)
		}
	}
	return out
}

// readCSV streams a delimited file with a header; row numbers count records
// after the header, starting at 1.
func readCSV(ctx context.Context, path string, delim rune, header func([]string) error, rec func(int64, []string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInput, err)
	}
	defer f.Close()
	name := filepath.Base(path)
	r := csv.NewReader(f)
	r.Comma = delim
	r.ReuseRecord = true
	h, err := r.Read()
	if err != nil {
		return fmt.Errorf("%w: %s: cannot read the header: %v", ErrInput, name, err)
	}
	if len(h) > 0 {
		h[0] = trimBOM(h[0])
	}
	if err := header(append([]string(nil), h...)); err != nil {
		return err
	}
	var row int64
	for {
		rr, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		row++
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return &ValueError{Source: name, Row: row, Column: fmt.Sprintf("#%d", pe.Column), Reason: "malformed CSV (" + pe.Err.Error() + ")", Err: ErrInput}
			}
			return fmt.Errorf("%w: %s row %d: %v", ErrInput, name, row, err)
		}
		if row%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := rec(row, rr); err != nil {
			return err
		}
	}
}

func trimBOM(s string) string {
	if len(s) >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF {
		return s[3:]
	}
	return s
}
