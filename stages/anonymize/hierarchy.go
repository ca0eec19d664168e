package anonymize

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Suppressed is the value of the top level of every built-in hierarchy and
// of suppressed cells.
const Suppressed = "*"

// Hierarchy generalizes the values of one column level by level. Level 0 is
// the value itself; the highest level (Levels()-1) normally is "*".
// Generalize must be a function: the same value and level always give the
// same result, and values that share a generalization at level i share it at
// every level above i.
type Hierarchy interface {
	// Levels is the number of levels including level 0.
	Levels() int
	// Generalize returns the value at the given level. It fails for a value
	// the hierarchy does not know.
	Generalize(value string, level int) (string, error)
}

// domainHierarchy is implemented by hierarchies that enumerate their whole
// domain (ARX's materialized hierarchies). The Loss metric then measures
// domain shares against that domain, as ARX does; otherwise the domain is
// the set of distinct values in the data.
type domainHierarchy interface {
	Domain() [][]string
}

// orderedHierarchy is implemented by hierarchies whose leaves have a natural
// order (used by Mondrian to order categorical values so that siblings are
// adjacent).
type orderedHierarchy interface {
	leafRank(value string) (int, bool)
}

// TableHierarchy is a materialized hierarchy: one row per original value,
// level 0 first, up to the top level — the format of ARX's hierarchy CSVs.
type TableHierarchy struct {
	name  string
	rows  [][]string
	index map[string]int
}

// NewTableHierarchy builds a hierarchy from rows (level 0 first). All rows
// must have the same number of levels, level-0 values must be unique, and a
// value's generalizations must be consistent (two values that share a value
// at level i share it at every level above).
func NewTableHierarchy(name string, rows [][]string) (*TableHierarchy, error) {
	if len(rows) == 0 {
		return nil, &HierarchyError{Source: name, Reason: "no rows"}
	}
	h := &TableHierarchy{name: name, rows: rows, index: make(map[string]int, len(rows))}
	width := len(rows[0])
	var errs []error
	for i, r := range rows {
		if len(r) != width {
			errs = append(errs, &HierarchyError{Source: name, Line: i + 1,
				Reason: fmt.Sprintf("has %d levels, the first row has %d", len(r), width)})
			continue
		}
		if _, dup := h.index[r[0]]; dup {
			errs = append(errs, &HierarchyError{Source: name, Line: i + 1, Reason: "duplicate level-0 value"})
			continue
		}
		h.index[r[0]] = i
	}
	if width < 1 {
		errs = append(errs, &HierarchyError{Source: name, Reason: "rows have no levels"})
	}
	if len(errs) == 0 {
		// Consistency: the parent of a value at level i must be the same
		// for every row sharing that value.
		for lvl := 1; lvl < width-1; lvl++ {
			parent := map[string]string{}
			for i, r := range rows {
				if p, ok := parent[r[lvl]]; ok && p != r[lvl+1] {
					errs = append(errs, &HierarchyError{Source: name, Line: i + 1,
						Reason: fmt.Sprintf("level %d value maps to two different level %d values", lvl, lvl+1)})
					break
				}
				parent[r[lvl]] = r[lvl+1]
			}
		}
	}
	if err := joinProblems(errs); err != nil {
		return nil, err
	}
	return h, nil
}

// ReadHierarchyCSV reads a hierarchy in ARX's CSV format: delimiter-separated
// (';' when delim is 0), one row per value, level 0 first up to "*".
func ReadHierarchyCSV(r io.Reader, name string, delim rune) (*TableHierarchy, error) {
	if delim == 0 {
		delim = ';'
	}
	cr := csv.NewReader(r)
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	var rows [][]string
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			return nil, &HierarchyError{Source: name, Line: line, Reason: "malformed CSV"}
		}
		if len(rec) == 1 && rec[0] == "" {
			continue
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		rows = append(rows, rec)
	}
	return NewTableHierarchy(name, rows)
}

// LoadHierarchyCSV reads an ARX hierarchy CSV file (see ReadHierarchyCSV).
func LoadHierarchyCSV(path string, delim rune) (*TableHierarchy, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &HierarchyError{Source: path, Reason: err.Error()}
	}
	defer f.Close()
	return ReadHierarchyCSV(f, filepath.Base(path), delim)
}

// Levels implements Hierarchy.
func (h *TableHierarchy) Levels() int { return len(h.rows[0]) }

// Generalize implements Hierarchy.
func (h *TableHierarchy) Generalize(value string, level int) (string, error) {
	i, ok := h.index[value]
	if !ok {
		return "", &HierarchyError{Source: h.name, Reason: "value not in hierarchy"}
	}
	if level < 0 || level >= len(h.rows[i]) {
		return "", &HierarchyError{Source: h.name, Reason: fmt.Sprintf("level %d out of range", level)}
	}
	return h.rows[i][level], nil
}

// Domain returns the rows of the hierarchy (ARX's domain for Loss).
func (h *TableHierarchy) Domain() [][]string { return h.rows }

func (h *TableHierarchy) leafRank(value string) (int, bool) {
	i, ok := h.index[value]
	return i, ok
}

// Name is the hierarchy's source name.
func (h *TableHierarchy) Name() string { return h.name }

// IntervalHierarchy generalizes numbers into bands of growing width, e.g.
// ages into 5-, 10- and 20-year bands and then "*". Integral bands are
// written "lo-hi" (inclusive, like ARX's age hierarchy: "30-34"), other
// bands "[lo,hi)".
type IntervalHierarchy struct {
	Widths []float64 // band width per level 1..len(Widths); the top level is "*"
}

// AgeBands is the usual age hierarchy: 5-, 10-, 20-year bands, then "*".
func AgeBands() IntervalHierarchy { return IntervalHierarchy{Widths: []float64{5, 10, 20}} }

// Levels implements Hierarchy.
func (h IntervalHierarchy) Levels() int { return len(h.Widths) + 2 }

// Generalize implements Hierarchy.
func (h IntervalHierarchy) Generalize(value string, level int) (string, error) {
	if level == 0 {
		return value, nil
	}
	if level < 0 || level > len(h.Widths)+1 {
		return "", &HierarchyError{Source: "interval", Reason: fmt.Sprintf("level %d out of range", level)}
	}
	if level == len(h.Widths)+1 {
		return Suppressed, nil
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return "", &HierarchyError{Source: "interval", Reason: "value is not a number"}
	}
	return bucketLabel(v, h.Widths[level-1]), nil
}

// bucketLabel returns the band of width w holding v.
func bucketLabel(v, w float64) string {
	lo := math.Floor(v/w) * w
	hi := lo + w
	if lo == math.Trunc(lo) && w == math.Trunc(w) && math.Abs(lo) < 1e15 {
		return strconv.FormatInt(int64(lo), 10) + "-" + strconv.FormatInt(int64(hi)-1, 10)
	}
	return "[" + strconv.FormatFloat(lo, 'g', -1, 64) + "," + strconv.FormatFloat(hi, 'g', -1, 64) + ")"
}

// DateHierarchy generalizes dates: level 1 year-month ("2006-01"), level 2
// year ("2006"), level 3 decade ("1980-1989"), level 4 "*". Values are parsed
// as RFC 3339 dates or timestamps ("2006-01-02", "2006-01-02 15:04:05...").
type DateHierarchy struct{}

// Levels implements Hierarchy.
func (DateHierarchy) Levels() int { return 5 }

// Generalize implements Hierarchy.
func (DateHierarchy) Generalize(value string, level int) (string, error) {
	if level == 0 {
		return value, nil
	}
	if level == 4 {
		return Suppressed, nil
	}
	if level < 0 || level > 4 {
		return "", &HierarchyError{Source: "date", Reason: fmt.Sprintf("level %d out of range", level)}
	}
	t, err := parseDate(value)
	if err != nil {
		return "", &HierarchyError{Source: "date", Reason: "value is not a date"}
	}
	switch level {
	case 1:
		return t.Format("2006-01"), nil
	case 2:
		return strconv.Itoa(t.Year()), nil
	default:
		d := t.Year() - ((t.Year()%10)+10)%10
		return strconv.Itoa(d) + "-" + strconv.Itoa(d+9), nil
	}
}

// parseDate accepts the date and timestamp spellings Arrow's ValueStr and
// common CSV exports use.
func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	layouts := []string{"2006-01-02", time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00",
		"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006/01/02", "20060102"}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	if len(s) > 10 {
		if t, err := time.Parse("2006-01-02", s[:10]); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a date")
}

// PrefixHierarchy generalizes codes (postal codes, area codes) by replacing
// trailing characters with '*': level i masks the last i characters; the top
// level (MaxMasked+1) is "*".
type PrefixHierarchy struct {
	MaxMasked int // number of generalization levels that mask characters
}

// Levels implements Hierarchy.
func (h PrefixHierarchy) Levels() int { return h.MaxMasked + 2 }

// Generalize implements Hierarchy.
func (h PrefixHierarchy) Generalize(value string, level int) (string, error) {
	if level < 0 || level > h.MaxMasked+1 {
		return "", &HierarchyError{Source: "prefix", Reason: fmt.Sprintf("level %d out of range", level)}
	}
	if level == h.MaxMasked+1 {
		return Suppressed, nil
	}
	r := []rune(value)
	if level >= len(r) {
		return Suppressed, nil
	}
	for i := len(r) - level; i < len(r); i++ {
		r[i] = '*'
	}
	return string(r), nil
}
