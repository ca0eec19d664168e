package query

import (
	"bufio"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/big"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"golang.org/x/text/width"
)

// Output formats.
const (
	FormatTable  = "table"  // aligned text for a terminal
	FormatCSV    = "csv"    // RFC 4180: header row, CRLF line ends, quotes where needed
	FormatJSON   = "json"   // one JSON array of objects, streamed
	FormatNDJSON = "ndjson" // one JSON object per line, for large results
	// FormatResult is one JSON object per statement — columns (name and
	// DuckDB type), rows, row_count, truncated — streamed: what `--json`
	// gives, so that every command's --json output is an object.
	FormatResult = "result"
)

// Formats lists the output formats.
var Formats = []string{FormatTable, FormatCSV, FormatJSON, FormatNDJSON, FormatResult}

// DefaultTableRows is the row limit of the table format when
// Options.MaxRows is 0.
const DefaultTableRows = 1000

// maxCellWidth is the widest a cell of the table format gets, in terminal
// columns; longer values are cut and end in "…".
const maxCellWidth = 40

// ParseFormat checks an output format name (case-insensitive; "jsonl" is
// ndjson) and returns its canonical name.
func ParseFormat(s string) (string, error) {
	f := strings.ToLower(strings.TrimSpace(s))
	if f == "jsonl" {
		f = FormatNDJSON
	}
	for _, k := range Formats {
		if f == k {
			return f, nil
		}
	}
	return "", fmt.Errorf("%w: format %q: want %s", ErrOptions, s, strings.Join(Formats, ", "))
}

// column is one result column.
type column struct {
	name    string
	dbType  string // DuckDB type name, e.g. VARCHAR, DECIMAL(10,2)
	numeric bool
	zoned   bool // TIMESTAMP WITH TIME ZONE: shown in the session's zone
}

// resultWriter writes one result in one format.
type resultWriter interface {
	header(cols []column) error
	row(vals []any) error
	// footer ends the result; st holds the final counts.
	footer(st *Stats) error
}

func newResultWriter(format string, w io.Writer, explain bool) resultWriter {
	switch format {
	case FormatCSV:
		cw := csv.NewWriter(w)
		cw.UseCRLF = true
		return &csvWriter{w: cw}
	case FormatJSON:
		return &jsonWriter{w: bufio.NewWriter(w), array: true}
	case FormatNDJSON:
		return &jsonWriter{w: bufio.NewWriter(w)}
	case FormatResult:
		return &jsonWriter{w: bufio.NewWriter(w), array: true, object: true}
	}
	if explain {
		return &planWriter{w: w}
	}
	return &tableWriter{w: w}
}

// tableWriter buffers the rows (at most the row limit) to align them.
type tableWriter struct {
	w    io.Writer
	cols []column
	rows [][]string
}

func (t *tableWriter) header(cols []column) error {
	t.cols = cols
	return nil
}

func (t *tableWriter) row(vals []any) error {
	r := make([]string, len(vals))
	for i, v := range vals {
		if v == nil {
			r[i] = "NULL"
			continue
		}
		r[i] = clip(printable(text(v, t.cols[i].dbType)), maxCellWidth)
	}
	t.rows = append(t.rows, r)
	return nil
}

func (t *tableWriter) footer(st *Stats) error {
	bw := bufio.NewWriter(t.w)
	if len(t.cols) > 0 {
		names := make([]string, len(t.cols))
		for i, c := range t.cols {
			names[i] = c.name
		}
		renderTable(bw, names, t.rows, func(row, col int) bool {
			return t.cols[col].numeric && t.rows[row][col] != "NULL"
		})
	}
	rows := "rows"
	if st.Rows == 1 {
		rows = "row"
	}
	if st.Truncated {
		fmt.Fprintf(bw, "(first %d %s shown, more not shown: raise the row limit or use csv/json output; %s)\n", st.Rows, rows, formatDuration(st.Duration))
	} else {
		fmt.Fprintf(bw, "(%d %s, %s)\n", st.Rows, rows, formatDuration(st.Duration))
	}
	return bw.Flush()
}

// planWriter prints the plan of an EXPLAIN statement as DuckDB renders it.
type planWriter struct {
	w    io.Writer
	cols []column
}

func (p *planWriter) header(cols []column) error { p.cols = cols; return nil }

func (p *planWriter) row(vals []any) error {
	if len(vals) == 0 || vals[len(vals)-1] == nil {
		return nil
	}
	s := text(vals[len(vals)-1], p.cols[len(vals)-1].dbType)
	_, err := io.WriteString(p.w, strings.TrimRight(s, "\n")+"\n")
	return err
}

func (p *planWriter) footer(*Stats) error { return nil }

func formatDuration(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

type csvWriter struct {
	w    *csv.Writer
	cols []column
	rec  []string
}

func (c *csvWriter) header(cols []column) error {
	c.cols = cols
	c.rec = make([]string, len(cols))
	for i, col := range cols {
		c.rec[i] = col.name
	}
	return c.w.Write(c.rec)
}

func (c *csvWriter) row(vals []any) error {
	for i, v := range vals {
		if v == nil {
			c.rec[i] = ""
			continue
		}
		c.rec[i] = text(v, c.cols[i].dbType)
	}
	return c.w.Write(c.rec)
}

func (c *csvWriter) footer(*Stats) error {
	c.w.Flush()
	return c.w.Error()
}

type jsonWriter struct {
	w      *bufio.Writer
	array  bool
	object bool // FormatResult: the array inside {"columns", "rows", …}
	opened bool // the object's head is written
	cols   []column
	keys   [][]byte // JSON-encoded, de-duplicated column names
	n      int
}

func (j *jsonWriter) header(cols []column) error {
	j.cols = cols
	seen := map[string]bool{}
	for _, c := range cols {
		name := c.name
		for k := 2; seen[name]; k++ {
			name = fmt.Sprintf("%s_%d", c.name, k)
		}
		seen[name] = true
		b, err := marshal(name)
		if err != nil {
			return err
		}
		j.keys = append(j.keys, b)
	}
	return j.openObject()
}

// openObject writes the head of a FormatResult object: the columns and
// the opening of the rows.
func (j *jsonWriter) openObject() error {
	if !j.object || j.opened {
		return nil
	}
	j.opened = true
	type col struct {
		Name string `json:"name"`
		Type string `json:"type"`
	}
	cols := make([]col, len(j.cols))
	for i, c := range j.cols {
		cols[i] = col{c.name, c.dbType}
	}
	b, err := marshal(cols)
	if err != nil {
		return err
	}
	j.w.WriteString(`{"columns":`)
	j.w.Write(b)
	j.w.WriteString(`,"rows":`)
	return nil
}

func (j *jsonWriter) row(vals []any) error {
	switch {
	case j.array && j.n == 0:
		j.w.WriteString("[\n")
	case j.array:
		j.w.WriteString(",\n")
	}
	j.n++
	j.w.WriteByte('{')
	for i, v := range vals {
		if i > 0 {
			j.w.WriteByte(',')
		}
		j.w.Write(j.keys[i])
		j.w.WriteByte(':')
		b, err := marshal(jsonValue(v, j.cols[i].dbType))
		if err != nil {
			return err
		}
		j.w.Write(b)
	}
	j.w.WriteByte('}')
	if !j.array {
		j.w.WriteByte('\n')
	}
	if j.w.Buffered() > 64<<10 {
		return j.w.Flush()
	}
	return nil
}

func (j *jsonWriter) footer(st *Stats) error {
	if err := j.openObject(); err != nil {
		return err
	}
	end := "\n"
	if j.object {
		var n int64
		truncated := false
		if st != nil {
			n, truncated = st.Rows, st.Truncated
		}
		end = fmt.Sprintf(`,"row_count":%d,"truncated":%t}`+"\n", n, truncated)
	}
	if j.array {
		if j.n == 0 {
			j.w.WriteString("[]" + end)
		} else {
			j.w.WriteString("\n]" + end)
		}
	}
	return j.w.Flush()
}

// marshal encodes v as compact JSON without HTML escaping.
func marshal(v any) ([]byte, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return []byte(strings.TrimSuffix(b.String(), "\n")), nil
}

// isNumericType reports whether a DuckDB type holds numbers, which the
// table format right-aligns.
func isNumericType(t string) bool {
	t = strings.ToUpper(t)
	if strings.HasPrefix(t, "DECIMAL") {
		return true
	}
	switch t {
	case "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
		"UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "BIGNUM":
		return true
	}
	return false
}

// text renders a non-NULL value as DuckDB would print it.
func text(v any, dbType string) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return formatFloat(x, 64)
	case float32:
		return formatFloat(float64(x), 32)
	case time.Time:
		return formatTime(x, dbType)
	case []byte:
		if strings.EqualFold(dbType, "UUID") && len(x) == 16 {
			return formatUUID(x)
		}
		return formatBlob(x)
	case *big.Int:
		return x.String()
	case duckdb.Decimal:
		return x.String()
	case duckdb.Interval:
		return formatInterval(x)
	case duckdb.Union:
		if x.Value == nil {
			return "NULL"
		}
		return text(x.Value, "")
	case []any, map[string]any, duckdb.OrderedMap:
		b, err := marshal(jsonValue(x, dbType))
		if err != nil {
			return fmt.Sprint(x)
		}
		return string(b)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(rv.Uint(), 10)
	}
	return fmt.Sprint(v)
}

// jsonValue converts a value to what encoding/json writes: numbers stay
// numbers (exact for DECIMAL and HUGEINT), lists arrays and structs objects;
// times, intervals, UUIDs and blobs become their text; NaN and infinities
// become strings, since JSON has no such numbers.
func jsonValue(v any, dbType string) any {
	switch x := v.(type) {
	case nil:
		return nil
	case string, bool:
		return x
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return formatFloat(x, 64)
		}
		return x
	case float32:
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return formatFloat(float64(x), 32)
		}
		return json.Number(formatFloat(float64(x), 32))
	case *big.Int:
		return json.Number(x.String())
	case duckdb.Decimal:
		return json.Number(x.String())
	case duckdb.Union:
		return jsonValue(x.Value, "")
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonValue(e, "")
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonValue(e, "")
		}
		return out
	case duckdb.OrderedMap:
		// A map's keys need not be strings: a list of key/value pairs,
		// in the map's order.
		type pair struct {
			Key   any `json:"key"`
			Value any `json:"value"`
		}
		keys, vals := x.Keys(), x.Values()
		out := make([]pair, len(keys))
		for i := range keys {
			out[i] = pair{jsonValue(keys[i], ""), jsonValue(vals[i], "")}
		}
		return out
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return json.Number(text(v, dbType))
	}
	return text(v, dbType)
}

func formatFloat(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'g', -1, bits)
}

// formatTime renders DATE, TIME and TIMESTAMP values as DuckDB does;
// TIMESTAMP WITH TIME ZONE in the value's zone (the session's) with its
// offset.
func formatTime(t time.Time, dbType string) string {
	frac := func(layout string) string {
		if t.Nanosecond() != 0 {
			return layout + ".999999"
		}
		return layout
	}
	switch strings.ToUpper(dbType) {
	case "DATE":
		return t.Format("2006-01-02")
	case "TIME":
		return t.Format(frac("15:04:05"))
	case "TIMETZ", "TIME WITH TIME ZONE":
		return t.Format(frac("15:04:05") + "-07")
	case "TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE":
		// in the session's zone (the value was moved there), with DuckDB's
		// offset style: +08, +05:30
		return t.Format(frac("2006-01-02 15:04:05")) + zoneOffset(t)
	case "TIMESTAMP_NS":
		if t.Nanosecond() != 0 {
			return t.UTC().Format("2006-01-02 15:04:05.999999999")
		}
	}
	return t.UTC().Format(frac("2006-01-02 15:04:05"))
}

func formatUUID(b []byte) string {
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// formatBlob renders bytes as DuckDB does: printable ASCII as is, other
// bytes as \xHH.
func formatBlob(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		if c >= 0x20 && c < 0x7f && c != '\\' {
			s.WriteByte(c)
			continue
		}
		fmt.Fprintf(&s, `\x%02X`, c)
	}
	return s.String()
}

func formatInterval(iv duckdb.Interval) string {
	var parts []string
	unit := func(n int64, one, many string) {
		if n == 1 || n == -1 {
			parts = append(parts, fmt.Sprintf("%d %s", n, one))
		} else if n != 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, many))
		}
	}
	unit(int64(iv.Months)/12, "year", "years")
	unit(int64(iv.Months)%12, "month", "months")
	unit(int64(iv.Days), "day", "days")
	if iv.Micros != 0 || len(parts) == 0 {
		us := iv.Micros
		sign := ""
		if us < 0 {
			sign, us = "-", -us
		}
		s := fmt.Sprintf("%s%02d:%02d:%02d", sign, us/3_600_000_000, us/60_000_000%60, us/1_000_000%60)
		if f := us % 1_000_000; f != 0 {
			s += strings.TrimRight(fmt.Sprintf(".%06d", f), "0")
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// printable escapes what would break a table row or drive a terminal:
// newlines, tabs and other control characters become visible escapes.
func printable(s string) string {
	clean := true
	for _, r := range s {
		if unicode.IsControl(r) || r == utf8.RuneError {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				fmt.Fprintf(&b, `\x%02X`, s[i])
			} else {
				b.WriteRune(r)
			}
		case unicode.IsControl(r):
			if r < 0x100 {
				fmt.Fprintf(&b, `\x%02X`, r)
			} else {
				fmt.Fprintf(&b, `\u%04X`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// runeWidth is the number of terminal columns a rune takes: two for East
// Asian wide and full-width characters (Chinese, Japanese, Korean), none for
// combining marks and format characters.
func runeWidth(r rune) int {
	if unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || unicode.Is(unicode.Cf, r) {
		return 0
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

func textWidth(s string) int {
	n := 0
	for _, r := range s {
		n += runeWidth(r)
	}
	return n
}

// clip cuts s to at most w terminal columns, ending in "…" when cut.
func clip(s string, w int) string {
	if textWidth(s) <= w {
		return s
	}
	n := 0
	for i, r := range s {
		rw := runeWidth(r)
		if n+rw > w-1 {
			return s[:i] + "…"
		}
		n += rw
	}
	return s
}
