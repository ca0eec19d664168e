package snapshot

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// DigestPrefix marks the version of the content digest algorithm.
const DigestPrefix = "v1:"

// EmptyDigest is the content digest of a snapshot without rows.
const EmptyDigest = DigestPrefix + "00000000000000000000000000000000"

// CheckSchema reports whether every column of schema can be stored in a
// snapshot and digested: flat columns of type utf8, large_utf8, binary,
// large_binary, int8..int64, uint8..uint64, float32, float64, bool, date32,
// timestamp[us] (any time zone) and decimal128. Column names must be unique
// and non-empty.
func CheckSchema(schema *arrow.Schema) error {
	if schema == nil || schema.NumFields() == 0 {
		return fmt.Errorf("%w: schema has no columns", ErrUnsupportedType)
	}
	seen := make(map[string]bool, schema.NumFields())
	for _, f := range schema.Fields() {
		if f.Name == "" {
			return fmt.Errorf("%w: empty column name", ErrUnsupportedType)
		}
		if seen[f.Name] {
			return fmt.Errorf("%w: duplicate column name %q", ErrUnsupportedType, f.Name)
		}
		seen[f.Name] = true
		if !supportedType(f.Type) {
			return fmt.Errorf("%w: column %q has type %s (timestamps must be in microseconds, decimals need 0 <= scale <= precision; nested and dictionary types are not stored)", ErrUnsupportedType, f.Name, f.Type)
		}
	}
	return nil
}

func supportedType(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY,
		arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT32, arrow.FLOAT64, arrow.BOOL, arrow.DATE32:
		return true
	case arrow.DECIMAL128:
		d := dt.(*arrow.Decimal128Type)
		return d.Scale >= 0 && d.Scale <= d.Precision
	case arrow.TIMESTAMP:
		return dt.(*arrow.TimestampType).Unit == arrow.Microsecond
	}
	return false
}

// Digester computes the order-independent content digest of record
// batches. For each row it builds a canonical string: for every column in
// schema order "-" for NULL, else "<byte length>:<text>" where text is:
// strings as they are; integers in decimal; decimals as DuckDB prints
// DECIMAL(p,s); bool true/false; date32 as days since 1970-01-01; timestamps
// as microseconds since the epoch; binary as upper-case hex; float64 as
// DuckDB prints DOUBLE (AppendFloat) and float32 widened to float64 first.
// The row hash is SHA-256 of that string; the digest is the sum of the
// first 8 bytes (big-endian) of all row hashes mod 2^64 and the sum of bytes
// 8..16 mod 2^64, printed as 32 hex digits after "v1:". DigestSQL computes
// the same value in DuckDB.
//
// A Digester is not safe for concurrent use.
type Digester struct {
	schema *arrow.Schema
	s1, s2 uint64
	rows   int64
	buf    []byte
	cells  []cellFunc
}

// NewDigester returns a Digester for record batches of schema.
func NewDigester(schema *arrow.Schema) (*Digester, error) {
	if err := CheckSchema(schema); err != nil {
		return nil, err
	}
	return &Digester{schema: schema, buf: make([]byte, 0, 1024), cells: make([]cellFunc, schema.NumFields())}, nil
}

// Add adds every row of rec. Its columns must have the digester's types.
func (d *Digester) Add(rec arrow.RecordBatch) error {
	if int(rec.NumCols()) != d.schema.NumFields() {
		return fmt.Errorf("%w: record has %d columns, want %d", ErrSchemaMismatch, rec.NumCols(), d.schema.NumFields())
	}
	for i, col := range rec.Columns() {
		if !arrow.TypeEqual(col.DataType(), d.schema.Field(i).Type) {
			return fmt.Errorf("%w: column %q has type %s, want %s", ErrSchemaMismatch, d.schema.Field(i).Name, col.DataType(), d.schema.Field(i).Type)
		}
		f, err := newCellFunc(col)
		if err != nil {
			return err
		}
		d.cells[i] = f
	}
	n := int(rec.NumRows())
	buf := d.buf
	s1, s2 := d.s1, d.s2
	for r := 0; r < n; r++ {
		buf = buf[:0]
		for _, f := range d.cells {
			buf = f(buf, r)
		}
		h := sha256.Sum256(buf)
		s1 += binary.BigEndian.Uint64(h[0:8])
		s2 += binary.BigEndian.Uint64(h[8:16])
	}
	d.s1, d.s2 = s1, s2
	d.rows += int64(n)
	d.buf = buf
	clear(d.cells)
	return nil
}

// Merge adds the rows digested by o (of the same schema) to d, so parts of
// a table can be digested separately.
func (d *Digester) Merge(o *Digester) {
	d.s1 += o.s1
	d.s2 += o.s2
	d.rows += o.rows
}

// Rows returns the number of rows added.
func (d *Digester) Rows() int64 { return d.rows }

// Sum returns the digest of the rows added so far.
func (d *Digester) Sum() string { return formatDigest(d.s1, d.s2) }

func formatDigest(s1, s2 uint64) string {
	return fmt.Sprintf("%s%016x%016x", DigestPrefix, s1, s2)
}

// cellFunc appends the canonical form of row i of one column to buf.
type cellFunc func(buf []byte, i int) []byte

func appendLen(buf []byte, n int) []byte {
	switch {
	case n < 10:
		return append(buf, byte('0'+n), ':')
	case n < 100:
		return append(buf, byte('0'+n/10), byte('0'+n%10), ':')
	}
	buf = strconv.AppendInt(buf, int64(n), 10)
	return append(buf, ':')
}

func appendCell(buf, text []byte) []byte {
	buf = appendLen(buf, len(text))
	return append(buf, text...)
}

func appendIntCell(buf []byte, v int64) []byte {
	var tmp [24]byte
	return appendCell(buf, strconv.AppendInt(tmp[:0], v, 10))
}

func appendUintCell(buf []byte, v uint64) []byte {
	var tmp [24]byte
	return appendCell(buf, strconv.AppendUint(tmp[:0], v, 10))
}

// withNulls wraps f so that NULL cells are written as "-".
func withNulls(a arrow.Array, f cellFunc) cellFunc {
	if a.NullN() == 0 {
		return f
	}
	return func(buf []byte, i int) []byte {
		if a.IsNull(i) {
			return append(buf, '-')
		}
		return f(buf, i)
	}
}

func newCellFunc(col arrow.Array) (cellFunc, error) {
	var f cellFunc
	switch a := col.(type) {
	case *array.String:
		f = func(buf []byte, i int) []byte {
			s := a.Value(i)
			buf = appendLen(buf, len(s))
			return append(buf, s...)
		}
	case *array.LargeString:
		f = func(buf []byte, i int) []byte {
			s := a.Value(i)
			buf = appendLen(buf, len(s))
			return append(buf, s...)
		}
	case *array.Binary:
		f = func(buf []byte, i int) []byte { return appendHexCell(buf, a.Value(i)) }
	case *array.LargeBinary:
		f = func(buf []byte, i int) []byte { return appendHexCell(buf, a.Value(i)) }
	case *array.Int8:
		f = func(buf []byte, i int) []byte { return appendIntCell(buf, int64(a.Value(i))) }
	case *array.Int16:
		f = func(buf []byte, i int) []byte { return appendIntCell(buf, int64(a.Value(i))) }
	case *array.Int32:
		f = func(buf []byte, i int) []byte { return appendIntCell(buf, int64(a.Value(i))) }
	case *array.Int64:
		f = func(buf []byte, i int) []byte { return appendIntCell(buf, a.Value(i)) }
	case *array.Uint8:
		f = func(buf []byte, i int) []byte { return appendUintCell(buf, uint64(a.Value(i))) }
	case *array.Uint16:
		f = func(buf []byte, i int) []byte { return appendUintCell(buf, uint64(a.Value(i))) }
	case *array.Uint32:
		f = func(buf []byte, i int) []byte { return appendUintCell(buf, uint64(a.Value(i))) }
	case *array.Uint64:
		f = func(buf []byte, i int) []byte { return appendUintCell(buf, a.Value(i)) }
	case *array.Float32:
		f = func(buf []byte, i int) []byte {
			var tmp [40]byte
			return appendCell(buf, AppendFloat(tmp[:0], float64(a.Value(i)), 64))
		}
	case *array.Float64:
		f = func(buf []byte, i int) []byte {
			var tmp [40]byte
			return appendCell(buf, AppendFloat(tmp[:0], a.Value(i), 64))
		}
	case *array.Boolean:
		f = func(buf []byte, i int) []byte {
			if a.Value(i) {
				return append(buf, "4:true"...)
			}
			return append(buf, "5:false"...)
		}
	case *array.Date32:
		f = func(buf []byte, i int) []byte { return appendIntCell(buf, int64(a.Value(i))) }
	case *array.Timestamp:
		if a.DataType().(*arrow.TimestampType).Unit != arrow.Microsecond {
			return nil, fmt.Errorf("%w: timestamp unit %s", ErrUnsupportedType, a.DataType())
		}
		f = func(buf []byte, i int) []byte { return appendIntCell(buf, int64(a.Value(i))) }
	case *array.Decimal128:
		dt := a.DataType().(*arrow.Decimal128Type)
		p, s := dt.Precision, dt.Scale
		f = func(buf []byte, i int) []byte {
			var tmp [48]byte
			return appendCell(buf, AppendDecimal(tmp[:0], a.Value(i), p, s))
		}
	default:
		return nil, fmt.Errorf("%w: %s", ErrUnsupportedType, col.DataType())
	}
	return withNulls(col, f), nil
}

const hexUpper = "0123456789ABCDEF"

func appendHexCell(buf, b []byte) []byte {
	buf = appendLen(buf, 2*len(b))
	for _, c := range b {
		buf = append(buf, hexUpper[c>>4], hexUpper[c&0x0f])
	}
	return buf
}

// AppendDecimal appends n with the given scale as DuckDB prints
// DECIMAL(precision, scale)::VARCHAR: "1234.56", "-0.05", "0.00"; when
// precision equals scale the integer zero is left out (".500", "-.01").
func AppendDecimal(dst []byte, n decimal128.Num, precision, scale int32) []byte {
	var tmp [48]byte
	var digits []byte
	neg := n.Sign() < 0
	hi, lo := n.HighBits(), n.LowBits()
	switch {
	case hi == 0 && lo <= math.MaxInt64, hi == -1 && lo > math.MaxInt64:
		v := int64(lo)
		u := uint64(v)
		if v < 0 {
			u = uint64(-v) // two's complement also covers MinInt64
		}
		digits = strconv.AppendUint(tmp[:0], u, 10)
	default:
		b := n.BigInt()
		digits = b.Abs(b).Append(tmp[:0], 10)
	}
	if neg {
		dst = append(dst, '-')
	}
	if scale <= 0 {
		dst = append(dst, digits...)
		for ; scale < 0; scale++ {
			dst = append(dst, '0')
		}
		return dst
	}
	sc := int(scale)
	if len(digits) > sc {
		dst = append(dst, digits[:len(digits)-sc]...)
		dst = append(dst, '.')
		return append(dst, digits[len(digits)-sc:]...)
	}
	if precision > scale {
		dst = append(dst, '0')
	}
	dst = append(dst, '.')
	for k := len(digits); k < sc; k++ {
		dst = append(dst, '0')
	}
	return append(dst, digits...)
}

// AppendFloat appends f as DuckDB prints DOUBLE as VARCHAR (bitSize 64;
// float32 values are widened to float64 first, see DigestSQL; bitSize 32
// gives the shortest float32 form): the shortest form that round-trips,
// in fixed notation with at least one fractional digit when the decimal
// exponent is in [-4, 16), else in exponent notation ("1e+20", "1.5e-07");
// "nan", "inf", "-inf".
func AppendFloat(dst []byte, f float64, bitSize int) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "nan"...)
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case f == 0:
		if math.Signbit(f) {
			return append(dst, "-0.0"...)
		}
		return append(dst, "0.0"...)
	}
	var tmp [40]byte
	e := strconv.AppendFloat(tmp[:0], f, 'e', -1, bitSize)
	// e is like "-1.2345e+06": split sign, digits and exponent.
	k := len(e) - 1
	for e[k] != 'e' {
		k--
	}
	exp := 0
	for _, c := range e[k+2:] {
		exp = exp*10 + int(c-'0')
	}
	if e[k+1] == '-' {
		exp = -exp
	}
	if exp < -4 || exp >= 16 {
		return append(dst, e...)
	}
	m := e[:k]
	if m[0] == '-' {
		dst = append(dst, '-')
		m = m[1:]
	}
	var dbuf [24]byte
	digits := append(dbuf[:0], m[0])
	if len(m) > 2 {
		digits = append(digits, m[2:]...) // skip the '.'
	}
	if exp < 0 {
		dst = append(dst, '0', '.')
		for z := -exp - 1; z > 0; z-- {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	if len(digits) <= exp+1 {
		dst = append(dst, digits...)
		for z := len(digits); z < exp+1; z++ {
			dst = append(dst, '0')
		}
		return append(dst, '.', '0')
	}
	dst = append(dst, digits[:exp+1]...)
	dst = append(dst, '.')
	return append(dst, digits[exp+1:]...)
}

// CellText returns the canonical text of one non-NULL cell of a supported
// column as used by the content digest (mainly for tests and tools).
func CellText(col arrow.Array, i int) (string, error) {
	if col.IsNull(i) {
		return "", nil
	}
	f, err := newCellFunc(col)
	if err != nil {
		return "", err
	}
	cell := string(f(nil, i))
	_, text, _ := strings.Cut(cell, ":")
	return text, nil
}

// DigestSQL returns a DuckDB query that computes the content digest of
// relation, which must have the columns of schema (for example
// "read_parquet('f.parquet', encryption_config={footer_key:'k'})" or a
// parenthesized subquery with an alias). The query returns one row with one
// VARCHAR column named digest. schema must satisfy CheckSchema.
func DigestSQL(schema *arrow.Schema, relation string) string {
	// The canonical row text is the concatenation of one term per column.
	// A chain of "a || b || …" nests one level per column and DuckDB
	// refuses expressions deeper than 1000 levels, so the terms go into
	// concat() calls of at most digestChunk arguments, nested as a flat
	// tree of depth two or three for any column count. The terms are never
	// NULL, so concat (which skips NULLs) equals ||.
	terms := make([]string, 0, len(schema.Fields()))
	for _, f := range schema.Fields() {
		col := quoteIdent(f.Name)
		text := sqlText(col, f.Type)
		terms = append(terms, fmt.Sprintf("(CASE WHEN %s IS NULL THEN '-' ELSE CAST(strlen(%s) AS VARCHAR) || ':' || %s END)", col, text, text))
	}
	var canon strings.Builder
	canon.WriteString(concatTree(terms))
	const mod = "18446744073709551616"
	return "SELECT '" + DigestPrefix + "'" +
		" || printf('%016x', CAST(COALESCE(SUM(h1), 0) % " + mod + " AS UBIGINT))" +
		" || printf('%016x', CAST(COALESCE(SUM(h2), 0) % " + mod + " AS UBIGINT)) AS digest" +
		" FROM (SELECT CAST(CAST('0x' || substr(h, 1, 16) AS UBIGINT) AS HUGEINT) AS h1," +
		" CAST(CAST('0x' || substr(h, 17, 16) AS UBIGINT) AS HUGEINT) AS h2" +
		" FROM (SELECT sha256(" + canon.String() + ") AS h FROM " + relation + ") AS vigil_rows) AS vigil_hashes"
}

// digestChunk is the most arguments one concat() call of DigestSQL takes.
const digestChunk = 256

// concatTree returns SQL concatenating terms, in order, with nested concat()
// calls of at most digestChunk arguments each.
func concatTree(terms []string) string {
	switch len(terms) {
	case 0:
		return "''"
	case 1:
		return terms[0]
	}
	for len(terms) > digestChunk {
		var next []string
		for i := 0; i < len(terms); i += digestChunk {
			part := terms[i:min(i+digestChunk, len(terms))]
			if len(part) == 1 {
				next = append(next, part[0])
				continue
			}
			next = append(next, "concat("+strings.Join(part, ", ")+")")
		}
		terms = next
	}
	return "concat(" + strings.Join(terms, ", ") + ")"
}

func sqlText(col string, dt arrow.DataType) string {
	switch dt.ID() {
	case arrow.STRING, arrow.LARGE_STRING:
		return col
	case arrow.BINARY, arrow.LARGE_BINARY:
		return "hex(" + col + ")"
	case arrow.FLOAT32:
		// DuckDB's FLOAT text is not always the shortest float32 form, so
		// float32 values are widened to DOUBLE on both sides.
		return "CAST(CAST(" + col + " AS DOUBLE) AS VARCHAR)"
	case arrow.DATE32:
		return "CAST((" + col + " - DATE '1970-01-01') AS VARCHAR)"
	case arrow.TIMESTAMP:
		return "CAST(epoch_us(" + col + ") AS VARCHAR)"
	default:
		return "CAST(" + col + " AS VARCHAR)"
	}
}

func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
