package demo

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

const utf8BOM = "\xEF\xBB\xBF"

// rowBuf accumulates CSV rows (RFC 4180: CRLF record ends, quotes only where
// needed) in memory.
type rowBuf struct {
	b     []byte
	inRow bool // a field has been written in the current row
	rows  int  // rows ended
}

func (rb *rowBuf) reset() { rb.b, rb.inRow, rb.rows = rb.b[:0], false, 0 }

// needsQuotes reports whether a field must be quoted (RFC 4180, plus a leading
// space, which some readers would otherwise trim).
func needsQuotes[T string | []byte](v T) bool {
	if len(v) > 0 && (v[0] == ' ' || v[0] == '\t') {
		return true
	}
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case ',', '"', '\r', '\n':
			return true
		}
	}
	return false
}

func appendField[T string | []byte](b []byte, v T) []byte {
	if !needsQuotes(v) {
		return append(b, v...)
	}
	b = append(b, '"')
	for i := 0; i < len(v); i++ {
		if v[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, v[i])
	}
	return append(b, '"')
}

// field appends one field to the current row.
func (rb *rowBuf) field(v []byte) {
	if rb.inRow {
		rb.b = append(rb.b, ',')
	}
	rb.inRow = true
	rb.b = appendField(rb.b, v)
}

// fieldString is field for a string.
func (rb *rowBuf) fieldString(v string) {
	if rb.inRow {
		rb.b = append(rb.b, ',')
	}
	rb.inRow = true
	rb.b = appendField(rb.b, v)
}

// end ends the current row.
func (rb *rowBuf) end() {
	rb.b = append(rb.b, '\r', '\n')
	rb.inRow = false
	rb.rows++
}

// encoder turns the UTF-8 rows of a chunk into the output encoding: a copy in
// UTF-8 mode, GBK otherwise.
type encoder struct {
	gbk transform.Transformer // nil in UTF-8 mode
}

func newEncoder(gbk bool) *encoder {
	if gbk {
		return &encoder{gbk: simplifiedchinese.GBK.NewEncoder()}
	}
	return &encoder{}
}

// errNotGBK is wrapped when generated text has no GBK encoding (a bug in the
// static tables).
var errNotGBK = errors.New("demo: text not encodable in GBK")

// encode returns src in the output encoding, using dst's storage where it
// must convert. The result aliases src in UTF-8 mode.
func (e *encoder) encode(dst, src []byte) ([]byte, error) {
	if e.gbk == nil {
		return src, nil
	}
	e.gbk.Reset()
	if cap(dst) < len(src) { // GBK never takes more bytes than UTF-8
		dst = make([]byte, len(src)+len(src)/8)
	}
	out := dst[:cap(dst)]
	n, _, err := e.gbk.Transform(out, src, true)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errNotGBK, err)
	}
	return out[:n], nil
}

// csvFile is one output table, written under a temporary name beside its
// final name: commit makes it durable, publish renames it into place, abort
// removes it.
type csvFile struct {
	name  string // file name, e.g. customers.csv
	final string
	tmp   string
	f     *os.File
	rows  int // data rows written (the header not counted)
	done  bool
}

func createCSV(dir, name string) (*csvFile, error) {
	f, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("demo: create %s: %w", name, err)
	}
	return &csvFile{name: name, final: filepath.Join(dir, name), tmp: f.Name(), f: f}, nil
}

// write appends encoded bytes holding rows data rows.
func (c *csvFile) write(b []byte, rows int) error {
	if _, err := c.f.Write(b); err != nil {
		return fmt.Errorf("demo: write %s (after data row %d): %w", c.name, c.rows, err)
	}
	c.rows += rows
	return nil
}

// commit syncs and closes the temporary file.
func (c *csvFile) commit() error {
	c.done = true
	err := c.f.Sync()
	if cerr := c.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("demo: %s: %w", c.name, err)
	}
	return nil
}

// publish renames the committed temporary file to its final name.
func (c *csvFile) publish() error {
	if err := os.Rename(c.tmp, c.final); err != nil {
		return fmt.Errorf("demo: publish %s: %w", c.name, err)
	}
	c.tmp = ""
	return nil
}

// abort closes (if needed) and removes the temporary file.
func (c *csvFile) abort() {
	if !c.done {
		_ = c.f.Close()
		c.done = true
	}
	if c.tmp != "" {
		_ = os.Remove(c.tmp)
		c.tmp = ""
	}
}
